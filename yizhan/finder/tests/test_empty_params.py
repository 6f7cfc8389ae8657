"""Issue 13 item 6: a parameter of the public JSON API given empty (`kind=`, `crs=`) is refused,
naming the parameter (and its values where it has a list of them), with the 400 the public API
answers for every bad parameter; the public pages, whose GET forms send every field, still read an
empty one as absent."""

import pytest
from django.test import Client

from yizhan.core import params as core_params
from yizhan.finder import params
from yizhan.finder.tests.conftest import CENTRE
from yizhan.positions.choices import Ability, Facility, PositionKind, ServedGroup

NEARBY = "/api/v1/public/nearby"
POINT = f"lng={CENTRE[0]}&lat={CENTRE[1]}"

EMPTY = [
    ("kind", "、".join(PositionKind.values)),
    ("group", "、".join(ServedGroup.values)),
    ("facility", "、".join(Facility.values)),
    ("ability", "、".join(Ability.values)),
    ("crs", "wgs84、gcj02、bd09"),
    ("open_now", "true、false"),
    ("include_suspended", "true、false"),
    ("radius", None),
    ("limit", None),
]


@pytest.mark.parametrize(("name", "choices"), EMPTY)
def test_an_empty_parameter_of_the_public_api_is_refused(db, name, choices):
    response = Client().get(f"{NEARBY}?{POINT}&{name}=")
    assert response.status_code == 400, response.content
    expected = (
        core_params.PARAM_EMPTY_CHOICE.format(name=name, choices=choices)
        if choices
        else core_params.PARAM_EMPTY.format(name=name)
    )
    assert response.json() == {"detail": str(expected), "field": name}


def test_an_empty_value_among_repeated_ones_is_refused(db):
    response = Client().get(f"{NEARBY}?{POINT}&facility=wifi&facility=")
    assert response.status_code == 400 and response.json()["field"] == "facility"


def test_an_empty_crs_of_the_detail_is_refused(make_position):
    position = make_position(state="operating")
    response = Client().get(f"/api/v1/public/positions/{position.pk}?crs=")
    assert response.status_code == 400
    assert response.json() == {
        "detail": str(core_params.PARAM_EMPTY_CHOICE.format(name="crs", choices="wgs84、gcj02、bd09")),
        "field": "crs",
    }
    assert Client().get(f"/api/v1/public/positions/{position.pk}").status_code == 200


def test_absent_parameters_keep_their_defaults(db):
    body = Client().get(f"{NEARBY}?{POINT}").json()
    assert (body["crs"], body["radius"]) == ("wgs84", params.DEFAULT_RADIUS_M)


def test_the_public_page_reads_empty_fields_as_absent(make_position):
    make_position(state="operating", official_name="工会户外劳动者服务站点·空参数")
    # The search form sends every field, the empty ones too.
    query = {"lat": CENTRE[1], "lng": CENTRE[0], "crs": "", "kind": "", "group": "", "q": ""}
    page = Client().get("/", query)
    assert page.status_code == 200
    assert "空参数" in page.content.decode()
