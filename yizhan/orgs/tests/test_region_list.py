"""Listing areas reads no boundary: neither an area's own nor its parent's (a city's boundary, large,
would otherwise be read once per district; every staff position list builds its area choices
from this list)."""

from yizhan.core.roles import Role
from yizhan.orgs import selectors
from yizhan.positions.tests.conftest import dalian_map  # noqa: F401 (fixture)


def test_region_list_reads_no_boundary(dalian_map, make_actor):  # noqa: F811
    actor = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    regions = list(selectors.region_list(actor=actor))
    with_parent = [r for r in regions if r.parent_id]
    assert with_parent
    for region in regions:
        assert "boundary" in region.get_deferred_fields()
    for region in with_parent:
        assert "boundary" in region.parent.get_deferred_fields()
