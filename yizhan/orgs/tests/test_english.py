"""The English interface: the staff pages, flash messages and API errors follow the chosen language.

Chinese is the source language and the default; English comes from locale/en. Data such as unit
and area names stays as entered (Chinese), only the interface is translated.
"""

import re

import pytest
from django.conf import settings
from django.utils import translation

from yizhan.core.roles import Role
from yizhan.orgs.services import CODE_TAKEN

pytestmark = pytest.mark.django_db

ENGLISH_NAV = ["Home", "Union units", "Administrative areas", "Log out"]
CHINESE_NAV = ["首页", "工会单位", "行政区划", "退出"]


def _nav(page: str) -> str:
    match = re.search(r'<nav class="mainnav".*?</nav>', page, re.DOTALL)
    assert match, "main navigation missing"
    return match.group(0)


def _header(page: str) -> str:
    match = re.search(r'<header class="topbar">.*?</header>', page, re.DOTALL)
    assert match, "page header missing"
    return match.group(0)


@pytest.fixture(autouse=True)
def back_to_the_default_language():
    """A request in English leaves English active in this thread; later tests expect Chinese."""
    yield
    translation.deactivate()


@pytest.fixture
def english(login):
    """english(user) → a logged-in client that chose English with the language switcher's cookie."""

    def make(user):
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def district_admin(dalian, make_user):
    return make_user(Role.UNIT_ADMIN, dalian["zs"])


@pytest.fixture
def federation_admin(dalian, make_user):
    return make_user(Role.FEDERATION_ADMIN, dalian["city"])


def test_dashboard_in_english(english, district_admin):
    page = english(district_admin).get("/staff/").content.decode()
    assert '<html lang="en">' in page
    assert "<title>Yizhan · Union Service Position Management</title>" in page
    header = _header(page)
    assert "Yizhan <small>Union Service Position Management</small>" in header
    for label in ENGLISH_NAV:
        assert label in header
    nav = _nav(page)
    for label in CHINESE_NAV:
        assert label not in nav
    assert "<h1>Dashboard</h1>" in page
    assert "Current role: Unit administrator" in page
    assert "Administrative area: 大连市" in page
    assert "Union units within your jurisdiction: 2" in page
    assert "District Federation of Trade Unions" in page
    assert "Street/town/park union" in page
    for chinese in ["工作台", "当前角色", "管辖范围", "单位管理员", "街道/乡镇/园区工会", "工会单位"]:
        assert chinese not in page
    assert "中山区总工会" in page  # data stays as entered


def test_unit_list_in_english(english, district_admin):
    client = english(district_admin)
    page = client.get("/staff/units/").content.decode()
    assert "<h1>Union units</h1>" in page
    for text in ["Name or code", "Unit type", "Unit name", "Unit code", "Contact person", "Filter", "2 units"]:
        assert text in page
    assert '<option value="">All</option>' in page
    assert 'aria-current="page">Union units</a>' in _nav(page)
    for chinese in ["工会单位", "名称或代码", "单位类型", "筛选", "个单位"]:
        assert chinese not in page
    assert "1 unit</p>" in client.get("/staff/units/", {"q": "街道"}).content.decode()
    assert "No matching units" in client.get("/staff/units/", {"q": "none such"}).content.decode()


def test_unit_detail_in_english(english, district_admin, dalian):
    page = english(district_admin).get(f"/staff/units/{dalian['zs'].pk}/").content.decode()
    for text in ["Unit code", "Unit type", "Parent unit", "Contact phone", "Address", "Subordinate units"]:
        assert f"<dt>{text}</dt>" in page or f"<h2>{text}</h2>" in page
    assert "<dd>District Federation of Trade Unions</dd>" in page
    assert ">New subordinate unit</a>" in page
    assert ">Edit</a>" in page
    assert 'aria-label="Breadcrumb"' in page
    assert "Street/town/park union" in page  # the child's type
    for chinese in ["单位代码", "上级单位", "下级单位", "新建下级单位", "区总工会</dd>"]:
        assert chinese not in page
    assert "<h1>中山区总工会</h1>" in page


def test_region_map_in_english(english, federation_admin):
    page = english(federation_admin).get("/staff/regions/").content.decode()
    assert "<h1>大连市 <small>210200 · Prefecture level</small></h1>" in page
    for text in ["Sub-areas", "Area code (adcode)", "Name", "Level", "County level", "GCJ-02"]:
        assert text in page
    assert 'aria-label="Administrative area map"' in page
    assert 'data-error-text="Failed to load boundaries"' in page
    assert 'aria-current="page">Administrative areas</a>' in _nav(page)
    for chinese in ["下级区划", "区划代码", "县级", "地级", "边界加载失败"]:
        assert chinese not in page


