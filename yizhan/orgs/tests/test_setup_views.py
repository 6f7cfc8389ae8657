"""Staff pages for setting a federation up (issue 14 §2, §3): unit and account imports (template,
upload, errors by row and column, one-time passwords shown once and downloadable once) and a unit's
custom area (drawn, uploaded or composed), through HTTP with their permissions."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yizhan.core.roles import Role
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.orgs.imports.accounts import COLUMNS as ACCOUNT_COLUMNS
from yizhan.orgs.imports.regions import region_import_adcode
from yizhan.orgs.imports.units import COLUMNS as UNIT_COLUMNS
from yizhan.orgs.models import Region, Unit, User
from yizhan.orgs.services import federation_create, federation_setup
from yizhan.orgs.tests.imports.conftest import sheet_rows, workbook

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_HEADERS = [c.header for c in UNIT_COLUMNS]
ACCOUNT_HEADERS = [c.header for c in ACCOUNT_COLUMNS]
ZONE = {
    "type": "Polygon",
    "coordinates": [[[113.68, 34.76], [113.72, 34.76], [113.72, 34.8], [113.68, 34.8], [113.68, 34.76]]],
}


def passwords_url(page: str) -> str:
    return re.search(r'href="(/staff/accounts/import/[^"]+/passwords\.xlsx)"', page).group(1)


def upload(data: bytes, name="file.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture
def zhengzhou(db):
    region_import_adcode("410100")
    return federation_setup(code="ZZ", name="郑州市总工会", adcode="410100", security_admin="zz_security").unit


@pytest.fixture
def fed(zhengzhou, make_user, login):
    return login(make_user(Role.FEDERATION_ADMIN, zhengzhou))


@pytest.fixture
def security(zhengzhou, login):
    """The federation's first security admin, past the first login's forced change."""
    User.objects.filter(username="zz_security").update(must_change_password=False)
    return login(User.objects.get(username="zz_security"))


# --- units -----------------------------------------------------------------------------------------


def test_unit_import_page_template_and_upload(fed):
    page = fed.get("/staff/units/").content.decode()
    assert 'href="/staff/units/import/"' in page
    assert fed.get("/staff/units/import/").status_code == 200
    template = fed.get("/staff/units/import/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    assert "attachment" in template["Content-Disposition"]
    assert sheet_rows(template.content, "工会单位")[1][:2] == ("ZZ-ZY", "中原区总工会")
    answer = fed.post("/staff/units/import/", {"file": upload(template.content)})
    text = answer.content.decode()
    assert answer.status_code == 200 and "导入成功" in text and "data-created>12<" in text
    assert Unit.objects.count() == 13


def test_unit_import_errors_are_listed_by_row_and_column(fed):
    bad = workbook(
        UNIT_HEADERS, [["ZZ-JS", "", "区总工会", "ZZ", "410105"], ["ZZ-X", "某", "区总工会", "ZZ", "999999"]]
    )
    text = fed.post("/staff/units/import/", {"file": upload(bad)}).content.decode()
    assert "文件有 2 处错误" in text
    assert '<td class="num">2</td><td>单位名称</td>' in text and '<td class="num">3</td><td>行政区划代码</td>' in text
    assert Unit.objects.count() == 1
    refused = fed.post("/staff/units/import/", {"file": upload(b"plain text")}).content.decode()
    assert "不是 Excel" in refused


def test_unit_import_is_closed_to_roles_without_the_right(zhengzhou, make_user, login, security):
    assert security.get("/staff/units/import/").status_code == 403
    assert security.get("/staff/units/import/template.xlsx").status_code == 403
    assert 'href="/staff/units/import/"' not in security.get("/staff/units/").content.decode()
    manager = login(make_user(Role.STATION_MANAGER, zhengzhou))
    assert manager.post("/staff/units/import/", {"file": upload(b"x")}).status_code == 403


# --- accounts --------------------------------------------------------------------------------------


def test_account_import_shows_the_passwords_once_and_downloads_them_once(security):
    assert 'href="/staff/accounts/import/"' in security.get("/staff/accounts/").content.decode()
    template = security.get("/staff/accounts/import/template.xlsx")
    assert sheet_rows(template.content, "账号")[1] == ("zz_admin", None, "ZZ", "总工会管理员")
    answer = security.post("/staff/accounts/import/", {"file": upload(template.content)})
    assert "no-store" in answer["Cache-Control"]
    text = answer.content.decode()
    user = User.objects.get(username="zz_admin")
    passwords = [part.split("<", 1)[0] for part in text.split("<code data-password>")[1:]]
    assert len(passwords) == 3 and user.check_password(passwords[0]) and user.must_change_password
    url = passwords_url(text)
    first = security.get(url)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    assert sheet_rows(first.content)[1][5] == passwords[0]
    assert security.get(url).status_code == 404  # once


def test_someone_else_cannot_fetch_the_passwords(security, zhengzhou, make_user, login):
    template = security.get("/staff/accounts/import/template.xlsx").content
    text = security.post("/staff/accounts/import/", {"file": upload(template)}).content.decode()
    url = passwords_url(text)
    other = login(make_user(Role.SECURITY_ADMIN, zhengzhou))
    assert other.get(url).status_code == 404
    assert security.get(url).status_code == 200  # still there for its owner


def test_account_import_errors_and_permissions(security, fed):
    bad = workbook(ACCOUNT_HEADERS, [["a b", "", "ZZ", "总工会管理员"]])
    text = security.post("/staff/accounts/import/", {"file": upload(bad)}).content.decode()
    assert "文件有 1 处错误" in text and "<td>用户名</td>" in text and "data-password" not in text
    assert fed.get("/staff/accounts/import/").status_code == 403
    assert fed.post("/staff/accounts/import/", {"file": upload(bad)}).status_code == 403


# --- custom areas ----------------------------------------------------------------------------------


@pytest.fixture
def zone(zhengzhou):
    return federation_create(
        code="ZZ-ZD", name="郑东新区工会", type=UnitType.DEVELOPMENT_ZONE, region=zhengzhou.region, parent=zhengzhou
    )


def test_a_drawn_area_is_saved_from_the_page(fed, zone):
    assert "设定自定义区域" in fed.get(f"/staff/units/{zone.pk}/").content.decode()
    page = fed.get(f"/staff/units/{zone.pk}/area/").content.decode()
    assert 'id="area-draw"' in page and "data-area-drawn" in page and "area-draw.js" in page
    assert "/api/v1/regions/410100/boundaries" in page
    answer = fed.post(
        f"/staff/units/{zone.pk}/area/", {"name": "郑东新区", "drawn": json.dumps(ZONE), "drawn_crs": "gcj02"}
    )
    assert answer.status_code == 302
    zone.refresh_from_db()
    assert (zone.region.name, zone.region.level, zone.region.adcode) == ("郑东新区", RegionLevel.CUSTOM, "X41010001")
    assert "修改自定义区域" in fed.get(f"/staff/units/{zone.pk}/").content.decode()
    again = fed.get(f"/staff/units/{zone.pk}/area/").content.decode()
    assert 'value="郑东新区"' in again and 'data-own="X41010001"' in again


def test_an_uploaded_file_or_listed_areas(fed, zone):
    geojson = SimpleUploadedFile("zone.geojson", json.dumps(ZONE).encode(), content_type="application/geo+json")
    assert (
        fed.post(
            f"/staff/units/{zone.pk}/area/", {"name": "郑东新区", "file": geojson, "file_crs": "gcj02"}
        ).status_code
        == 302
    )
    assert (
        fed.post(f"/staff/units/{zone.pk}/area/", {"name": "郑东新区", "members": "410105, 410104"}).status_code == 302
    )
    assert Region.objects.filter(level=RegionLevel.CUSTOM).count() == 1  # redrawn, not a second one


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"name": "郑东新区"}, "三者选一"),
        ({"name": "郑东新区", "members": "410105", "drawn": json.dumps(ZONE)}, "三者选一"),
        ({"name": "郑东新区", "members": "999999"}, "999999"),
        ({"name": "郑东新区", "drawn": '{"type": "Point", "coordinates": [113.7, 34.7]}'}, "Point"),
    ],
)
def test_the_page_says_what_is_wrong(fed, zone, data, fragment):
    answer = fed.post(f"/staff/units/{zone.pk}/area/", data)
    assert answer.status_code == 200 and fragment in answer.content.decode()
    assert not Region.objects.filter(level=RegionLevel.CUSTOM).exists()


def test_the_area_page_is_closed_outside_scope(zone, make_unit, make_user, login, security):
    stranger = login(make_user(Role.FEDERATION_ADMIN, make_unit(UnitType.CITY_FEDERATION, name="大连市总工会")))
    assert stranger.get(f"/staff/units/{zone.pk}/area/").status_code == 404
    assert security.get(f"/staff/units/{zone.pk}/area/").status_code == 403
