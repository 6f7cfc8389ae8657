"""Structured logs (issue 5 §6): with LOG_FORMAT=json every line is one JSON object (time, level,
logger, message, request id, and the traceback of an error), ready for a log collector.

Every request gets an id: the one a proxy in front sent in X-Request-ID when it is well formed,
otherwise a new one. It is answered in the X-Request-ID header and written on every log line of
that request, so a person reporting a problem can quote it and the lines can be found. The lines
carry no personal data: no address, account or form content is added here, and the application's
own messages name records by id (spec §11).

Every line is written once (settings.LOGGING: one handler, on the root logger), and an answer of
400 or more is one line — status, path, request id — with a traceback only for a server error
(`AnswerLineFilter`).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import threading
import uuid

from django.http import HttpRequest

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


# The status of the last answer Django wrote a line for, per thread (see AnswerLineFilter).
_answer_written = threading.local()


def _answer_status(record: logging.LogRecord) -> int | None:
    """The status of the answer a record of Django's is about (django.request, or
    django.security.* for a failed CSRF check or a suspicious request), None for any other."""
    status = getattr(record, "status_code", None)
    if isinstance(status, int) and isinstance(getattr(record, "request", None), HttpRequest):
        return status
    return None


class AnswerLineFilter(logging.Filter):
    """One line per answer of 400 or more, with a traceback only for a server error.

    Django writes a line for every such answer, naming the request (so its id) and the status. For
    a refusal it also attaches the exception it answered (a 403 came with a 35-line traceback of
    PermissionDenied raised from the role check): a refused request is routine and the traceback
    tells an operator nothing, so below 500 it is left out. The line is marked `answer_status`,
    which both formatters write.

    The development server (`runserver`) writes its own line for every request once the answer is
    sent, in the thread that served it. For an answer Django has already written, that second line
    (without the request id) is left out; the others (2xx, 3xx, static files it serves itself)
    stay, one per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.server":
            written, _answer_written.status = getattr(_answer_written, "status", None), None
            return written is None or written != getattr(record, "status_code", None)
        status = _answer_status(record)
        if status is not None:
            _answer_written.status = status
            record.answer_status = status
            if status < 500:
                record.exc_info = record.exc_text = None
        return True


class PlainFormatter(logging.Formatter):
    """`time level logger [request id] message`, for a terminal; an answer's line (see
    AnswerLineFilter) starts its message with the status."""

    FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

    def __init__(self) -> None:
        super().__init__(self.FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = _record_request_id(record)
        status = getattr(record, "answer_status", None)
        if status is not None:
            record.message = f"{status} {record.message}"
        return super().formatMessage(record)


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
        status = getattr(record, "answer_status", None)
        if status is not None:
            line["status"] = status
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