def test_forms_and_flash_messages_in_english(english, federation_admin, dalian):
    client = english(federation_admin)
    form_page = client.get(f"/staff/units/{dalian['zs'].pk}/new/").content.decode()
    assert "<h1>New unit under “中山区总工会”</h1>" in form_page
    assert ">Save</button>" in form_page
    assert 'title="Required"' in form_page
    created = client.post(
        f"/staff/units/{dalian['zs'].pk}/new/",
        {"code": "DL-ZS-NEW", "name": "人民路街道工会", "type": "street", "region": dalian["zs"].region_id},
        follow=True,
    ).content.decode()
    assert "Unit created: 人民路街道工会" in created
    duplicate = client.post(
        f"/staff/units/{dalian['zs'].pk}/new/",
        {"code": "DL-XG", "name": "新街道", "type": "street", "region": dalian["zs"].region_id, "contact_phone": "x"},
    ).content.decode()
    assert "Union unit with this Unit code already exists." in duplicate
    assert "Invalid phone number (mobile: 11 digits; landline e.g. 0411-82345678)" in duplicate
    refused = client.post("/staff/switch-unit/", {"membership": 999999}, follow=True).content.decode()
    assert "You have no role at this unit" in refused
    assert "您没有该单位的角色" not in refused


def test_error_pages_in_english(english, district_admin, dalian):
    client = english(district_admin)
    missing = client.get(f"/staff/units/{dalian['xg'].pk}/")  # outside the district's scope
    assert missing.status_code == 404
    assert "<h1>Page not found</h1>" in missing.content.decode()


def test_api_errors_in_english(english, district_admin, dalian, client):
    payload = {
        "parent_id": dalian["zs"].pk,
        "code": "DL-ZS",  # taken by 中山区总工会, the admin's own unit
        "name": "新街道工会",
        "type": "street",
        "region_adcode": "210202",
    }
    duplicate = english(district_admin).post("/api/v1/units", payload, "application/json")
    assert duplicate.status_code == 400
    assert duplicate.json()["detail"] == "Unit code “DL-ZS” is already in use"
    assert duplicate.json()["field"] == "code"
    with translation.override("en"):
        assert duplicate.json()["detail"] == CODE_TAKEN.format(code="DL-ZS")

    anonymous = client.get("/api/v1/units", HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Please log in first"}


def test_accept_language_header_chooses_english(login, district_admin):
    page = login(district_admin).get("/staff/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "<h1>Dashboard</h1>" in page
    assert "工会单位" not in _nav(page)


def test_without_the_cookie_the_pages_stay_chinese(login, district_admin, federation_admin, dalian):
    client = login(district_admin)
    home = client.get("/staff/").content.decode()
    assert '<html lang="zh-hans">' in home
    assert "<h1>工作台</h1>" in home
    assert "管辖范围内共 2 个工会单位" in home
    nav = _nav(home)
    for label in CHINESE_NAV[:3]:
        assert label in nav
    for label in ENGLISH_NAV[:3]:
        assert label not in nav
    assert "Dashboard" not in home and "Log out" not in home

    units = client.get("/staff/units/").content.decode()
    assert "<h1>工会单位</h1>" in units and "共 2 个单位" in units
    assert "Union units" not in units and "Unit type" not in units

    detail = client.get(f"/staff/units/{dalian['zs'].pk}/").content.decode()
    assert "<dt>上级单位</dt>" in detail and "<dd>区总工会</dd>" in detail
    assert "Parent unit" not in detail and "District Federation of Trade Unions" not in detail

    regions = login(federation_admin).get("/staff/regions/").content.decode()
    assert "<h2>下级区划</h2>" in regions and 'data-error-text="边界加载失败"' in regions
    assert "Sub-areas" not in regions and "Area code" not in regions

    payload = {"parent_id": dalian["zs"].pk, "code": "DL-ZS", "name": "新街道工会", "type": "street"}
    duplicate = client.post("/api/v1/units", {**payload, "region_adcode": "210202"}, "application/json")
    assert duplicate.json()["detail"] == "单位代码“DL-ZS”已被使用"
