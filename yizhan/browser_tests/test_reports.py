"""The annual report from the browser (issue 19 Part B): in the demo, Dalian's federation admin opens
this year's report of 大连市总工会 on a phone, downloads it as Word and as PDF through the page's
links, and both files open: the Word file (python-docx) holds the page's title, every section's
heading and as many tables as the page; the PDF is a complete PDF whose page tree counts its pages
and whose text holds the title and the sections. A district's admin downloads only its own."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.ledger.tests.test_overview_pdf import pdf_text
from yizhan.orgs.models import Unit, User


def _pages(pdf: bytes) -> int:
    """The page count of a PDF by its page tree: the leaf /Page objects, which the root /Pages
    node's /Count must equal (reportlab writes no object streams: every object is plain text)."""
    objects = re.findall(rb"\d+ 0 obj(.*?)endobj", pdf, re.S)
    leaves = [o for o in objects if re.search(rb"/Type\s*/Page(?![a-zA-Z])", o)]
    trees = [o for o in objects if re.search(rb"/Type\s*/Pages\b", o)]
    assert trees, "no page tree"
    root = max(int(re.search(rb"/Count\s+(\d+)", o).group(1)) for o in trees)
    assert root == len(leaves), (root, len(leaves))
    return root


def _download(page, link_name: str, tmp_path):
    with page.expect_download() as caught:
        page.get_by_role("link", name=link_name).click()
    download = caught.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


@pytest.mark.browser
def test_the_annual_report_downloads_as_word_and_pdf_that_open(demo, new_page, login, tmp_path):
    year = timezone.localdate().year
    # The report gathers every app's figures: its first rendering (URL conf, templates) is made
    # in-process rather than counted against the browser's navigation timeout.
    warm = Client()
    warm.force_login(User.objects.get(username="fed_admin"))
    warm.get("/staff/reports/")
    page = new_page(PHONE)
    login(page, "fed_admin", path="/staff/reports/")
    expect(page.locator("h1")).to_have_text("年度报告")
    unit = Unit.objects.get(code="DL")  # the federation's own report by default
    expect(page.get_by_label("单位", exact=True)).to_have_value(str(unit.pk))
    expect(page.get_by_label("年度")).to_have_value(str(year))
    title = page.locator("h2").first.inner_text()
    assert "大连市总工会" in title and str(year) in title, title
    headings = [h.split(". ", 1)[1] for h in page.locator("section h3").all_inner_texts()]
    assert len(headings) >= 3, headings
    tables = page.locator("section table.data").count()
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide

    name, _data = _download(page, "下载 Word", tmp_path)
    assert name == f"annual-report-{unit.pk}-{year}.docx"
    document = Document(str(tmp_path / name))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == title
    word_headings = [p.text.split(". ", 1)[1] for p in document.paragraphs if p.style.name == "Heading 2"]
    assert word_headings == headings
    assert len(document.tables) == tables
    assert all(len(t.rows) >= 1 and t.rows[0].cells[0].text for t in document.tables)

    href = page.get_by_role("link", name="下载 PDF").get_attribute("href")
    answer = page.request.get(href)  # shown inline (Content-Disposition: inline): fetched with the page's session
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert f'filename="annual-report-{unit.pk}-{year}.pdf"' in answer.headers["content-disposition"]
    pdf = answer.body()
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    assert _pages(pdf) >= 1
    text = pdf_text(pdf)
    assert title in text and all(h in text for h in headings), [h for h in headings if h not in text]

    # A district's admin: its own report; the city's is not theirs to download.
    district = new_page()
    login(district, "zs_admin", path="/staff/reports/")
    expect(district.locator("h2").first).to_contain_text("中山区总工会")
    zs_name, _zs_data = _download(district, "下载 Word", tmp_path)
    assert zs_name != name
    assert Document(str(tmp_path / zs_name)).paragraphs[0].text == district.locator("h2").first.inner_text()
    refused = district.request.get(f"/staff/reports/pdf/?unit={unit.pk}&year={year}")
    assert refused.status == 404 and not refused.body().startswith(b"%PDF")
