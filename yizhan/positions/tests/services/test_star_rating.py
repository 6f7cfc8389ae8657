"""A station's recorded star level (spec §4): stations only, always with the date it was awarded;
the list filters by it and the finder shows it in symbols and words."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from yizhan.core.errors import ApplicationError
from yizhan.positions import selectors, services
from yizhan.positions.choices import CentreLevel, PositionKind, StarRating
from yizhan.positions.models import Position

pytestmark = pytest.mark.django_db
RATED_ON = date(2026, 6, 30)


def test_a_station_keeps_its_star_and_date(make_position):
    station = make_position(star_rating=StarRating.FIVE, star_rated_on=RATED_ON)
    station.refresh_from_db()
    assert (station.star_rating, station.star_rated_on) == ("5", RATED_ON)
    assert station.get_star_rating_display() == "五星"


def test_a_star_needs_its_date(make_position):
    with pytest.raises(ApplicationError) as error:
        make_position(star_rating=StarRating.THREE)
    assert error.value.field == "star_rated_on"
    assert error.value.message == str(services.STAR_DATE_REQUIRED)


def test_centres_and_work_stations_are_not_star_rated(make_position):
    with pytest.raises(ApplicationError) as error:
        make_position(
            kind=PositionKind.CENTRE,
            centre_level=CentreLevel.DISTRICT,
            official_name="中山区职工服务中心",
            star_rating=StarRating.FOUR,
            star_rated_on=RATED_ON,
        )
    assert error.value.field == "star_rating"
    assert error.value.message == str(services.STAR_ONLY_FOR_STATIONS)


def test_the_database_refuses_what_the_service_refuses(make_position):
    station = make_position()
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=station.pk).update(star_rating="4")  # no date
    centre = make_position(
        kind=PositionKind.CENTRE, centre_level=CentreLevel.DISTRICT, official_name="中山区职工服务中心"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=centre.pk).update(star_rating="4", star_rated_on=RATED_ON)


def test_a_downgrade_and_clearing_are_updates(make_position, zs_admin):
    station = make_position(star_rating=StarRating.FIVE, star_rated_on=RATED_ON)
    services.position_update(actor=zs_admin, position=station, star_rating=StarRating.THREE)
    station.refresh_from_db()
    assert station.star_rating == "3"
    services.position_update(actor=zs_admin, position=station, star_rating="", star_rated_on=None)
    station.refresh_from_db()
    assert (station.star_rating, station.star_rated_on) == ("", None)


def test_the_list_filters_by_star_and_unrated(make_position, zs_admin):
    five = make_position(star_rating=StarRating.FIVE, star_rated_on=RATED_ON)
    three = make_position(star_rating=StarRating.THREE, star_rated_on=RATED_ON)
    unrated = make_position()

    def codes(star):
        return {p.code for p in selectors.position_list(actor=zs_admin, filters=selectors.PositionFilters(star=star))}

    assert codes("5") == {five.code}
    assert codes("3") == {three.code}
    assert codes(selectors.UNRATED) == {unrated.code}
    assert codes("") == {five.code, three.code, unrated.code}
