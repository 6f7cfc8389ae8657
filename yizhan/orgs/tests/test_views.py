"""Staff pages of the orgs context: scope in dashboards, search and exports; forms give Chinese errors."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.orgs.models import Unit
from yizhan.orgs.services import DELETE_HAS_CHILDREN
from yizhan.orgs.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_only_units_in_scope(dalian, make_user, login):
    page = login(make_user(Role.UNIT_ADMIN, dalian["zs"])).get("/staff/").content.decode()
    assert "管辖范围内共 2 个工会单位" in page
    federation = login(make_user(Role.FEDERATION_ADMIN, dalian["city"])).get("/staff/").content.decode()
    assert "管辖范围内共 4 个工会单位" in federation


def test_unit_search_never_finds_units_outside_scope(dalian, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    page = client.get("/staff/units/", {"q": "工会"}).content.decode()
    assert "青泥洼桥街道工会" in page
    assert "西岗区总工会" not in page
    assert "大连市总工会" not in page


def test_export_holds_only_the_scope_and_escapes_formulas(dalian, make_user, login):
    Unit.objects.filter(pk=dalian["street"].pk).update(address='=HYPERLINK("http://x")')
    response = login(make_user(Role.UNIT_ADMIN, dalian["zs"])).get("/staff/units/export.xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位代码", "单位名称", "单位类型")
    assert [r[0] for r in rows[1:]] == ["DL-ZS", "DL-ZS-QNWQ"]
    assert rows[2][3] == "DL-ZS"  # parent code
    assert rows[2][8] == '\'=HYPERLINK("http://x")'


def test_unit_form_shows_chinese_errors_and_keeps_nothing(dalian, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    form = {
        "code": "DL-XG",
        "name": "新街道",
        "type": "street",
        "region": dalian["zs"].region_id,
        "contact_phone": "电话",
    }
    page = client.post(f"/staff/units/{dalian['zs'].pk}/new/", form).content.decode()
    assert "电话号码格式不正确" in page
    assert "单位代码 的 工会单位 已存在" in page
    assert Unit.objects.filter(name="新街道").count() == 0


def test_delete_with_children_is_refused_with_a_message(dalian, make_user, login):
    client = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    response = client.post(f"/staff/units/{dalian['zs'].pk}/delete/", follow=True)
    assert DELETE_HAS_CHILDREN.format(unit="中山区总工会", count=1) in response.content.decode()
    assert Unit.objects.filter(pk=dalian["zs"].pk).exists()


def test_switching_identity_on_the_page(dalian, make_user, login):
    user = make_user(Role.FEDERATION_ADMIN, dalian["city"])
    district = MembershipFactory(user=user, unit=dalian["xg"], role=Role.UNIT_ADMIN)
    client = login(user)
    assert "当前身份" in client.get("/staff/").content.decode()
    client.post("/staff/switch-unit/", {"membership": district.pk, "next": "/staff/units/"})
    page = client.get("/staff/units/").content.decode()
    assert "西岗区总工会" in page and "中山区总工会" not in page
    refused = client.post("/staff/switch-unit/", {"membership": 999999}, follow=True).content.decode()
    assert "您没有该单位的角色" in refused


def test_switch_does_not_redirect_off_site(dalian, make_user, login):
    user = make_user(Role.FEDERATION_ADMIN, dalian["city"])
    membership = user.memberships.get()
    response = login(user).post("/staff/switch-unit/", {"membership": membership.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/staff/"


def test_roleless_account_gets_a_clear_403(login, db):
    user = UserFactory(username="nobody")
    response = login(user).get("/staff/")
    assert response.status_code == 403
    assert "尚未被授予任何角色" in response.content.decode()


def test_region_page_points_the_map_at_the_boundaries(dalian, make_user, login):
    page = login(make_user(Role.UNIT_ADMIN, dalian["zs"])).get("/staff/regions/").content.decode()
    assert 'data-boundaries-url="/api/v1/regions/210200/boundaries?crs=gcj02"' in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "中山区" in page and "西岗区" in page


def test_region_page_asks_for_wgs84_when_tiles_are_wgs84(dalian, make_user, login, settings):
    settings.YIZHAN_MAP_TILES = "osm"
    page = login(make_user(Role.UNIT_ADMIN, dalian["zs"])).get("/staff/regions/210202/").content.decode()
    assert "boundaries?crs=wgs84" in page
    assert 'data-tile-crs="wgs84"' in page


def test_pages_need_login(client, db):
    response = client.get("/staff/units/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_create_form_offers_only_types_allowed_below_the_parent(dalian, make_user, login):
    page = login(make_user(Role.UNIT_ADMIN, dalian["zs"])).get(f"/staff/units/{dalian['zs'].pk}/new/").content.decode()
    assert '<option value="street">' in page and '<option value="enterprise">' in page
    assert '<option value="city_federation">' not in page and '<option value="district">' not in page
