"""The inspection pages: lists with their counts, the inspector's item-by-item form saved and
submitted, a rectification opened, closed with a photo (a file that is not one refused with a
clear message), accepted; the draw form; the report; the 工作台 figures equal the rows their
links open; another district gets 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.core.scoping import Actor
from yizhan.inspections.choices import InspectionState, RectificationState
from yizhan.inspections.dashboard import inspections_panel
from yizhan.inspections.models import Inspection, Rectification, SpotCheckDraw
from yizhan.inspections.tests.factories import jpeg
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db
BASE = "/staff/inspections"
COUNT_LINE = re.compile(r'<p class="count">共 (\d+) ')


@pytest.fixture
def people(dalian, make_user, login, nine):
    city = make_user(Role.FEDERATION_ADMIN, dalian["city"], "city")
    manager = make_user(Role.STATION_MANAGER, dalian["street"], "manager")
    xg = make_user(Role.UNIT_ADMIN, dalian["xg"], "xg")
    return {
        "city": login(city),
        "manager": login(manager),
        "xg": login(xg),
        "city_actor": Actor(user=city, membership=city.memberships.get()),
        "manager_actor": Actor(user=manager, membership=manager.memberships.get()),
    }


def _count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return int(COUNT_LINE.search(response.content.decode()).group(1))


def test_an_inspection_through_the_pages(people, nine, zs_station, media):
    city = people["city"]
    r = city.post(
        f"{BASE}/new/",
        {
            "position": zs_station.code,
            "version": nine.pk,
            "kind": "planned",
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    inspection = Inspection.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{BASE}/{inspection.pk}/"
    city.post(f"{BASE}/{inspection.pk}/transition/", {"to_state": "in_progress"})
    page = city.get(f"{BASE}/{inspection.pk}/").content.decode()
    assert 'id="findings-form"' in page and "固定场所" in page
    answers = {f"item-{item.key}": "是" for item in inspection.applicable_items()}
    answers["item-online_map"] = "否"
    answers["note-online_map"] = "地图上找不到"
    r = city.post(f"{BASE}/{inspection.pk}/findings/", {**answers, "summary": "总体良好", "submit": "1"}, follow=True)
    assert "检查结果已提交" in r.content.decode()
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.SUBMITTED and inspection.summary == "总体良好"
    # A rectification on the failing item, from the inspection's page.
    finding = inspection.findings.get(item__key="online_map")
    r = city.post(
        f"{BASE}/{inspection.pk}/rectify/",
        {
            "finding": finding.pk,
            "requirement": "在地图上标注",
            "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
    )
    rectification = Rectification.objects.get()
    assert r["Location"] == f"{BASE}/rectifications/{rectification.pk}/"
    # The station manager: no photo, then not a photo, then a photo.
    manager = people["manager"]
    url = f"{BASE}/rectifications/{rectification.pk}/"
    assert "提交整改结果" in manager.get(url).content.decode()
    r = manager.post(f"{url}submit/", {"note": "已标注"}, follow=True)
    assert "整改完成须上传整改后的照片作为证据" in r.content.decode()
    fake = SimpleUploadedFile("after.jpg", b"not an image at all", content_type="image/jpeg")
    r = manager.post(f"{url}submit/", {"photos": [fake]}, follow=True)
    assert "文件不是照片" in r.content.decode()
    assert Rectification.objects.get().state == RectificationState.OPEN
    photo = SimpleUploadedFile("after.jpg", jpeg(), content_type="image/jpeg")
    manager.post(f"{url}submit/", {"photos": [photo], "note": "已标注"})
    assert Rectification.objects.get().state == RectificationState.SUBMITTED
    page = city.get(url).content.decode()
    assert "验收通过" in page and "退回重新整改" in page and "<img" in page
    city.post(f"{url}transition/", {"to_state": "accepted"})
    assert Rectification.objects.get().state == RectificationState.ACCEPTED
    # Another district: 404 on every page of it.
    for path in (f"{BASE}/{inspection.pk}/", url):
        assert people["xg"].get(path).status_code == 404


def test_the_draw_form_and_its_refusal(people, dalian, nine):
    for _ in range(2):
        PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    city = people["city"]
    form = {
        "units": [dalian["zs"].pk],
        "version": nine.pk,
        "size": 5,
        "recent_days": 90,
        "ends_on": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }
    r = city.post(f"{BASE}/draws/new/", form)
    assert r.status_code == 200 and "抽取数量 5 超过符合条件的阵地数 2" in r.content.decode()
    assert SpotCheckDraw.objects.count() == 0
    r = city.post(f"{BASE}/draws/new/", {**form, "size": 2, "seed": 12345}, follow=True)
    assert "随机种子 12345" in r.content.decode()
    record = SpotCheckDraw.objects.get()
    page = city.get(f"{BASE}/draws/{record.pk}/").content.decode()
    assert 'id="draw-seed">12345<' in page
    assert _count(city, f"{BASE}/draws/") == 1
    assert _count(city, f"{BASE}/?state=planned") == 2


def test_every_dashboard_figure_equals_the_rows_its_link_opens(people, nine, zs_station, xg_station):
    from yizhan.inspections import services

    city_actor = people["city_actor"]
    for station in (zs_station, xg_station):
        inspection = services.inspection_create(
            actor=city_actor, position=station, version=nine, ends_on=timezone.localdate() + timedelta(days=3)
        )
    services.inspection_transition(actor=city_actor, inspection=inspection, to_state=InspectionState.IN_PROGRESS)
    for who in ("city", "manager"):
        panel = inspections_panel(people[f"{who}_actor"])
        for figure in panel.figures:
            assert _count(people[who], figure.url) == figure.count, (who, figure.label)


def test_the_report_page_downloads(people, nine, zs_station):
    city = people["city"]
    assert city.get(f"{BASE}/report/").status_code == 200
    today = timezone.localdate().isoformat()
    r = city.get(f"{BASE}/report/", {"date_from": today, "date_to": today, "format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = city.get(f"{BASE}/report/", {"date_from": today, "date_to": "2000-01-01", "format": "xlsx"})
    assert r.status_code == 200 and "统计期间无效" in r.content.decode()


def test_lists_render_for_each_role(people):
    for who in ("city", "manager", "xg"):
        assert people[who].get(f"{BASE}/rectifications/").status_code == 200
    assert people["manager"].get(f"{BASE}/").status_code == 403


def test_a_mutual_check_inspector_works_through_the_page(people, dalian, make_user, login, nine):
    from yizhan.inspections import services

    target = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING, address="中山路1号")
    inspector = make_user(Role.UNIT_ADMIN, dalian["xg"], "inspector")
    inspection = services.inspection_create(
        actor=people["city_actor"],
        position=target,
        version=nine,
        kind="mutual",
        ends_on=timezone.localdate() + timedelta(days=3),
        inspecting_unit=dalian["xg"],
        inspectors=[inspector],
    )
    client = login(inspector)
    url = f"{BASE}/{inspection.pk}/"
    assert "中山路1号" in client.get(url).content.decode()
    assert people["xg"].get(url).status_code == 404  # 西岗区's admin not assigned
    assert client.get(f"/staff/positions/{target.pk}/").status_code == 404  # nothing else of the sibling
    client.post(f"{url}transition/", {"to_state": "in_progress"})
    answers = {f"item-{item.key}": "是" for item in inspection.applicable_items()}
    r = client.post(f"{url}findings/", {**answers, "submit": "1"}, follow=True)
    assert "检查结果已提交" in r.content.decode()
    # Submitted: the grant has ended; the inspection's own record stays, the position's details do not.
    page = client.get(url).content.decode()
    assert "中山路1号" not in page and target.display_name in page
