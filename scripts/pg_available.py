"""Exit 0 when the PostgreSQL at the given URL answers, 1 otherwise (used by `make test`)."""

import sys

import psycopg

try:
    with psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3) as conn:
        conn.execute("select 1")
except Exception as error:  # noqa: BLE001 - any failure means "not available"
    print(f"PostgreSQL unavailable: {error.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
sys.exit(0)
