"""The English interface: the staff pages, flash messages and API errors follow the chosen language.

Chinese is the source language and the default; English comes from locale/en. Data such as unit
and area names stays as entered (Chinese), only the interface is translated.
"""

import ast
import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from yizhan.campaigns.tests.factories import CampaignFactory
from yizhan.centres import selectors, services
from yizhan.centres.choices import ApplicationState
from yizhan.centres.grading import Grade
from yizhan.centres.report import centres_section
from yizhan.centres.tests.conftest import answers_all, make_centre
from yizhan.core.roles import Role
from yizhan.core.wording import clauses, enumeration
from yizhan.orgs.services import CODE_TAKEN
from yizhan.standards.services import standard_defaults_load

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


# --- one Chinese word, several English ones; no Chinese built in code -------------------------------

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # ideographs and CJK punctuation
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def graded(dalian, make_actor):
    """中山区's centre graded 达标 by the federation: every item met, satisfaction 6 of 10 (先进 wants 70 %).
    → (federation admin, the application)."""
    standard_defaults_load(unit=dalian["city"])
    fed = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    zs = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    today = timezone.localdate()
    acceptance_round = services.round_create(
        actor=fed, unit=dalian["city"], year=today.year, deadline=today + dt.timedelta(days=30)
    )
    application = services.application_create(
        actor=zs, acceptance_round=acceptance_round, centre=make_centre(dalian["zs"])
    )
    services.self_check_save(actor=zs, application=application, answers=answers_all(application), self_report="r")
    services.application_file(actor=zs, application=application)
    services.review_save(
        actor=fed,
        application=application,
        answers=answers_all(application, methods=["look"]),
        questionnaire_responses=10,
        questionnaire_satisfied=6,
    )
    services.application_transition(actor=fed, application=application, to_state=ApplicationState.REVIEWED)
    services.application_grade(actor=fed, application=application)
    application.refresh_from_db()
    return fed, application


def test_the_acceptance_explanation_is_english_and_its_record_chinese(english, login, graded):
    fed, application = graded
    assert application.explanation[-1].startswith("结论：达标（三项指标均达到达标要求；未评为先进")  # the record
    url = f"/staff/centres/{application.pk}/"
    page = english(fed.user).get(url).content.decode()
    assert '<span class="grade grade-standard">Up to standard</span>' in page
    explanation = html.unescape(re.search(r'<ul id="explanation">(.*?)</ul>', page, re.DOTALL).group(1))
    assert not CJK.search(explanation), explanation
    assert "<li>Excellent: Facilities compliance rate 100.00% ≥ 80%, met</li>" in explanation
    assert "<li>Advanced: Worker satisfaction rate 60.00% < 70%, not met</li>" in explanation
    assert (
        "<li>Conclusion: Up to standard (all three rates meet the “Up to standard” requirements; not graded "
        "“Advanced” because Worker satisfaction rate 60.00% < 70%)</li>"
    ) in explanation
    chinese = login(fed.user).get(url).content.decode()
    assert "结论：达标（三项指标均达到达标要求；未评为先进，因为职工满意率 60.00% &lt; 70%）" in chinese


def test_the_acceptance_report_section_in_english(graded, dalian):
    fed, application = graded
    with translation.override("en"):
        content = centres_section(fed, dalian["city"], application.round.year)
    assert content.paragraphs[0] == "Worker service centres graded this year: 1 (Up to standard: 1)."
    owing = content.paragraphs[1]
    assert owing.startswith("Units without a model centre: ") and owing.endswith(".")
    assert "中山区总工会, " in owing or ", 中山区总工会" in owing  # unit names stay, joined the English way
    names = [u.name for u in selectors.units_owing_model_centre(actor=fed, year=application.round.year)]
    assert not CJK.search(owing.replace(", ".join(names), ""))
    assert content.tables[0].rows[0][6] == "Up to standard"


def test_the_public_results_heading_in_english(client, graded):
    _fed, application = graded
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/centre-results/{application.round_id}/").content.decode()
    assert f"<h1>{application.round.title}: published results</h1>" in page
    assert "结果公示" not in page


def test_the_campaign_page_names_its_annexes_in_english(english, federation_admin, dalian):
    campaign = CampaignFactory(federation=dalian["city"])
    page = english(federation_admin).get(f"/staff/campaigns/{campaign.pk}/").content.decode()
    downloads = re.search(r'<p class="downloads">.*?</p>', page, re.DOTALL).group(0)
    for link in ["Annex 1 Excel", "Annex 1 Word", "Annex 2 Excel", "Annex 2 Word"]:
        assert f">{link}</a>" in downloads
    assert not IDEOGRAPH.search(downloads), downloads  # (its "：" is one of the pages' glued punctuation)


