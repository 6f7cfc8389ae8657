"""The staff menu (templates/base.html): for every role, each entry it shows opens a page that
role may see (200, not 403 or 404), and the entries a role may not use are not shown to it."""

from __future__ import annotations

import re

import pytest

from yizhan.core.roles import Role

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')

# Where each role's unit sits in the Dalian tree of the conftest (the federation roles at the city).
ROLES = {
    Role.FEDERATION_ADMIN: "city",
    Role.UNIT_ADMIN: "zs",
    Role.STATION_MANAGER: "street",
    Role.REVIEWER: "zs",
    Role.SOCIAL_ORG: "zs",
    Role.AUDITOR: "city",
    Role.SECURITY_ADMIN: "city",
    Role.SYSTEM_ADMIN: "city",
}


def menu(client) -> list[tuple[str, str]]:
    html = client.get("/staff/").content.decode()
    return [(href, label.strip()) for href, label in LINK.findall(NAV.search(html).group(1))]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_menu_entry_opens_for_the_role_that_sees_it(role, dalian, make_user, login):
    client = login(make_user(role, dalian[ROLES[role]]))
    entries = menu(client)
    assert entries, role
    for href, label in entries:
        response = client.get(href)
        assert response.status_code == 200, f"{role}: {label} {href} answered {response.status_code}"


def test_the_new_workflows_are_in_the_menu_of_those_who_do_them(dalian, make_user, login):
    labels = {
        role: {label for _href, label in menu(login(make_user(role, dalian[unit])))} for role, unit in ROLES.items()
    }
    assert {"标准与星级", "检查与整改", "推树活动", "资金与绩效", "社会组织项目"} <= labels[Role.FEDERATION_ADMIN]
    assert {"星级名单", "检查与整改", "推树活动", "资金与绩效"} <= labels[Role.UNIT_ADMIN]
    assert {"考核验收", "目标任务", "年度报告"} <= labels[Role.FEDERATION_ADMIN] & labels[Role.UNIT_ADMIN]
    assert not {"考核验收", "目标任务", "年度报告"} & (labels[Role.STATION_MANAGER] | labels[Role.SOCIAL_ORG])
    assert "整改" in labels[Role.STATION_MANAGER]
    assert "推树活动" in labels[Role.REVIEWER] and "资金与绩效" not in labels[Role.REVIEWER]
    assert "社会组织项目" in labels[Role.SOCIAL_ORG] and "推树活动" not in labels[Role.SOCIAL_ORG]
    assert not {"推树活动", "资金与绩效", "社会组织项目"} & labels[Role.SECURITY_ADMIN]
