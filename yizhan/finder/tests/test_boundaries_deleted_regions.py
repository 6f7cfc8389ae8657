"""Areas deleted or re-created while the public map reads them (a restore, a re-import, a browser
test's flush between live-server tests) never make a public answer a 500.

The flaky 500 of the browser tests: /p/boundaries.json listed the federations' areas without their
outlines, then loaded each outline by itself; a flush in between (the previous test's teardown,
while its page's map was still fetching) raised Region.DoesNotExist. The tests below flush at that
moment on purpose."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from yizhan.finder.places import area_centre, find_place
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.geo import region_contains, region_shape
from yizhan.orgs.models import Region
from yizhan.orgs.tests.factories import RegionFactory, UnitFactory


def _square(lng: float, lat: float, size: float = 0.05) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _federation(prefix: str, lng: float) -> set[str]:
    """A federation over a city area with two districts, all outlined; their adcodes."""
    outline = _square(lng, 39, 0.2)
    city = RegionFactory(adcode=f"{prefix}00", name=f"{prefix}市", level=RegionLevel.CITY, boundary=outline)
    for n in (1, 2):
        outline = _square(lng + n * 0.06, 39.05)
        RegionFactory(adcode=f"{prefix}0{n}", name=f"{prefix}区{n}", parent=city, boundary=outline)
    UnitFactory(region=city)
    return {f"{prefix}00", f"{prefix}01", f"{prefix}02"}


def _adcodes(response) -> set[str]:
    return {feature["properties"]["adcode"] for feature in response.json()["features"]}


class _FlushOnSecondAreaRead:
    """Flushes the database (as pytest-django does after a live-server test) just before the
    request's second read of the areas' table: after the list of areas, before their outlines."""

    def __init__(self) -> None:
        self.reads = 0
        self.flushing = False
        self.flushed = False

    def __call__(self, execute, sql, params, many, context):
        if not self.flushing and not self.flushed and 'FROM "orgs_region"' in sql:
            self.reads += 1
            if self.reads == 2:
                self.flushing = True
                try:
                    call_command("flush", verbosity=0, interactive=False)
                finally:
                    self.flushing, self.flushed = False, True
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_the_public_map_survives_areas_deleted_mid_answer_and_shows_the_recreated_ones():
    old = _federation("9101", 121.5)
    client = Client()
    first = client.get("/p/boundaries.json")
    assert first.status_code == 200 and _adcodes(first) == old

    flush = _FlushOnSecondAreaRead()
    with connection.execute_wrapper(flush):
        during = client.get("/p/boundaries.json")
    assert flush.flushed, "the flush did not happen between the two reads: the test proves nothing"
    assert not Region.objects.exists()
    assert during.status_code == 200  # was a 500: Region.DoesNotExist from the outline's deferred load
    assert _adcodes(during) <= old  # what was read before the flush, or less; never an error

    new = _federation("9102", 122.0)  # re-created: new rows, new ids
    after = client.get("/p/boundaries.json")
    assert after.status_code == 200 and _adcodes(after) == new


@pytest.mark.django_db
def test_point_lookups_on_a_deleted_area_answer_no_outline():
    area = RegionFactory(boundary=_square(121.5, 39))
    region_id = area.pk
    area.delete()
    assert region_shape(region_id) is None  # was Region.DoesNotExist
    assert region_contains(region_id, 121.52, 39.02) is None
    assert area_centre(region_id) is None


@pytest.mark.django_db
def test_a_place_search_for_an_area_deleted_after_it_was_found_finds_nothing(monkeypatch):
    """The typed place names an area that is deleted before its centre is read: no place (the
    search page says nothing was found), not a 500."""
    from yizhan.finder import places

    RegionFactory(name="消失区", boundary=_square(121.5, 39))
    centre = places.area_centre

    def deleted_first(region_id):
        Region.objects.filter(pk=region_id).delete()
        return centre(region_id)

    monkeypatch.setattr(places, "area_centre", deleted_first)
    assert find_place("消失区") is None  # was AttributeError: no outline to take a centre from
