"""Exports of service projects (spec §12): the scoring sheet laid out like source 004 附件2 (xlsx,
docx, PDF) and the projects list (xlsx) read back with their content; every file opens in
LibreOffice (`soffice --headless --convert-to pdf`); the pages' downloads keep to the actor's
scope (another federation's project does not exist for it); the project page shows its honours
and subsidies."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.projects import exports
from yizhan.projects.choices import HonourLevel, ProjectState
from yizhan.projects.models import ScoreSheet, SubsidyPayment
from yizhan.projects.tests.factories import ApplicationFactory, ServiceProjectFactory, SocialOrganisationFactory

FACTS = exports.SheetFacts(
    title="快递小哥心理关怀项目",
    organisation="青岛市暖心社会工作服务中心",
    unit="市南区总工会",
    category="生活服务·心理关怀",
    completed_on="2026-06-30",
    satisfaction="92.50%",
    nominated_on="2026-09-01",
    confirmed_by="评审甲",
)
ROWS = [
    exports.SheetRow("政治引领", "学习制度、学习记录", 10, 10),
    exports.SheetRow("职工满意度", "满意度测评结果", 10, 10),
    exports.SheetRow("媒体报道", '=HYPERLINK("x")', 10, 3),
]


def _xlsx_rows(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]


def test_scoring_sheet_xlsx_reads_back_with_annex_headers_total_and_no_formula():
    rows = _xlsx_rows(exports.scoring_sheet_xlsx(FACTS, ROWS))
    assert rows[0][0] == "附件2" and rows[1][0] == exports.SHEET_TITLE
    assert ["项目名称", "快递小哥心理关怀项目", None, None] in rows
    header = rows.index(list(exports.SHEET_HEADERS))
    assert rows[header + 1] == ["政治引领", "学习制度、学习记录", 10, 10]
    assert rows[header + 3][1] == '\'=HYPERLINK("x")'
    assert rows[-1] == ["合计", None, 30, 23]


def test_scoring_sheet_docx_reads_back():
    document = Document(io.BytesIO(exports.scoring_sheet_docx(FACTS, ROWS)))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "附件2" and texts[1] == exports.SHEET_TITLE
    info, sheet = ([[c.text for c in row.cells] for row in t.rows] for t in document.tables)
    assert info[0] == ["项目名称", "快递小哥心理关怀项目"] and info[-1] == ["确认人", "评审甲"]
    assert sheet[0] == list(exports.SHEET_HEADERS)
    assert sheet[1] == ["政治引领", "学习制度、学习记录", "10", "10"]
    assert sheet[-1] == ["合计", "", "30", "23"]


def test_scoring_sheet_pdf_is_a_pdf():
    data = exports.scoring_sheet_pdf(FACTS, ROWS)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in data and b"STSong-Light" in data


def test_project_list_xlsx_reads_back():
    rows = _xlsx_rows(
        exports.project_list_xlsx([["=项目", "市南区总工会", "x", "已归档", "", "50000.00", "", "", "", 82, ""]])
    )
    assert rows[0] == exports.LIST_HEADERS
    assert rows[1][0] == "'=项目" and rows[1][9] == 82


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: make browser-deps")
def test_every_export_opens_in_libreoffice(tmp_path):
    files = {
        "sheet_xlsx.xlsx": exports.scoring_sheet_xlsx(FACTS, ROWS),
        "sheet_docx.docx": exports.scoring_sheet_docx(FACTS, ROWS),
        "list_xlsx.xlsx": exports.project_list_xlsx(
            [["项目", "市南区总工会", "x", "已归档", "", "1.00", "", "", "", "", ""]]
        ),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    profile = tmp_path / "profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            *files,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    converted = {p.stem: p.read_bytes() for p in (tmp_path / "out").glob("*.pdf")}
    assert set(converted) == {name.split(".")[0] for name in files}
    assert all(pdf.startswith(b"%PDF-") and len(pdf) > 1000 for pdf in converted.values())


# --- through the pages ------------------------------------------------------------------------------


@pytest.fixture
def scored(dalian):
    organisation = SocialOrganisationFactory(unit=dalian["zs"])
    project = ServiceProjectFactory(
        unit=dalian["zs"], state=ProjectState.ARCHIVED, completed_on=dt.date(2026, 6, 30), satisfaction_rate=92
    )
    project.selected_application = ApplicationFactory(project=project, organisation=organisation, state="selected")
    project.save()
    ScoreSheet.objects.create(
        project=project,
        nominated_on=dt.date(2026, 9, 1),
        points={"study": 10, "satisfaction": 10},
        total=20,
        confirmed_by="评审甲",
    )
    SubsidyPayment.objects.create(
        project=project, level=HonourLevel.CITY, amount_fen=1_000_000, paid_on=dt.date(2026, 12, 1), source="campaign:1"
    )
    return project


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_score_sheet_downloads_within_scope(scored, make_user, login, dalian, make_unit, fmt):
    fed = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    answer = fed.get(f"/staff/projects/{scored.pk}/score-sheet/{fmt}/")
    assert answer.status_code == 200
    data = b"".join(answer.streaming_content) if answer.streaming else answer.content
    if fmt == "xlsx":
        rows = _xlsx_rows(data)
        assert ["项目名称", scored.title, None, None] in rows and rows[-1] == ["合计", None, 100, 20]
    elif fmt == "docx":
        assert Document(io.BytesIO(data)).tables[0].rows[0].cells[1].text == scored.title
    else:
        assert data.startswith(b"%PDF-")
    xg = login(make_user(Role.UNIT_ADMIN, dalian["xg"]))
    assert xg.get(f"/staff/projects/{scored.pk}/score-sheet/{fmt}/").status_code == 404
    qingdao = make_unit(UnitType.CITY_FEDERATION, name="青岛市总工会", code="QD")
    qd = login(make_user(Role.FEDERATION_ADMIN, qingdao))
    assert qd.get(f"/staff/projects/{scored.pk}/score-sheet/{fmt}/").status_code == 404
    assert fed.get(f"/staff/projects/{scored.pk}/score-sheet/odt/").status_code == 404


@pytest.mark.django_db
def test_project_list_download_keeps_to_scope(scored, make_user, login, dalian, make_unit):
    ServiceProjectFactory(unit=dalian["xg"], title="西岗区项目")
    zs = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    rows = _xlsx_rows(zs.get("/staff/projects/export.xlsx").content)
    assert [r[0] for r in rows[1:]] == [scored.title]
    assert rows[1][9] == 20 and rows[1][10] == "10000.00"
    fed = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    assert len(_xlsx_rows(fed.get("/staff/projects/export.xlsx?state=archived").content)) == 2
    qingdao = make_unit(UnitType.CITY_FEDERATION, name="青岛市总工会", code="QD")
    qd = login(make_user(Role.FEDERATION_ADMIN, qingdao))
    assert _xlsx_rows(qd.get("/staff/projects/export.xlsx").content) == [exports.LIST_HEADERS]


@pytest.mark.django_db
def test_project_page_shows_its_honours_and_subsidies(scored, make_user, login, dalian):
    from yizhan.campaigns.models import Campaign, Honour
    from yizhan.campaigns.subjects import Subject

    campaign = Campaign.objects.create(
        federation=dalian["city"],
        name="2026年度优秀项目推选",
        year=2026,
        honour_title="2026 年度市级优秀社会组织服务项目",
        total_quota=1,
        subject=Subject.PROJECT,
    )
    Honour.objects.create(
        campaign=campaign, project=scored, title=campaign.honour_title, awarded_on=dt.date(2026, 12, 1)
    )
    page = login(make_user(Role.FEDERATION_ADMIN, dalian["city"])).get(f"/staff/projects/{scored.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2026 年度市级优秀社会组织服务项目" in html and "2026年度优秀项目推选" in html
    assert "10,000.00" in html or "10000.00" in html
    assert "推树活动审批" in html and "score-sheet/pdf/" in html
