"""The annex exports (issue 17 §10): each file read back has the annex's number, title, headers and
rows; every xlsx and docx opens in LibreOffice (converted to PDF by `soffice --headless`, which the
Makefile's browser-deps installs); the PDFs are well formed."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from yizhan.campaigns import annexes

HEADING = {
    1: "2022年市级最美工会户外劳动者服务站点名额分配表",
    2: "市级最美工会户外劳动者服务站点推树活动评议小组成员报名表",
    3: "2022年市级最美工会户外劳动者服务站点推荐表",
    4: "2022年市级最美工会户外劳动者服务站点推荐汇总表",
}
QUOTAS = [annexes.QuotaRow("中山区总工会", 31, 6, 7), annexes.QuotaRow("西岗区总工会", 18, 2, 4)]
MEMBERS = [
    annexes.MemberRow("王明", "男", "中山区总工会", "生活保障部部长", "13800000001", "成员"),
    annexes.MemberRow("李华", "女", "中山区总工会", "干事", "13800000002", "成员"),
]
SHEETS = [
    annexes.NominationSheet(
        "中山区总工会",
        [("站点名称", "工会户外劳动者服务站点·青泥洼桥"), ("站点地址", "中山区友好街 1 号"), ("星级", "五星")],
        "全年开放，日均服务环卫工人 60 人次。",
    ),
    annexes.NominationSheet("中山区总工会", [("站点名称", "工会户外劳动者服务站点·人民路")], "=SUM(A1)"),
]
SUMMARY = [
    annexes.SummaryRow(
        "工会户外劳动者服务站点·青泥洼桥", "中山区友好街 1 号", "五星", "全天开放", "赵强", "13900000001"
    ),
    annexes.SummaryRow(
        "工会户外劳动者服务站点·人民路", "中山区人民路 8 号", "五星", "8:00-20:00", "钱丽", "13900000002"
    ),
]


def _files() -> dict[str, bytes]:
    return {
        "annex1_xlsx.xlsx": annexes.quota_table_xlsx(HEADING[1], QUOTAS),
        "annex1_docx.docx": annexes.quota_table_docx(HEADING[1], QUOTAS),
        "annex2_xlsx.xlsx": annexes.review_group_xlsx(HEADING[2], MEMBERS, unit="中山区总工会"),
        "annex2_docx.docx": annexes.review_group_docx(HEADING[2], MEMBERS, unit="中山区总工会"),
        "annex3_xlsx.xlsx": annexes.nomination_form_xlsx(HEADING[3], SHEETS),
        "annex3_docx.docx": annexes.nomination_form_docx(HEADING[3], SHEETS),
        "annex4_xlsx.xlsx": annexes.summary_xlsx(HEADING[4], SUMMARY, unit="中山区总工会"),
        "annex4_docx.docx": annexes.summary_docx(HEADING[4], SUMMARY, unit="中山区总工会"),
    }


def _rows(data: bytes, sheet: int = 0) -> list[list]:
    workbook = load_workbook(io.BytesIO(data))
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def _docx(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def test_annex1_quota_table_with_total():
    rows = _rows(annexes.quota_table_xlsx(HEADING[1], QUOTAS))
    assert rows[0][0] == "附件1" and rows[1][0] == HEADING[1]
    assert rows[2] == list(annexes.QUOTA_HEADERS)
    assert rows[3] == [1, "中山区总工会", 31, 6, 7]
    assert rows[-1] == ["合计", None, 49, 8, 11]
    paragraphs, tables = _docx(annexes.quota_table_docx(HEADING[1], QUOTAS))
    assert paragraphs[:2] == ["附件1", HEADING[1]]
    assert tables[0][0] == list(annexes.QUOTA_HEADERS)
    assert tables[0][2] == ["2", "西岗区总工会", "18", "2", "4"]
    assert tables[0][-1][0] == "合计" and tables[0][-1][2:] == ["49", "8", "11"]


def test_annex2_review_group():
    rows = _rows(annexes.review_group_xlsx(HEADING[2], MEMBERS, unit="中山区总工会"))
    assert rows[0][0] == "附件2" and rows[1][0] == HEADING[2]
    assert rows[2][0] == "报送单位（盖章）：中山区总工会"
    assert rows[3] == list(annexes.MEMBER_HEADERS)
    assert rows[4] == [1, "王明", "男", "中山区总工会", "生活保障部部长", "13800000001", "成员"]
    paragraphs, tables = _docx(annexes.review_group_docx(HEADING[2], MEMBERS, unit="中山区总工会"))
    assert paragraphs[:3] == ["附件2", HEADING[2], "报送单位（盖章）：中山区总工会"]
    assert tables[0][0] == list(annexes.MEMBER_HEADERS) and tables[0][2][1] == "李华"


def test_annex3_one_form_per_station_formulas_neutralised():
    workbook = load_workbook(io.BytesIO(annexes.nomination_form_xlsx(HEADING[3], SHEETS)))
    assert len(workbook.worksheets) == 2
    first = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=4, values_only=True)}
    assert workbook.worksheets[0]["A1"].value == "附件3" and workbook.worksheets[0]["A2"].value == HEADING[3]
    assert first["站点名称"] == "工会户外劳动者服务站点·青泥洼桥"
    assert first["主要事迹"] == "全年开放，日均服务环卫工人 60 人次。"
    assert list(first)[-2:] == ["推荐单位意见（盖章）", "市总工会意见"]
    second = {row[0]: row[1] for row in workbook.worksheets[1].iter_rows(min_row=4, values_only=True)}
    assert second["主要事迹"] == "'=SUM(A1)"  # a spreadsheet never runs a nomination's text
    paragraphs, tables = _docx(annexes.nomination_form_docx(HEADING[3], SHEETS))
    assert paragraphs.count(HEADING[3]) == 2 and len(tables) == 2
    assert tables[0][0] == ["站点名称", "工会户外劳动者服务站点·青泥洼桥"]
    assert [row[0] for row in tables[0]][-3:] == ["主要事迹", "推荐单位意见（盖章）", "市总工会意见"]


def test_annex4_summary():
    rows = _rows(annexes.summary_xlsx(HEADING[4], SUMMARY, unit="中山区总工会"))
    assert rows[0][0] == "附件4" and rows[1][0] == HEADING[4]
    assert rows[3] == list(annexes.SUMMARY_HEADERS)
    assert rows[5][:3] == [2, "工会户外劳动者服务站点·人民路", "中山区人民路 8 号"]
    paragraphs, tables = _docx(annexes.summary_docx(HEADING[4], SUMMARY, unit="中山区总工会"))
    assert paragraphs[1] == HEADING[4] and tables[0][0] == list(annexes.SUMMARY_HEADERS)
    assert tables[0][1][1] == "工会户外劳动者服务站点·青泥洼桥"


def test_notice_pdf_is_a_pdf():
    notice = annexes.Notice(
        title="关于2022年度市级最美工会户外劳动者服务站点的公示",
        federation="大连市总工会",
        starts_on=dt.date(2022, 7, 11),
        ends_on=dt.date(2022, 7, 17),
        intro="经各地推荐、评议小组实地核查和综合评议，拟命名以下站点，现予公示。",
        rows=[annexes.NoticeRow("中山区总工会", "工会户外劳动者服务站点·青泥洼桥", "中山区友好街 1 号")],
        contact="公示期间如有异议，请向市总工会生活保障部反映。",
        published_on=dt.date(2022, 7, 11),
    )
    data = annexes.notice_pdf(notice)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in data and b"STSong-Light" in data


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: make browser-deps")
def test_every_annex_opens_in_libreoffice(tmp_path):
    names = []
    for name, data in _files().items():
        (tmp_path / name).write_bytes(data)
        names.append(name)
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
            *names,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    converted = {p.stem: p.read_bytes() for p in (tmp_path / "out").glob("*.pdf")}
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    for name in names:
        assert f"{name} ->" in result.stdout.replace(str(tmp_path) + "/", ""), (name, result.stdout)
    assert set(converted) == {name.split(".")[0] for name in names}
    assert all(pdf.startswith(b"%PDF-") and len(pdf) > 1000 for pdf in converted.values())


# --- from the campaign's records ------------------------------------------------------------------


@pytest.mark.django_db
def test_exports_of_a_published_campaign(published, fed, zs_admin, stations, dalian):
    from yizhan.campaigns import selectors, services

    services.review_member_register(
        actor=fed,
        campaign=published,
        unit=dalian["zs"],
        name="郑海燕",
        gender="female",
        job_title="部长",
        phone="13904110001",
    )
    station = stations["zs"][0]
    nomination = services.nomination_create(
        actor=zs_admin, campaign=published, position=station, statement="全年开放，服务环卫工人。"
    )

    data, content_type, name = annexes.export(1, "xlsx", published, rows=selectors.quota_table(published))
    rows = _rows(data)
    assert content_type == annexes.XLSX and name == f"annex1-{published.pk}.xlsx"
    assert rows[1][0] == f"{published.year}年市级最美工会户外劳动者服务站点名额分配表"
    assert [r[1] for r in rows[3:5]] == ["中山区总工会", "西岗区总工会"] and rows[-1][-1] == 6

    data, content_type, _name = annexes.export(2, "docx", published, rows=selectors.review_group_rows(published))
    _paragraphs, tables = _docx(data)
    assert content_type == annexes.DOCX and tables[0][1][1:4] == ["郑海燕", "女", "中山区总工会"]

    form = selectors.nomination_form(nomination)
    data, _type, _name = annexes.export(3, "docx", published, rows=[form])
    _paragraphs, tables = _docx(data)
    facts = dict(tables[0])
    assert facts["站点名称"] == station.official_name and facts["站点地址"] == station.address
    assert facts["星级"] == "五星" and facts["主要事迹"] == "全年开放，服务环卫工人。"

    summary = selectors.nomination_summary(published, dalian["zs"])
    data, _type, _name = annexes.export(4, "xlsx", published, rows=summary, unit="中山区总工会")
    rows = _rows(data)
    assert rows[2][0] == "推荐单位（盖章）：中山区总工会" and rows[4][1] == station.official_name

    with pytest.raises(ValueError):
        annexes.export(1, "pdf", published, rows=[])


def test_notice_from_a_campaign_and_its_nominations():
    from types import SimpleNamespace as NS

    campaign = NS(
        year=2022,
        federation=NS(name="大连市总工会"),
        notice_starts_on=dt.date(2022, 7, 11),
        notice_ends_on=dt.date(2022, 7, 17),
        honour_title="2022 年度最美工会户外劳动者服务站点",
        subject="position",
    )
    # A nomination names its subject (a position here: its name and address).
    nominations = [NS(unit=NS(name="中山区总工会"), subject_name="站点·甲", subject_detail="友好街 1 号")]
    notice = annexes.notice_for(campaign, nominations)
    assert notice.title == "关于2022年度市级最美工会户外劳动者服务站点推荐对象的公示"
    assert "“2022 年度最美工会户外劳动者服务站点”" in notice.intro
    assert notice.rows == [annexes.NoticeRow("中山区总工会", "站点·甲", "友好街 1 号")]
    assert annexes.notice_pdf(notice).startswith(b"%PDF-")
