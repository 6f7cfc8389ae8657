"""/api/v1/inspections end to end through the test client: a spot-check draw, an inspection
worked through its form, a rectification round, cross-unit denials (404), the mutual-check grant,
bad input answered as JSON 400 with nothing written, and the period's report."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.inspections.models import Inspection, Rectification, RectificationEvidence, SpotCheckDraw
from yizhan.inspections.tests.factories import jpeg
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/inspections"


def _later(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


@pytest.fixture
def clients(dalian, make_user, login, nine):
    return {
        "city": login(make_user(Role.FEDERATION_ADMIN, dalian["city"], "city")),
        "zs": login(make_user(Role.UNIT_ADMIN, dalian["zs"], "zs")),
        "xg": login(make_user(Role.UNIT_ADMIN, dalian["xg"], "xg")),
        "manager": login(make_user(Role.STATION_MANAGER, dalian["street"], "manager")),
    }


def _work_through(client, inspection_id, **overrides):
    form = client.get(f"{API}/{inspection_id}/form").json()
    answers = {item["key"]: True for item in form["items"]} | overrides
    assert post(client, f"{API}/{inspection_id}/transition", {"to_state": "in_progress"}).status_code == 200
    assert post(client, f"{API}/{inspection_id}/findings", {"answers": answers}).status_code == 200
    r = post(client, f"{API}/{inspection_id}/transition", {"to_state": "submitted"})
    assert r.status_code == 200, r.content
    return r.json()


def test_a_draw_an_inspection_and_a_rectification_round(clients, dalian, nine, media):
    for _ in range(3):
        PositionFactory(unit=dalian["street"], state=PositionState.OPERATING)
    r = post(
        clients["city"],
        f"{API}/draws",
        {"units": [dalian["zs"].pk], "version": nine.pk, "ends_on": _later(), "size": 1, "seed": 99},
    )
    assert r.status_code == 201, r.content
    draw = r.json()
    assert (draw["seed"], draw["eligible"], draw["picked"], len(draw["inspections"])) == (99, 3, 1, 1)
    inspection_id = draw["inspections"][0]
    detail = _work_through(clients["city"], inspection_id, online_map=False)
    assert detail["state"] == "submitted" and "confirmed" in detail["moves"]
    r = post(
        clients["city"],
        f"{API}/rectifications",
        {"inspection": inspection_id, "item": "online_map", "requirement": "上线上地图", "deadline": _later(10)},
    )
    assert r.status_code == 201, r.content
    rectification = r.json()
    assert rectification["owner_unit"] == "DL-ZS-QNWQ" and rectification["state"] == "open"
    # The street's station manager sees it and closes it with a photo.
    url = f"{API}/rectifications/{rectification['id']}"
    assert [x["id"] for x in clients["manager"].get(f"{API}/rectifications").json()] == [rectification["id"]]
    photo = SimpleUploadedFile("after.jpg", jpeg(), content_type="image/jpeg")
    r = clients["manager"].post(f"{url}/submit", {"photos": [photo], "note": "已标注"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "submitted" and len(r.json()["evidence"]) == 1
    assert post(clients["manager"], f"{url}/transition", {"to_state": "accepted"}).status_code == 403
    r = post(clients["city"], f"{url}/transition", {"to_state": "accepted"})
    assert r.json()["state"] == "accepted"
    history = clients["city"].get(f"{url}/history").json()
    assert [(h["from_state"], h["to_state"]) for h in history] == [("open", "submitted"), ("submitted", "accepted")]
    assert post(clients["city"], f"{API}/{inspection_id}/transition", {"to_state": "confirmed"}).json()["assessment"]


def test_another_district_gets_404_everywhere(clients, dalian, nine, zs_station, media):
    r = post(clients["zs"], API, {"position": zs_station.pk, "version": nine.pk, "ends_on": _later()})
    assert r.status_code == 201
    inspection_id = r.json()["id"]
    # 西岗区 cannot plan an inspection of 中山区's position, nor read or move 中山区's.
    r = post(clients["xg"], API, {"position": zs_station.pk, "version": nine.pk, "ends_on": _later()})
    assert r.status_code == 404 and r.json()["detail"] == "对象不存在或不在您的管辖范围内"
    for path in ("", "/form", "/history"):
        assert clients["xg"].get(f"{API}/{inspection_id}{path}").status_code == 404
    assert post(clients["xg"], f"{API}/{inspection_id}/transition", {"to_state": "in_progress"}).status_code == 404
    assert post(clients["xg"], f"{API}/{inspection_id}/findings", {"answers": {}}).status_code == 404
    assert clients["xg"].get(API).json() == []
    r = post(
        clients["xg"], f"{API}/draws", {"units": [dalian["zs"].pk], "version": nine.pk, "ends_on": _later(), "size": 1}
    )
    assert r.status_code == 404
    assert Inspection.objects.count() == 1 and SpotCheckDraw.objects.count() == 0


def test_the_mutual_check_grant_through_the_api(clients, dalian, nine, make_user, login):
    target = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    other = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    inspector = login(make_user(Role.UNIT_ADMIN, dalian["xg"], "inspector"))
    r = post(
        clients["city"],
        API,
        {
            "position": target.pk,
            "version": nine.pk,
            "kind": "mutual",
            "ends_on": _later(),
            "inspecting_unit": dalian["xg"].pk,
            "inspectors": ["inspector"],
        },
    )
    assert r.status_code == 201, r.content
    inspection_id = r.json()["id"]
    assert r.json()["inspectors"] == ["inspector"]
    # The assigned inspector reads the position through the form; the unassigned admin does not.
    form = inspector.get(f"{API}/{inspection_id}/form")
    assert form.status_code == 200 and form.json()["position"]["id"] == target.pk
    assert clients["xg"].get(f"{API}/{inspection_id}/form").status_code == 404
    assert clients["xg"].get(f"{API}/{inspection_id}").status_code == 404
    # Nothing else of the sibling: not its other position, not its other inspections.
    assert inspector.get(f"/api/v1/positions/{other.pk}").status_code == 404
    assert inspector.get(f"/api/v1/positions/{target.pk}").status_code == 404
    _work_through(inspector, inspection_id)
    # Submitted: the grant has ended.
    assert inspector.get(f"{API}/{inspection_id}/form").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"size": 99}, "size"),
        ({"rate": "2"}, "rate"),
        ({}, "size"),
    ],
)
def test_bad_draws_answer_400_and_write_nothing(clients, dalian, nine, zs_station, payload, field):
    body = {"units": [dalian["zs"].pk], "version": nine.pk, "ends_on": _later(), **payload}
    r = post(clients["city"], f"{API}/draws", body)
    assert r.status_code == 400 and r.json()["field"] == field
    assert SpotCheckDraw.objects.count() == 0 and Inspection.objects.count() == 0
    if payload == {"size": 99}:
        assert r.json()["detail"] == "抽取数量 99 超过符合条件的阵地数 1，请减少抽取数量或放宽条件"


def test_bad_evidence_answers_400_and_writes_nothing(clients, dalian, nine, zs_station, media):
    r = post(clients["city"], API, {"position": zs_station.pk, "version": nine.pk, "ends_on": _later()})
    inspection_id = r.json()["id"]
    _work_through(clients["city"], inspection_id, fixed_space=False)
    r = post(
        clients["city"],
        f"{API}/rectifications",
        {"inspection": inspection_id, "item": "fixed_space", "requirement": "落实场地", "deadline": _later(5)},
    )
    url = f"{API}/rectifications/{r.json()['id']}"
    r = clients["manager"].post(f"{url}/submit", {"note": "已整改"})
    assert r.status_code == 400 and r.json() == {"detail": "整改完成须上传整改后的照片作为证据", "field": "evidence"}
    fake = SimpleUploadedFile("after.jpg", b"%PDF-1.4 fake", content_type="image/jpeg")
    r = clients["manager"].post(f"{url}/submit", {"photos": [fake]})
    assert r.status_code == 400 and r.json()["field"] == "evidence" and "不是照片" in r.json()["detail"]
    assert RectificationEvidence.objects.count() == 0
    assert Rectification.objects.get().state == "open"
    # A rectification on an item that met the standard is refused.
    r = post(
        clients["city"],
        f"{API}/rectifications",
        {"inspection": inspection_id, "item": "online_map", "requirement": "x", "deadline": _later(5)},
    )
    assert r.status_code == 400 and r.json()["detail"] == "只有不达标的检查发现才能开具整改"


def test_the_report_of_a_period(clients, nine, zs_station, xg_station):
    for station in (zs_station, xg_station):
        post(clients["city"], API, {"position": station.pk, "version": nine.pk, "ends_on": _later()})
    today = timezone.localdate().isoformat()
    r = clients["zs"].get(f"{API}/report", {"date_from": today, "date_to": today, "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    # The city's inspections are the city's records: 中山区's report has none of them.
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["概况", "检查", "整改"]
    assert book["检查"].max_row == 1
    r = clients["city"].get(f"{API}/report", {"date_from": today, "date_to": today, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content))["检查"].iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 3
    r = clients["city"].get(f"{API}/report", {"date_from": today, "date_to": today, "format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = clients["city"].get(f"{API}/report", {"date_from": today, "date_to": today, "format": "doc"})
    assert r.status_code == 400
    assert clients["manager"].get(f"{API}/report", {"date_from": today, "date_to": today}).status_code == 403


def test_ids_out_of_range_are_refused_as_input(clients):
    big = 10**25
    for url in (f"{API}?draw={big}", f"{API}/rectifications?position={big}", f"{API}/{big}"):
        assert clients["city"].get(url).status_code in (404, 422), url
    bodies = [
        (f"{API}/rectifications", {"inspection": big, "item": "x", "requirement": "x", "deadline": _later()}),
        (f"{API}/draws", {"units": [big], "version": big, "ends_on": _later(), "size": 1}),
        (API, {"position": big, "version": big, "ends_on": _later()}),
    ]
    for url, body in bodies:
        assert post(clients["city"], url, body).status_code == 422, url
