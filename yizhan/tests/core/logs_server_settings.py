"""Settings of the development server test_logs_once.py starts: the project's, with one more page
that fails (a real server error, to see that its traceback is still written)."""

from yizhan.settings import *  # noqa: F403

ROOT_URLCONF = "yizhan.tests.core.logs_server_urls"
