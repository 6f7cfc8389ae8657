"""The candidate-set upload page (issue 18 §5): loaded sites and co-building partners' branches from
xlsx, CSV or GeoJSON, through the real page; every bad row named with its reasons in Chinese, all
or nothing; the new set offered on the siting page and used by a siting run."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.jobs import runner
from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.coverage.models import CandidateSet, SitingRun
from yizhan.coverage.tests.conftest import gcj

pytestmark = pytest.mark.django_db

PAGE = "/staff/coverage/candidates/"


@pytest.fixture
def people(area, make_user, login, make_station):
    make_station(500, 500)
    admin = make_user(Role.FEDERATION_ADMIN, area["federation"], "fed")
    west = make_user(Role.UNIT_ADMIN, area["west_union"], "west")
    auditor = make_user(Role.AUDITOR, area["federation"], "aud")
    return {"admin": login(admin), "west": login(west), "auditor": login(auditor)}


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, file_name: str, content: bytes, **fields):
    data = {"unit": "TC", "source": "upload", "crs": "gcj02", "name": "", **fields}
    data["file"] = SimpleUploadedFile(file_name, content)
    return client.post(PAGE, data)


def test_partners_from_xlsx_then_siting_with_them(people):
    c = people["admin"]
    page = c.get(PAGE + "?unit=TC")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-candidate-upload" in html and "data-candidates-empty" in html
    rows = [("名称", "类型", "经度", "纬度")]
    for n, (x, y, kind) in enumerate(((1200, 800, "银行网点"), (3000, 1000, "加油站"), (3000, 3000, "公厕")), 1):
        rows.append((f"网点{n}", kind, *gcj(x, y)))
    r = _upload(c, "共建网点.xlsx", _xlsx(rows), source="partners", name="共建单位网点")
    assert r.status_code == 302 and r.url == PAGE + "?unit=TC"
    candidates = CandidateSet.objects.get()
    assert (candidates.name, candidates.source, candidates.sites) == ("共建单位网点", "partners", 3)
    assert list(candidates.arrays()["kind"]) == ["bank", "gas_station", "public_toilet"]
    html = c.get(PAGE + "?unit=TC").content.decode()
    assert "已导入候选点“共建单位网点”：3 个" in html and f'data-candidate-set="{candidates.pk}"' in html
    # Offered on the siting page, chosen there, and used by the run.
    siting = c.get(f"/staff/coverage/siting/?unit=TC&candidates={candidates.pk}").content.decode()
    assert f'<option value="{candidates.pk}" selected>共建单位网点' in siting
    c.post("/staff/coverage/siting/start/", {"unit": "TC", "k": "2", "candidates": str(candidates.pk)})
    runner.job_run(Job.objects.latest("pk").pk)
    run = SitingRun.objects.get()
    assert run.candidate_set_id == candidates.pk
    assert {s["label"] for s in run.summary["exact"]["sites"]} <= {"网点1", "网点2", "网点3"}
    # More new sites than there are candidates: the job fails and says why.
    c.post("/staff/coverage/siting/start/", {"unit": "TC", "k": "5", "candidates": str(candidates.pk)})
    job = Job.objects.latest("pk")
    runner.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and "新增站点数 k 应在 1～3 之间（候选点共 3 个，收到 5）" in job.error
    assert SitingRun.objects.count() == 1


def test_every_bad_row_is_named_and_nothing_is_written(people):
    c = people["admin"]
    lng, lat = gcj(1000, 1000)
    far_lng, far_lat = gcj(9000, 9000)
    csv = "\n".join(
        [
            "名称,类型,经度,纬度",
            f"好网点,银行,{lng},{lat}",
            f"坏坐标,加油站,东经121,{lat}",
            f",银行网点,{lng},{lat}",
            f"奇怪类型,理发店,{lng},{lat}",
            f"超出范围,,{lng},95",
        ]
    ).encode()
    r = _upload(c, "partners.csv", csv, source="partners")
    assert r.status_code == 400
    html = r.content.decode()
    assert "文件未导入，没有写入任何候选点" in html and "data-candidate-errors" in html
    assert "第 3 行：“经度”不是数字：东经121" in html
    assert "第 4 行：共建单位网点须填写名称" in html
    assert "第 5 行：类型“理发店”无法识别，应为 银行网点、加油站、通信营业厅、公厕/环卫休息室、其他 之一" in html
    assert "第 6 行：坐标超出范围" in html
    assert "第 2 行" not in html
    assert CandidateSet.objects.count() == 0
    # A site outside the unit's area refuses the file too, naming the row.
    r = _upload(c, "sites.csv", f"名称,经度,纬度\n甲,{lng},{lat}\n乙,{far_lng},{far_lat}\n".encode())
    assert r.status_code == 400 and "第 3 行（共 1 个点）不在单位“测试市总工会”的辖区" in r.content.decode()
    assert CandidateSet.objects.count() == 0
    # Not a table, no file, a polygon: each with its reason.
    r = _upload(c, "sites.docx", b"PK\x03\x04")
    assert "无法识别文件“sites.docx”：请上传 .xlsx、.csv 或 .geojson 文件" in r.content.decode()
    r = c.post(PAGE, {"unit": "TC", "source": "upload", "crs": "gcj02"})
    assert r.status_code == 400 and "请选择候选点文件（.xlsx、.csv 或 .geojson）" in r.content.decode()
    square = [[list(gcj(100, 100)), list(gcj(300, 100)), list(gcj(300, 300)), list(gcj(100, 100))]]
    polygon = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": square}}
    r = _upload(c, "sites.geojson", json.dumps({"type": "FeatureCollection", "features": [polygon]}).encode())
    assert r.status_code == 400 and "候选点须为点要素（Point），不能是面" in r.content.decode()
    assert CandidateSet.objects.count() == 0


def test_geojson_in_wgs84_and_the_template(people):
    c = people["admin"]
    template = c.get("/staff/coverage/candidates/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["名称", "类型", "经度", "纬度"]
    lng, lat = from_gcj02(*gcj(2500, 2500), CRS.WGS84)
    point = {
        "type": "Feature",
        "properties": {"名称": "营业厅", "类型": "通信营业厅"},
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
    }
    collection = json.dumps({"type": "FeatureCollection", "features": [point]}).encode()
    r = _upload(c, "sites.geojson", collection, crs="wgs84")
    assert r.status_code == 302
    arrays = CandidateSet.objects.get().arrays()
    assert list(arrays["label"]) == ["营业厅"] and list(arrays["kind"]) == ["telecom"]
    assert abs(arrays["lng"][0] - gcj(2500, 2500)[0]) < 1e-6


def test_who_may_upload(people):
    c, west, auditor = people["admin"], people["west"], people["auditor"]
    lng, lat = gcj(1000, 1000)
    content = f"名称,经度,纬度\n甲,{lng},{lat}\n".encode()
    # A district admin: the federation's unit is outside their reach (404), their own is theirs.
    assert west.get(PAGE + "?unit=TC").status_code == 404
    assert _upload(west, "a.csv", content).status_code == 404
    r = _upload(west, "a.csv", content, unit="TC-W")
    assert r.status_code == 302 and CandidateSet.objects.get().unit.code == "TC-W"
    # An auditor sees the sets but no form, and may not upload.
    html = auditor.get(PAGE + "?unit=TC").content.decode()
    assert "data-candidate-upload" not in html and "data-candidate-sets" in html
    assert _upload(auditor, "a.csv", content).status_code == 403
    assert CandidateSet.objects.count() == 1
    # Linked from the siting page.
    assert 'href="/staff/coverage/candidates/?unit=TC"' in c.get("/staff/coverage/siting/?unit=TC").content.decode()


def test_through_the_api(people):
    c, west = people["admin"], people["west"]
    lng, lat = gcj(1000, 1000)
    bad = f"名称,类型,经度,纬度\n甲,银行,{lng},{lat}\n乙,理发店,{lng},{lat}\n丙,,abc,{lat}\n".encode()
    r = c.post("/api/v1/coverage/candidates", {"unit": "TC", "file": SimpleUploadedFile("a.csv", bad)})
    assert r.status_code == 400
    assert r.json()["errors"] == [
        "第 3 行：类型“理发店”无法识别，应为 银行网点、加油站、通信营业厅、公厕/环卫休息室、其他 之一（或留空）",
        "第 4 行：“经度”不是数字：abc",
    ]
    upload = SimpleUploadedFile("a.csv", f"名称,类型,经度,纬度\n甲,银行,{lng},{lat}\n".encode())
    r = c.post("/api/v1/coverage/candidates", {"unit": "TC", "file": upload, "source": "partners", "name": "甲"})
    assert r.status_code == 201 and r.json()["sites"] == 1 and r.json()["source"] == "partners"
    assert [s["id"] for s in c.get("/api/v1/coverage/candidates?unit=TC").json()] == [r.json()["id"]]
    upload = SimpleUploadedFile("a.csv", f"名称,经度,纬度\n甲,{lng},{lat}\n".encode())
    r = c.post("/api/v1/coverage/candidates", {"unit": "TC", "file": upload, "source": "x"})
    assert r.status_code == 400 and r.json()["field"] == "source"
    upload = SimpleUploadedFile("a.csv", f"名称,经度,纬度\n甲,{lng},{lat}\n".encode())
    assert west.post("/api/v1/coverage/candidates", {"unit": "TC", "file": upload}).status_code == 404
    assert west.get("/api/v1/coverage/candidates").json() == []
