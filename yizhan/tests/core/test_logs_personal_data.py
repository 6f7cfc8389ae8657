"""Nothing personal goes into the application logs (spec §11, PIPL): representative requests that
carry a phone number, a person's name or an account name leave none of them in any log record,
at DEBUG level, whatever logger wrote it."""

import json
import logging

import pytest
from django.test import Client

from yizhan.core.roles import Role
from yizhan.ledger.tests import conftest as ledger_fixtures
from yizhan.ledger.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

PHONE = "13987654321"
NAME = "欧阳娜娜"
USERNAME = "ouyang.private"
ADDRESS = "198.51.100.23"

dalian_map = ledger_fixtures.dalian_map
make_position = ledger_fixtures.make_position
station = ledger_fixtures.station
zs_admin = ledger_fixtures.zs_admin


@pytest.fixture
def logs(caplog):
    """Every record at DEBUG and above, as the text a log file would hold (message, arguments,
    extra fields and any traceback)."""
    caplog.set_level(logging.DEBUG)

    def text() -> str:
        return "\n".join(
            f"{record.getMessage()} {record.args!r} {vars(record)!r} {caplog.text}" for record in caplog.records
        )

    return text


def assert_absent(text: str, *values: str) -> None:
    for value in values:
        assert value not in text, f"{value!r} was logged"


def test_public_feedback_with_a_phone_and_a_name(station, logs):
    client = Client(REMOTE_ADDR=ADDRESS)
    body = {"position_id": station.pk, "rating": 2, "text": f"我是{NAME}，请回电", "phone": PHONE}
    r = client.post("/api/v1/public/feedback", json.dumps(body), content_type="application/json")
    assert r.status_code == 201
    again = client.post("/api/v1/public/feedback", json.dumps(body), content_type="application/json")
    assert again.status_code == 429  # the limit's refusal is logged too
    bad = client.post(
        "/api/v1/public/feedback", json.dumps({**body, "phone": "1398765432x"}), content_type="application/json"
    )
    assert bad.status_code == 400
    assert_absent(logs(), PHONE, NAME, ADDRESS)


def test_a_failed_login_with_a_personal_account_name(db, logs):
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(2):
        client.post("/login/", {"username": USERNAME, "password": f"{PHONE}-wrong"})
    assert_absent(logs(), USERNAME, PHONE, ADDRESS)


def test_staff_revealing_and_answering_a_submitter(station, zs_admin, login, logs):
    feedback = FeedbackFactory(position=station, rating=1, text=f"{NAME}反映没有热水", phone=PHONE, client_key="k" * 64)
    client = login(zs_admin.user)
    assert PHONE in client.post(f"/staff/feedback/{feedback.pk}/").content.decode()
    assert client.post(f"/api/v1/feedback/{feedback.pk}/phone").json()["phone"] == PHONE
    assert client.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "export"}).status_code == 200
    r = client.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "erase", "confirm": "yes"})
    assert r.status_code == 302
    assert client.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "find"}).status_code == 200
    assert_absent(logs(), PHONE, NAME)


def test_a_manager_phone_on_staff_pages_and_a_refused_request(station, dalian_map, make_user, login, logs):
    station.manager_name, station.manager_phone = NAME, PHONE
    station.save()
    admin = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    assert admin.get(f"/staff/positions/{station.pk}/").status_code == 200
    outsider = login(make_user(Role.UNIT_ADMIN, dalian_map["xg"]))
    assert outsider.get(f"/staff/positions/{station.pk}/").status_code == 404
    assert outsider.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "find"}).status_code == 200
    auditor = login(make_user(Role.AUDITOR, dalian_map["city"]))
    assert auditor.post("/staff/feedback/submitters/", {"phone": PHONE, "step": "find"}).status_code == 403
    assert_absent(logs(), PHONE, NAME)
