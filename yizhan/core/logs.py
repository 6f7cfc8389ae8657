"""Structured logs (issue 5 §6): with LOG_FORMAT=json every line is one JSON object (time, level,
logger, message, request id, and the traceback of an error), ready for a log collector.

Every request gets an id: the one a proxy in front sent in X-Request-ID when it is well formed,
otherwise a new one. It is answered in the X-Request-ID header and written on every log line of
that request, so a person reporting a problem can quote it and the lines can be found. The lines
carry no personal data: no address, account or form content is added here, and the application's
own messages name records by id (spec §11).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like: anything else (spaces, line breaks, very long) is replaced, so a
# client cannot write into the logs through the header.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("yizhan_request_id", default="")


def current_request_id() -> str:
    """The id of the request being served ('' outside a request: commands, startup)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give each request its id for the logs and answer it in X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _WELL_FORMED.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _record_request_id(record: logging.LogRecord) -> str:
    """The id of the request a record belongs to: the one being served, or the one Django names in
    the record (its 4xx/5xx line is written after the middleware has finished)."""
    return _request_id.get() or getattr(getattr(record, "request", None), "request_id", "") or "-"


class RequestIdFilter(logging.Filter):
    """Put the request's id on every record (`%(request_id)s`, '-' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _record_request_id(record)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record. Only the fields below are written: extra attributes a library
    attaches to a record (Django's request object, for one) are left out."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or _record_request_id(record)
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if request_id == "-" else request_id,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