def test_one_chinese_word_gets_the_english_of_its_use():
    from yizhan.inspections.models import InspectionFinding
    from yizhan.positions.choices import BuildNature
    from yizhan.standards.models import AssessmentAnswer, Standard
    from yizhan.targets.metrics import ENTERPRISES_COVERED, get_metric

    with translation.override("en"):
        assert str(Grade.STANDARD.label) == "Up to standard"  # the acceptance grade
        assert str(AssessmentAnswer._meta.get_field("met").verbose_name) == "Met"  # an item of an assessment
        assert str(BuildNature.NEW.label) == "New build"
        assert str(Standard._meta.get_field("description").verbose_name) == "Description"
        assert str(InspectionFinding._meta.get_field("note").verbose_name) == "Note"
        assert str(AssessmentAnswer._meta.get_field("note").verbose_name) == "Note"
        assert str(get_metric(ENTERPRISES_COVERED).suffix) == " enterprises"
        assert enumeration(["甲", "乙"]) == "甲, 乙" and clauses(["a", "b"]) == "a; b"
    assert str(Grade.STANDARD.label) == "达标" and enumeration(["甲", "乙"]) == "甲、乙" and clauses("ab") == "a；b"


# Python modules whose words reach a page: no Chinese string outside gettext. The listed exceptions
# are Chinese on purpose: download file names, the unit export's columns (the import template's
# headers, so a file round-trips) and the audit record's text.
PAGE_MODULES = ["dashboard.py", "report.py", "forms.py", "views.py", "grading.py"]
CHINESE_ON_PURPOSE = {
    "yizhan/orgs/views.py": {
        "单位代码",
        "单位名称",
        "单位类型",
        "上级单位代码",
        "行政区划代码",
        "行政区划",
        "联系人",
        "联系电话",
        "地址",
        "工会单位",
        "工会单位导出 ",
        " 条",
    },
    "yizhan/centres/views.py": {"验收结果-"},
    "yizhan/projects/views.py": {"社会组织服务项目.xlsx", "优秀项目评估表-"},
}
# These build sentences: not even Chinese punctuation may be glued in Python (core/wording.py joins).
NO_CJK_AT_ALL = ["yizhan/centres/grading.py", "yizhan/centres/report.py", "yizhan/targets/dashboard.py"]
TRANSLATING = {"_", "_lazy", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}


def hard_coded_chinese(source: str, pattern: re.Pattern) -> list[str]:
    """String literals matching `pattern` that are neither docstrings nor arguments of a gettext call."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.search(node.value)):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.JoinedStr):
            parent = parents.get(parent)
        if isinstance(parent, ast.Expr):  # a docstring or a bare string
            continue
        if isinstance(parent, ast.Call):
            name = getattr(parent.func, "id", None) or getattr(parent.func, "attr", None)
            if name in TRANSLATING and node in parent.args:
                continue
        found.append(node.value)
    return found


def test_no_hard_coded_chinese_in_python_that_makes_pages():
    root = Path(settings.BASE_DIR).parent
    paths = sorted(p for name in PAGE_MODULES for p in (root / "yizhan").glob(f"*/{name}"))
    assert len(paths) > 30
    problems = {}
    for path in paths:
        key = str(path.relative_to(root))
        pattern = CJK if key in NO_CJK_AT_ALL else IDEOGRAPH
        found = [
            s
            for s in hard_coded_chinese(path.read_text(encoding="utf-8"), pattern)
            if s not in CHINESE_ON_PURPOSE.get(key, ())
        ]
        if found:
            problems[key] = found
    assert problems == {}


def test_the_python_check_finds_glued_chinese():
    source = 'from x import _\n"""文档"""\nA = _("已保存")\nB = f"结论：{a}"\nC = "、".join(x)\nD = _(f"{n} 个")\n'
    assert hard_coded_chinese(source, IDEOGRAPH) == ["结论：", " 个"]
    assert hard_coded_chinese(source, CJK) == ["结论：", "、", " 个"]


def unmarked_template_chinese(text: str) -> list[str]:
    """Chinese words of a template outside {% translate %}, {% blocktranslate %}, _("…") and comments;
    form values and the language switcher's own name (中文, marked lang="zh-hans") are not words shown."""
    for pattern in (
        r"\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}",
        r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}",
        r"\{#.*?#\}",
        r"\{%\s*translate\s+(\"[^\"]*\"|'[^']*').*?%\}",
        r"_\((\"[^\"]*\"|'[^']*')\)",
        r'value="[^"]*"',
        r'lang="zh-hans">[^<]*<',
    ):
        text = re.sub(pattern, "", text, flags=re.DOTALL)
    return re.findall(r"[^<>{}\s]*[\u4e00-\u9fff]+[^<>{}\s]*", text)


def test_no_unmarked_chinese_words_in_templates():
    root = Path(settings.BASE_DIR).parent / "yizhan"
    templates = sorted(root.rglob("templates/**/*.html"))
    assert len(templates) > 100
    problems = {}
    for path in templates:
        found = unmarked_template_chinese(path.read_text(encoding="utf-8"))
        if found:
            problems[str(path.relative_to(root))] = found
    assert problems == {}


def test_the_template_check_finds_unmarked_words():
    text = (
        '{% translate "导出" %}：<a href="x">附件1 Excel</a>{# 注释 #}'
        "{% blocktranslate with t=title %}{{ t }}结果公示{% endblocktranslate %}"
        '<button value="是" lang="zh-hans">中文</button>{{ x|default:_("未说明") }}<h1>{{ t }}结果公示</h1>'
    )
    assert unmarked_template_chinese(text) == ["附件1", "结果公示"]
