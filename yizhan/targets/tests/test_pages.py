"""The staff pages through the test client: set a target (one unit, every sub-unit), refusals shown
on the form with nothing written, the list's filters and bars, the detail's forecast explained,
the figures, and the 工作台 panel whose figure equals the rows its link opens."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.core.dashboard import dashboard_for
from yizhan.targets.metrics import ENTERPRISES_COVERED, STATIONS_OPERATING
from yizhan.targets.models import ReportedFigure, Target
from yizhan.targets.tests.conftest import open_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def _form(unit, today, **fields):
    return {
        "unit": unit.pk if unit else "",
        "metric": STATIONS_OPERATING,
        "value": "10",
        "start_on": (today - dt.timedelta(days=100)).isoformat(),
        "due_on": (today + dt.timedelta(days=100)).isoformat(),
        "basis": "",
        **fields,
    }


def test_set_a_target_and_read_its_forecast(dalian, fed, login, today):
    for n in range(5):
        open_station(dalian["zs"], today - dt.timedelta(days=100 - 20 * n))
    client = login(fed.user)
    assert "设定目标任务" in client.get("/staff/targets/").content.decode()
    r = client.post("/staff/targets/new/", _form(dalian["zs"], today))
    target = Target.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/staff/targets/{target.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "进度滞后" in page and "按线性推算" in page and "完成率 50.0%" in page
    assert 'id="history"' in page
    listing = client.get("/staff/targets/", {"status": "behind"}).content.decode()
    assert "中山区总工会" in listing and '<progress max="100" value="50">' in listing
    assert (
        "中山区总工会" not in client.get("/staff/targets/", {"status": "met"}).content.decode().split('id="targets"')[1]
    )


def test_no_history_is_said(dalian, fed, login, today):
    client = login(fed.user)
    client.post("/staff/targets/new/", _form(dalian["xg"], today))
    page = client.get(f"/staff/targets/{Target.objects.get().pk}/").content.decode()
    assert "没有这一指标的历史数据，无法预测" in page and "无法预测" in page


def test_refusals_are_shown_and_nothing_is_written(dalian, fed, login, today):
    client = login(fed.user)
    for fields, message in (
        ({"value": "0"}, "目标值应大于 0"),
        ({"metric": "street_centres_up_to_standard", "value": "120"}, "不能超过 100%"),
        ({"due_on": (today - dt.timedelta(days=200)).isoformat()}, "完成期限不能早于起始日期"),
    ):
        r = client.post("/staff/targets/new/", _form(dalian["zs"], today, **fields))
        assert r.status_code == 200 and message in r.content.decode()
    r = client.post("/staff/targets/new/", _form(None, today))
    assert "请选择单位" in r.content.decode()
    assert not Target.objects.exists()


def test_every_sub_unit_at_once(dalian, fed, login, today):
    r = login(fed.user).post("/staff/targets/new/", _form(None, today, all_children="on"))
    assert r.status_code == 302
    assert {t.unit for t in Target.objects.all()} == {dalian["zs"], dalian["xg"]}


def test_a_unit_admin_reads_its_own_target_and_sets_its_sub_units(dalian, zs, login, today):
    own = Target.objects.create(unit=dalian["zs"], metric=STATIONS_OPERATING, value=5, due_on=today, set_by="x")
    sibling = Target.objects.create(unit=dalian["xg"], metric=STATIONS_OPERATING, value=5, due_on=today, set_by="x")
    client = login(zs.user)
    page = client.get(f"/staff/targets/{own.pk}/").content.decode()
    assert "修改目标任务" not in page
    assert client.post(f"/staff/targets/{own.pk}/", {"value": "1", "due_on": today.isoformat()}).status_code == 403
    assert client.post(f"/staff/targets/{own.pk}/delete/").status_code == 403
    assert client.get(f"/staff/targets/{sibling.pk}/").status_code == 404
    assert client.post(f"/staff/targets/{sibling.pk}/delete/").status_code == 404
    form = client.get("/staff/targets/new/").content.decode()
    assert "青泥洼桥街道工会" in form and "西岗区总工会" not in form
    r = client.post("/staff/targets/new/", _form(dalian["xg"], today))
    assert r.status_code == 200 and Target.objects.count() == 2  # not a choice: refused by the form
    assert client.post("/staff/targets/new/", _form(dalian["street"], today)).status_code == 302


def test_edit_and_delete(dalian, fed, login, today):
    target = Target.objects.create(unit=dalian["zs"], metric=STATIONS_OPERATING, value=5, due_on=today, set_by="x")
    client = login(fed.user)
    r = client.post(f"/staff/targets/{target.pk}/", {"value": "0", "due_on": today.isoformat()})
    assert "目标值应大于 0" in r.content.decode()
    r = client.post(f"/staff/targets/{target.pk}/", {"value": "7", "due_on": today.isoformat()})
    target.refresh_from_db()
    assert r.status_code == 302 and target.value == 7
    assert client.post(f"/staff/targets/{target.pk}/delete/").status_code == 302
    assert not Target.objects.exists()


def test_figures_page(dalian, zs, login, today):
    client = login(zs.user)
    r = client.post(
        "/staff/targets/figures/",
        {
            "unit": dalian["zs"].pk,
            "metric": ENTERPRISES_COVERED,
            "value": "-1",
            "as_of": today.isoformat(),
            "source": "表",
        },
    )
    assert "不能为负数" in r.content.decode() and not ReportedFigure.objects.exists()
    r = client.post(
        "/staff/targets/figures/",
        {
            "unit": dalian["zs"].pk,
            "metric": ENTERPRISES_COVERED,
            "value": "300",
            "as_of": today.isoformat(),
            "source": "表",
        },
    )
    assert r.status_code == 302 and ReportedFigure.objects.get().value == 300
    assert "覆盖企业数" in client.get("/staff/targets/figures/").content.decode()


def test_dashboard_flags_behind_units_and_its_figure_equals_the_list(dalian, fed, zs, login, today):
    open_station(dalian["zs"], today - dt.timedelta(days=300))
    Target.objects.create(
        unit=dalian["zs"], metric=STATIONS_OPERATING, value=50, due_on=today + dt.timedelta(days=30), set_by="x"
    )
    Target.objects.create(
        unit=dalian["xg"], metric=STATIONS_OPERATING, value=1, due_on=today - dt.timedelta(days=30), set_by="x"
    )
    Target.objects.create(
        unit=dalian["city"], metric=STATIONS_OPERATING, value=1, due_on=today + dt.timedelta(days=30), set_by="x"
    )
    (panel,) = [p for p in dashboard_for(actor=fed).panels if p.name == "targets"]
    behind, total = panel.figures
    assert (behind.count, total.count) == (2, 3) and behind.todo
    assert "中山区总工会" in panel.notice and "西岗区总工会" in panel.notice and "大连市总工会" not in panel.notice
    client = login(fed.user)
    rows = client.get(behind.url).content.decode().split('id="targets"')[1]
    assert rows.count("/staff/targets/") - rows.count("/staff/targets/new/") == 2
    home = client.get("/staff/").content.decode()
    assert "进度滞后的目标" in home and "西岗区总工会" in home
    (own,) = [p for p in dashboard_for(actor=zs).panels if p.name == "targets"]
    assert own.figures[0].count == 1 and "西岗区" not in own.notice
