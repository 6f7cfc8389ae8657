"""The application form, the self-check report and the results table as xlsx, docx and PDF; each
xlsx and docx opens in LibreOffice (converted to PDF by `soffice --headless`; `make browser-deps`
installs it), and the downloads answer with the right types."""

import io
import shutil
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from yizhan.centres import exports, selectors, services
from yizhan.centres.choices import ApplicationState
from yizhan.centres.tests.conftest import answers_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(fed, zs, application):
    services.self_check_save(
        actor=zs, application=application, answers=answers_all(application), self_report="=SUM(A1) 自查报告"
    )
    services.application_file(actor=zs, application=application)
    answers = answers_all(application, methods=["look"])
    services.review_save(
        actor=fed, application=application, answers=answers, questionnaire_responses=10, questionnaire_satisfied=9
    )
    services.application_transition(actor=fed, application=application, to_state=ApplicationState.REVIEWED)
    return services.application_grade(actor=fed, application=application)


def _files(graded, dalian):
    results = selectors.acceptance_results(dalian["city"], graded.round.year)
    sheets = {
        "application": exports.application_sheet(graded),
        "selfcheck": exports.self_check_sheet(graded),
        "results": exports.results_sheet(graded.round, results),
    }
    return {
        f"{name}.{fmt}": exports.render(sheet, fmt) for name, sheet in sheets.items() for fmt in ("xlsx", "docx", "pdf")
    }


def test_contents_of_each_format(graded, dalian):
    files = _files(graded, dalian)
    book = load_workbook(io.BytesIO(files["results.xlsx"]))
    values = [c.value for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "验收结果" in values[0] and "优秀" in values and graded.centre.official_name in values
    report = load_workbook(io.BytesIO(files["selfcheck.xlsx"]))
    texts = [c.value for row in report.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=SUM(A1) 自查报告" in texts  # formula injection escaped
    document = Document(io.BytesIO(files["application.docx"]))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "申报单位" in cells and graded.unit.name in cells
    for name, data in files.items():
        if name.endswith(".pdf"):
            assert data.startswith(b"%PDF-") and b"STSong-Light" in data


def test_download_endpoints(graded, login, fed):
    client = login(fed.user)
    for document in ("form", "self-check"):
        for fmt, content_type in exports.FORMATS.items():
            r = client.get(f"/staff/centres/{graded.pk}/{document}.{fmt}")
            assert r.status_code == 200 and r["Content-Type"] == content_type
    r = client.get(f"/staff/centres/rounds/{graded.round_id}/results.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == exports.XLSX
    assert client.get(f"/staff/centres/{graded.pk}/form.exe").status_code == 404


def test_documents_are_chinese_for_an_english_reader(graded, login, fed, settings):
    """The forms are the regulation's: a clerk reading the site in English downloads them in Chinese
    (grades, levels, checklist parts), not with English labels inside a Chinese form."""
    level = graded.centre.get_centre_level_display()  # in Chinese: tests start in zh-hans
    client = login(fed.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    book = load_workbook(io.BytesIO(client.get(f"/staff/centres/rounds/{graded.round_id}/results.xlsx").content))
    values = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert "优秀" in values and "Excellent" not in values
    form = load_workbook(io.BytesIO(client.get(f"/staff/centres/{graded.pk}/form.xlsx").content))
    labels = [c.value for row in form.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert level in labels
    english = {
        c.value for row in form.active.iter_rows() for c in row if isinstance(c.value, str) and c.value.isascii()
    }
    assert not {v for v in english if any(ch.isalpha() for ch in v)}, english


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: make browser-deps")
def test_every_export_opens_in_libreoffice(graded, dalian, tmp_path):
    names = []
    for name, data in _files(graded, dalian).items():
        if name.endswith(".pdf"):
            continue
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
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    converted = list((tmp_path / "out").glob("*.pdf"))
    # xlsx and docx of the same name convert to the same PDF name: one per stem and format
    assert len(converted) == len({n.split(".")[0] for n in names})
    for name in names:
        assert f"{name} ->" in result.stdout.replace(str(tmp_path) + "/", ""), (name, result.stdout)
    assert all(p.read_bytes().startswith(b"%PDF-") for p in converted)
