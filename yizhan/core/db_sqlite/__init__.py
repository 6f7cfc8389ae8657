"""Django's SQLite backend with the planner statistics SQLite asks an application to keep.

`ENGINE = "yizhan.core.db_sqlite"` (settings.py sets it for a sqlite DATABASE_URL) is Django's own
SQLite backend, plus `PRAGMA optimize` as each connection closes and a statistics refresh after
every migrate that changed the schema (`statistics.py`). PostgreSQL needs none of it: autovacuum
analyses the tables.
"""
