"""The annual report: sections from the registry in order, the page, the PDF (text read back with
the ledger tests' parser of reportlab's output), the Word file, the API, and who may read which
unit's report."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from docx import Document

from yizhan.core.roles import Role
from yizhan.ledger.tests.test_overview_pdf import pdf_text
from yizhan.reports import selectors
from yizhan.reports.registry import (
    ReportSection,
    SectionContent,
    Table,
    register_report_section,
    registered_sections,
    unregister_report_section,
)
from yizhan.reports.render import report_docx, report_pdf
from yizhan.targets.metrics import STATIONS_OPERATING
from yizhan.targets.models import Target
from yizhan.targets.tests.conftest import open_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def fed(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


@pytest.fixture
def world(dalian):
    today = timezone.localdate()
    open_station(dalian["zs"], today - dt.timedelta(days=300))
    Target.objects.create(
        unit=dalian["xg"], metric=STATIONS_OPERATING, value=20, due_on=dt.date(today.year, 12, 31), set_by="x"
    )
    Target.objects.create(
        unit=dalian["zs"], metric=STATIONS_OPERATING, value=1, due_on=dt.date(today.year, 12, 31), set_by="x"
    )
    return today


def test_registry_orders_sections_and_refuses_a_name_twice():
    names = [s.name for s in registered_sections()]
    assert names[:2] == ["positions", "targets"] and {"campaigns", "grants", "ledger"} <= set(names)
    section = ReportSection(name="zz-test", order=999, build=lambda actor, federation, year: None)
    register_report_section(section)
    try:
        register_report_section(section)  # the same again: harmless
        with pytest.raises(ValueError):
            register_report_section(ReportSection(name="zz-test", order=1, build=section.build))
    finally:
        unregister_report_section("zz-test")


def test_a_registered_section_is_in_every_rendering(dalian, fed, world):
    def build(actor, federation, year):
        return SectionContent(
            title="测试章节", paragraphs=[f"{federation.name}{year}"], tables=[Table(headers=["甲"], rows=[["乙丙"]])]
        )

    register_report_section(ReportSection(name="zz-test", order=999, build=build))
    try:
        report = selectors.annual_report(actor=fed, unit=dalian["city"], year=world.year)
        assert report.sections[-1][0] == "zz-test"
        assert "乙丙" in pdf_text(report_pdf(report))
        text = "\n".join(
            c.text for t in Document(io.BytesIO(report_docx(report))).tables for r in t.rows for c in r.cells
        )
        assert "乙丙" in text
    finally:
        unregister_report_section("zz-test")


def test_the_pdf_lists_the_behind_schedule_units(dalian, fed, world):
    report = selectors.annual_report(actor=fed, unit=dalian["city"], year=world.year)
    text = pdf_text(report_pdf(report))
    assert f"大连市总工会{world.year}年度服务阵地建设工作报告" in text
    assert "目标任务完成情况" in text and "进度滞后的单位" in text and "西岗区总工会" in text
    assert "服务阵地" in text and "推树活动荣誉" in text and "补助资金" in text


def test_page_docx_and_api(dalian, fed, login, world):
    client = login(fed.user)
    page = client.get("/staff/reports/", {"year": world.year}).content.decode()
    assert "进度滞后的单位" in page and "西岗区总工会" in page
    r = client.get("/staff/reports/pdf/", {"unit": dalian["city"].pk, "year": world.year})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and "西岗区总工会" in pdf_text(r.content)
    r = client.get("/staff/reports/docx/", {"year": world.year})
    document = Document(io.BytesIO(r.content))
    assert any("西岗区总工会" in c.text for t in document.tables for row in t.rows for c in row.cells)
    body = client.get("/api/v1/reports/annual", {"year": world.year}).json()
    sections = {s["name"]: s for s in body["sections"]}
    assert body["unit_name"] == "大连市总工会" and "西岗区总工会" in str(sections["targets"]["tables"])


def test_scope_of_the_report(dalian, make_user, make_unit, login, world):
    from yizhan.orgs.choices import UnitType

    zs = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    page = zs.get("/staff/reports/", {"year": world.year}).content.decode()
    assert "中山区总工会" in page and "西岗区总工会" not in page
    assert zs.get("/staff/reports/", {"unit": dalian["xg"].pk}).status_code == 404
    assert zs.get("/staff/reports/pdf/", {"unit": dalian["city"].pk}).status_code == 404
    assert zs.get("/api/v1/reports/annual", {"unit_id": dalian["xg"].pk}).status_code == 404
    wuhan = make_unit(UnitType.CITY_FEDERATION, name="武汉市总工会", code="WH")
    stranger = login(make_user(Role.FEDERATION_ADMIN, wuhan))
    assert stranger.get("/staff/reports/", {"unit": dalian["city"].pk}).status_code == 404
    assert stranger.get("/api/v1/reports/annual", {"unit_id": dalian["city"].pk}).status_code == 404
    manager = login(make_user(Role.STATION_MANAGER, dalian["zs"]))
    assert manager.get("/staff/reports/").status_code == 403
    assert manager.get("/api/v1/reports/annual").status_code == 403


def test_a_year_out_of_range_is_said(dalian, fed, login):
    client = login(fed.user)
    page = client.get("/staff/reports/", {"year": 1999}).content.decode()
    assert "年度应为" in page
    assert client.get("/staff/reports/pdf/", {"year": 3000}).status_code == 400
    r = client.get("/api/v1/reports/annual", {"year": timezone.localdate().year + 1})
    assert r.status_code == 400 and "年度应为" in r.json()["detail"]


def test_campaigns_section_lists_project_honours_beside_positions(demo):
    """Qingdao's demo approves its yearly excellent-project selection: the honour belongs to the union
    that ran the project, so Qingdao's report lists it (Dalian's does not)."""
    from yizhan.campaigns.models import Honour
    from yizhan.core.scoping import Actor
    from yizhan.orgs.models import User
    from yizhan.reports.sections import campaigns_section

    honour = Honour.objects.select_related("project", "project__unit").filter(project__isnull=False).first()
    assert honour is not None, "the Qingdao demo approves a project campaign"
    qd = User.objects.get(username="qd_admin")
    actor = Actor(user=qd, membership=qd.memberships.get())
    section = campaigns_section(actor, actor.unit, honour.awarded_on.year)
    rows = [row for table in section.tables for row in table.rows]
    assert [honour.title, honour.project.title, honour.project.unit.name, honour.awarded_on.isoformat()] in rows
    dalian = User.objects.get(username="fed_admin")
    dalian_actor = Actor(user=dalian, membership=dalian.memberships.get(unit__name="大连市总工会"))
    other = campaigns_section(dalian_actor, dalian_actor.unit, honour.awarded_on.year)
    assert all(honour.project.title not in row for table in other.tables for row in table.rows)
