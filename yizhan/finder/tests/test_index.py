"""The index answers exactly what a brute-force haversine scan over every position answers, for
random points, radii (including points exactly on the radius), limits, filters and moments."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.core.geo.distance import distance_m
from yizhan.finder import index
from yizhan.finder.tests.conftest import CENTRE, QUERY_DAYS, QUERY_FROM, brute_force, public_snapshot
from yizhan.positions.choices import Ability, Facility, PositionKind, PositionState, ServedGroup
from yizhan.positions.models import Position

COMPARE = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

filters_strategy = st.builds(
    index.Filters,
    facilities=st.lists(st.sampled_from(Facility.values), max_size=2, unique=True).map(tuple),
    abilities=st.lists(st.sampled_from(Ability.values), max_size=1, unique=True).map(tuple),
    kind=st.sampled_from([""] * 6 + PositionKind.values),
    group=st.sampled_from([""] * 12 + ServedGroup.values),
    include_suspended=st.booleans(),
)
moments = st.integers(min_value=0, max_value=QUERY_DAYS * 24 * 3600 - 1).map(
    lambda s: QUERY_FROM + timedelta(seconds=s)
)


@st.composite
def queries(draw, positions):
    if draw(st.booleans()):
        lng = CENTRE[0] + draw(st.floats(-0.09, 0.09))
        lat = CENTRE[1] + draw(st.floats(-0.07, 0.07))
    else:  # exactly on a position (distance 0, and its twins tie with it)
        target = draw(st.sampled_from(positions))
        lng, lat = target.lng, target.lat
    if draw(st.booleans()):
        radius = draw(st.floats(1, 20_000))
    else:  # a position lies exactly on the radius
        edge = draw(st.sampled_from(positions))
        radius = max(distance_m(lng, lat, edge.lng, edge.lat), 0.0)
    return {
        "lng": lng,
        "lat": lat,
        "radius_m": radius,
        "limit": draw(st.sampled_from([1, 2, 5, 10, 20, 50])),
        "filters": draw(filters_strategy),
        "open_now": draw(st.booleans()),
        "at": draw(moments),
    }


# "tight" makes the first tree query tiny and the switch to a ball query early, so the widening
# steps and the ball path run in almost every example.
SEARCH_SHAPES = {"default": (None, index.BALL_K), "tight": (1, 40)}


@pytest.mark.parametrize("shape", SEARCH_SHAPES)
def test_nearest_equals_a_brute_force_scan(shape, finder_positions, monkeypatch):
    first_k, ball_k = SEARCH_SHAPES[shape]
    if first_k is not None:
        monkeypatch.setattr(index.PositionIndex, "_first_k", lambda self, query, limit: first_k)
    monkeypatch.setattr(index, "BALL_K", ball_k)
    snapshot = public_snapshot()
    sizes = []

    @COMPARE
    @given(query=queries(finder_positions))
    def run(query):
        expected = brute_force(snapshot, **query)
        assert index.nearest(**query) == expected
        sizes.append((len(expected), query["limit"], query["open_now"]))

    run()
    # Not vacuous: many answers are full pages, with and without "open now".
    assert sum(1 for n, limit, _open in sizes if n == limit and limit > 1) > len(sizes) // 5
    assert any(n > 1 for n, _limit, open_now in sizes if open_now)


def test_nearest_equals_a_brute_force_scan_after_patches(finder_positions):
    """Moved, new and withdrawn positions (the overlay and emptied slots) answer the same way."""
    index.current_index()
    moved = [p.pk for p in finder_positions[:40]]
    for pk in moved[:20]:
        Position.objects.filter(pk=pk).update(lng=CENTRE[0] + pk % 7 * 0.004, lat=CENTRE[1] - pk % 5 * 0.003)
    Position.objects.filter(pk__in=moved[20:30]).update(state=PositionState.DELISTED)
    Position.objects.filter(pk__in=moved[30:]).update(state=PositionState.OPERATING, facilities=["wifi"])
    patched = index.current_index()
    assert len(patched.overlay) >= 1
    snapshot = public_snapshot()

    @COMPARE
    @given(query=queries(snapshot))
    def run(query):
        assert index.nearest(**query) == brute_force(snapshot, **query)

    run()


def test_a_rare_filter_far_away_is_still_found(dalian_map, make_position):
    """Filtering never loses results: many non-matching positions nearer than the one match."""
    for i in range(40):
        make_position(state=PositionState.OPERATING, lng=CENTRE[0] + i * 1e-5, lat=CENTRE[1], facilities=[])
    far = make_position(state=PositionState.OPERATING, lng=CENTRE[0] + 0.03, lat=CENTRE[1], facilities=["wifi"])
    hits = index.nearest(*CENTRE, radius_m=5000, limit=5, filters=index.Filters(facilities=("wifi",)))
    assert [pk for pk, _d in hits] == [far.pk]


def test_ties_are_ordered_by_id_and_none_is_skipped(dalian_map, make_position):
    twins = [
        make_position(
            state=PositionState.OPERATING,
            lng=CENTRE[0] + 0.01,
            lat=CENTRE[1],
            official_name=f"工会户外劳动者服务站点·孪生{i}",
        )
        for i in range(30)
    ]
    hits = index.nearest(*CENTRE, radius_m=5000, limit=3)
    assert [pk for pk, _d in hits] == sorted(p.pk for p in twins)[:3]
    assert len({d for _pk, d in hits}) == 1


def test_the_radius_is_inclusive(dalian_map, make_position):
    position = make_position(state=PositionState.OPERATING, lng=CENTRE[0] + 0.01, lat=CENTRE[1])
    exact = distance_m(*CENTRE, position.lng, position.lat)
    assert index.nearest(*CENTRE, radius_m=exact, limit=5) == [(position.pk, exact)]
    assert index.nearest(*CENTRE, radius_m=exact - 1e-6, limit=5) == []


@pytest.mark.parametrize("state", [PositionState.PLANNED, PositionState.BUILDING, PositionState.DELISTED])
def test_positions_not_public_never_appear(state, dalian_map, make_position):
    make_position(state=state, lng=CENTRE[0], lat=CENTRE[1])
    assert index.nearest(*CENTRE, radius_m=50_000, limit=50) == []
    assert index.nearest(*CENTRE, radius_m=50_000, limit=50, filters=index.Filters(include_suspended=True)) == []


def test_suspended_positions_appear_unless_excluded_and_are_never_open(dalian_map, make_position):
    position = make_position(state=PositionState.SUSPENDED, state_reason="装修", always_open=True)
    assert [pk for pk, _d in index.nearest(*CENTRE, radius_m=5000, limit=5)] == [position.pk]
    assert index.nearest(*CENTRE, radius_m=5000, limit=5, filters=index.Filters(include_suspended=False)) == []
    assert index.nearest(*CENTRE, radius_m=5000, limit=5, open_now=True) == []


def test_an_empty_registry_answers_nothing(db):
    assert index.nearest(*CENTRE, radius_m=5000, limit=5) == []


def test_unknown_filter_values_are_a_programming_error(db):
    with pytest.raises(ValueError):
        index.nearest(*CENTRE, radius_m=5000, limit=5, filters=index.Filters(facilities=("jacuzzi",)))
