"""The daily ledger's staff pages: the station manager's list of today's entries, the one-screen
entry with numeric inputs, yesterday's figures one tap away, a correction with its history, a
conflict told in words with the stored figures shown, the xlsx upload; the menu reaches it."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook

from yizhan.core.roles import Role
from yizhan.ledger import imports
from yizhan.ledger.models import DailyLedger
from yizhan.ledger.tests.factories import DailyLedgerFactory
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(dalian_map, make_user, login):
    return login(make_user(Role.STATION_MANAGER, dalian_map["zs"], username="zs-station"))


def _entry(position, day):
    return f"/staff/ledger/{position.pk}/{day.isoformat()}/"


def test_the_menu_and_the_home_page_lead_to_todays_entry(manager_client, station):
    page = manager_client.get("/staff/ledger/").content.decode()
    assert 'href="/staff/ledger/"' in page  # the main menu's 台账与意见
    assert "录入今日台账" in page
    assert _entry(station, timezone.localdate()) in page
    assert manager_client.get(f"/staff/ledger/{station.pk}/today/").url == _entry(station, timezone.localdate())


def test_the_entry_page_has_numeric_inputs_and_saves_a_day(manager_client, station):
    today = timezone.localdate()
    page = manager_client.get(_entry(station, today)).content.decode()
    assert 'inputmode="numeric"' in page and 'name="visits_delivery"' in page
    assert "填入昨日数字" in page
    r = manager_client.post(_entry(station, today), {"visits_delivery": "8", "ability_rest": "3", "version": ""})
    assert r.status_code == 302
    ledger = DailyLedger.objects.get()
    assert (ledger.visits_delivery, ledger.ability_rest, ledger.entered_by_name) == (8, 3, "zs-station")
    assert "已录入 · 8 人次" in manager_client.get("/staff/ledger/").content.decode()


def test_yesterdays_figures_are_one_tap_away(manager_client, station):
    today = timezone.localdate()
    DailyLedgerFactory(position=station, day=today - timedelta(days=1), visits_delivery=17)
    page = manager_client.get(_entry(station, today) + "?copy=yesterday").content.decode()
    assert 'name="visits_delivery" value="17"' in page
    assert not DailyLedger.objects.filter(day=today).exists()  # filled in, not saved


def test_bad_counts_are_shown_next_to_their_fields_and_nothing_is_saved(manager_client, station):
    r = manager_client.post(_entry(station, timezone.localdate()), {"visits_delivery": "-2", "visits_taxi": "abc"})
    page = r.content.decode()
    assert r.status_code == 200
    assert "“外卖送餐员”不能为负数" in page and "“出租车司机”应为不小于 0 的整数" in page
    assert not DailyLedger.objects.exists()


def test_a_future_day_is_refused(manager_client, station):
    tomorrow = timezone.localdate() + timedelta(days=1)
    r = manager_client.post(_entry(station, tomorrow), {"visits_delivery": "1"})
    assert "不能录入未来日期" in r.content.decode()
    assert not DailyLedger.objects.exists()


def test_a_day_entered_meanwhile_is_a_conflict_with_the_stored_version(manager_client, station):
    today = timezone.localdate()
    DailyLedgerFactory(position=station, day=today, visits_delivery=30, entered_by_name="zs-clerk")
    r = manager_client.post(_entry(station, today), {"visits_delivery": "31", "version": ""})
    page = r.content.decode()
    assert "已由 zs-clerk 于" in page
    assert 'name="version" value="1"' in page
    assert DailyLedger.objects.get().visits_delivery == 30


def test_a_correction_keeps_the_earlier_figures_in_its_history(manager_client, station):
    today = timezone.localdate()
    DailyLedgerFactory(position=station, day=today, visits_delivery=30)
    r = manager_client.post(_entry(station, today), {"visits_delivery": "32", "version": "1", "reason": "漏记"})
    assert r.status_code == 302
    page = manager_client.get(_entry(station, today)).content.decode()
    assert "更正记录" in page and "外卖送餐员 30" in page and "漏记" in page
    assert DailyLedger.objects.get().version == 2


def test_the_upload_page_lists_errors_by_row_and_column(manager_client, station):
    book = Workbook()
    sheet = book.active
    sheet.append(["阵地编号", "日期", "外卖送餐员"])
    sheet.append([station.code, "2026-02-30", 1])
    out = BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "ledger.xlsx"
    page = manager_client.post("/staff/ledger/import/", {"file": out}).content.decode()
    assert "未导入任何数据" in page and "2026-02-30" in page
    assert manager_client.get("/staff/ledger/import/template.xlsx")["Content-Type"] == imports.XLSX_TYPE


def test_another_districts_position_is_not_found(manager_client, dalian_map, make_position):
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1])
    assert manager_client.get(_entry(xg, timezone.localdate())).status_code == 404
    assert manager_client.post(_entry(xg, timezone.localdate()), {"visits_delivery": "1"}).status_code == 404


def test_a_week_is_entered_as_a_table_all_or_none(manager_client, station):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)  # last week: every day open
    url = f"/staff/ledger/{station.pk}/week/?start={monday.isoformat()}"
    page = manager_client.get(url).content.decode()
    assert f'name="{monday.isoformat()}__visits_delivery"' in page
    tuesday = monday + timedelta(days=1)
    bad = {f"{monday.isoformat()}__visits_delivery": "5", f"{tuesday.isoformat()}__visits_delivery": "-1"}
    r = manager_client.post(url, bad)
    assert r.status_code == 200 and "“外卖送餐员”不能为负数" in r.content.decode()
    assert not DailyLedger.objects.exists()
    good = {f"{monday.isoformat()}__visits_delivery": "5", f"{tuesday.isoformat()}__visits_taxi": "2"}
    r = manager_client.post(url, good)
    assert r.status_code == 302
    assert sorted(DailyLedger.objects.values_list("day", "visits_total")) == [(monday, 5), (tuesday, 2)]
    # Corrected from the table with the versions it shows.
    page = manager_client.get(url).content.decode()
    assert f'name="{monday.isoformat()}__version" value="1"' in page
    again = {
        **good,
        f"{monday.isoformat()}__visits_delivery": "6",
        f"{monday.isoformat()}__version": "1",
        f"{tuesday.isoformat()}__version": "1",
    }
    assert manager_client.post(url, again).status_code == 302
    assert DailyLedger.objects.get(day=monday).visits_delivery == 6
