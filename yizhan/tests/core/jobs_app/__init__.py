"""A test-only app whose job kinds the worker, server and CLI subprocesses of the job tests run
(installed by jobs_settings.py, never by the project's settings)."""
