"""Structured logs (issue 5 §6): JSON lines with the request's id, answered in X-Request-ID."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from yizhan.core.logs import REQUEST_ID_HEADER, JsonFormatter, RequestIdFilter

PROJECT_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
def captured():
    """What django.request writes during the test, through the JSON formatter and the id filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_log_line_is_json_with_the_answered_request_id(captured):
    response = Client().get("/staff/positions/999999999/no-such-page/")
    assert response.status_code == 404
    request_id = response[REQUEST_ID_HEADER]
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert lines, "django.request logged nothing"
    line = lines[-1]
    assert line["request_id"] == request_id
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert set(line) == {"time", "level", "logger", "message", "request_id"}


@pytest.mark.django_db
def test_a_well_formed_proxy_id_is_kept_and_anything_else_replaced():
    client = Client()
    kept = client.get("/health/live", headers={REQUEST_ID_HEADER: "lb-20260101-abcdef"})
    assert kept[REQUEST_ID_HEADER] == "lb-20260101-abcdef"
    replaced = client.get("/health/live", headers={REQUEST_ID_HEADER: 'x" forged\nline'})
    assert replaced[REQUEST_ID_HEADER] != 'x" forged\nline'
    assert len(replaced[REQUEST_ID_HEADER]) == 32
    assert client.get("/health/live")[REQUEST_ID_HEADER] != client.get("/health/live")[REQUEST_ID_HEADER]


def test_an_error_line_keeps_its_traceback_and_chinese_text():
    try:
        raise ValueError("备份失败")
    except ValueError:
        record = logging.getLogger("yizhan.test").makeRecord(
            "yizhan.test", logging.ERROR, __file__, 1, "恢复 %s 张表", (3,), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "恢复 3 张表"
    assert "ValueError: 备份失败" in line["exception"]
    assert line["request_id"] is None


def test_log_format_json_configures_every_line_as_json():
    script = "import django, logging; django.setup(); logging.getLogger('yizhan.check').warning('备份 %s', 'ok')"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env={**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "yizhan.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"logger": "yizhan.check", "message": "备份 ok", "level": "WARNING"}.items() <= lines[-1].items()
