"""The raw-data admin's lists join each row's unit and region (Django's select_related()) but never
decode a region's boundary (GeoJSON of real districts, one per row): a list shows the region's name
only (core/admin_base.py, orgs/admin.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yizhan.core.admin_base import region_boundary_paths
from yizhan.core.roles import Role
from yizhan.ledger.models import FeedbackStatusChange
from yizhan.positions.models import Position

pytestmark = pytest.mark.django_db

BOUNDARY_COLUMN = '"orgs_region"."boundary"'


def test_the_paths_to_a_region_boundary_are_those_select_related_follows():
    assert "region__boundary" in region_boundary_paths(Position)
    assert "unit__region__boundary" in region_boundary_paths(Position)
    assert "feedback__position__unit__region__boundary" in region_boundary_paths(FeedbackStatusChange)


@pytest.fixture
def federation_client(dalian_map, make_user, login):
    return login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))


def test_the_position_list_shows_regions_without_reading_their_boundaries(federation_client, make_position):
    make_position(official_name="工会户外劳动者服务站点·边界测试站")
    with CaptureQueriesContext(connection) as queries:
        page = federation_client.get("/admin/positions/position/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "工会户外劳动者服务站点·边界测试站" in html and "中山区" in html
    assert [q["sql"] for q in queries if BOUNDARY_COLUMN in q["sql"]] == []


def test_the_region_list_reads_no_boundary(federation_client, dalian_map):
    with CaptureQueriesContext(connection) as queries:
        page = federation_client.get("/admin/orgs/region/")
    assert page.status_code == 200
    assert "西岗区" in page.content.decode()
    assert [q["sql"] for q in queries if BOUNDARY_COLUMN in q["sql"]] == []
    # The list names each area's parent from the same query, not one query per row.
    assert len([q for q in queries if '"orgs_region"' in q["sql"]]) <= 3
    detail = federation_client.get(f"/admin/orgs/region/{dalian_map['areas']['210203'].pk}/change/")
    assert detail.status_code == 200 and "西岗区" in detail.content.decode()
