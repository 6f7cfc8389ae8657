"""The staff list's filters on the database engine (issue 3 list target, positions/listing.py):
each filter keeps exactly what a plain Python filter over every position keeps, and exactly what the
filter did before it used the facility bits, the trigram index and cached counts; the triggers keep
the derived data in step on every write path; counts cached under the list version never go stale.

Valid on SQLite and PostgreSQL alike: texts and data use CJK characters and ASCII, on which both
engines' case rules agree; where they do not (accented Latin), the expectation is the old filter run
on the same engine.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.core import pagination
from yizhan.core.roles import Role
from yizhan.core.scoping import Actor
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Region, Unit
from yizhan.orgs.tests.factories import UnitFactory
from yizhan.positions import listing, rules, selectors, services
from yizhan.positions.choices import (
    CentreLevel,
    ConstructionType,
    Facility,
    PositionKind,
    PositionState,
)
from yizhan.positions.models import Position
from yizhan.positions.tests.conftest import XIGANG, ZHONGSHAN
from yizhan.positions.tests.factories import PositionFactory

URL = "/api/v1/positions"

# Name parts: Chinese and Latin, sharing runs of one, two and three or more characters.
SITES = [
    "八一路",
    "八一广场",
    "人民路",
    "一二九街",
    "Abc大厦",
    "abc-Lab",
    "KS路口",
    "青泥洼桥",
    "中山广场",
    "X号",
    "路",
    "Wifi站",
]
STREETS = ["八一路", "人民路", "友好广场", "解放路", "Zhongshan Rd", "abc_1%"]
CODES = ["ABC", "abc-1", "KS-01", "ZS-001", "ZS-002", "P_1", "X", "XG-101", "a-b-c", "Zs-C01", "NAT-9", "K"]
CHARS = '八一路人民广场青泥洼桥中山区号大厦站点·AaBbCcKkSsXxZz0129-_% "'
# ASCII only: for other letters the engines' case rules differ (see the accented Latin test).
FACILITY_VALUES = [*Facility.values, "WIFI", "Toilet", "", "x", ", ", 'wifi", "toilet', '"']


@dataclass
class Registry:
    positions: list[Position]
    actors: list[Actor]
    units: list[Unit]
    adcodes: list[str]


def _facility_sets():
    values = Facility.values
    return [values[i::5][: 1 + i % 4] for i in range(10)] + [[], list(values), ["wifi", "toilet", "microwave"]]


@pytest.fixture
def registry(dalian_map, make_actor) -> Registry:
    """About 40 positions written through the services in three units and two districts, every
    kind and state, the names, codes and facilities above; and a few written with `bulk_create`,
    as the national demo and bulk imports do, which only the database triggers see."""
    street = UnitFactory(code="DL-ZS-QNWQ", name="青泥洼桥街道工会", type=UnitType.STREET, parent=dalian_map["zs"])
    units = [dalian_map["zs"], dalian_map["xg"], street, dalian_map["industry"]]
    admins = {u.pk: make_actor(Role.UNIT_ADMIN, u) for u in units}
    admins[dalian_map["industry"].pk] = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    facility_sets = _facility_sets()
    states = list(PositionState)
    constructions = [ConstructionType.SANITATION, ConstructionType.MERCHANT, ConstructionType.FINANCIAL]
    created = []
    for n in range(36):
        unit = units[n % 4]
        point = XIGANG if unit == dalian_map["xg"] else ZHONGSHAN
        created.append(
            PositionFactory(
                actor=admins[unit.pk],
                unit=unit,
                state=states[n % len(states)],
                code=CODES[n] if n < len(CODES) else f"P{n:03d}",
                official_name=f"工会户外劳动者服务站点·{SITES[n % len(SITES)]}{n}",
                short_name=SITES[(n * 5) % len(SITES)] if n % 3 else "",
                address=f"{'中山区' if point == ZHONGSHAN else '西岗区'}{STREETS[n % len(STREETS)]}{n}号",
                lng=point[0] + (n % 6) * 0.0009,
                lat=point[1] + (n // 6) * 0.0004,
                construction_type=constructions[n % 3],
                facilities=facility_sets[n % len(facility_sets)],
            )
        )
    zs_admin = admins[dalian_map["zs"].pk]
    centre = services.position_create(
        actor=zs_admin,
        unit=dalian_map["zs"],
        code="ZS-C01X",
        kind=PositionKind.CENTRE,
        centre_level=CentreLevel.DISTRICT,
        official_name="中山区职工服务中心",
        address="中山区解放路",
        lng=ZHONGSHAN[0] - 0.002,
        lat=ZHONGSHAN[1],
        construction_type=ConstructionType.UNION_CENTRE,
        facilities=["wifi", "toilet"],
    )
    work_station = services.position_create(
        actor=zs_admin,
        unit=dalian_map["zs"],
        code="ZS-W01",
        kind=PositionKind.WORK_STATION,
        parent_centre=centre,
        official_name="中山区职工服务中心八一路工作站",
        address="中山区八一路8号",
        lng=ZHONGSHAN[0] - 0.003,
        lat=ZHONGSHAN[1],
        construction_type=ConstructionType.UNION_CENTRE,
        state=PositionState.OPERATING,
    )
    created += [centre, work_station]
    template = created[0]
    bulk = []
    for n, facilities in enumerate([["wifi"], ["drinking_water", "wifi", "charging"], [], ["toilet"]]):
        name = f"工会户外劳动者服务站点·批量八一路{n}"
        bulk.append(
            Position(
                code=f"BULK-{n}",
                kind=PositionKind.STATION,
                official_name=name,
                short_name="批量",
                search_initials=rules.pinyin_initials(name, "批量"),
                unit=units[n % 3],
                region=template.region,
                address=f"中山区人民路{n}号",
                lng=template.lng,
                lat=template.lat + 0.01 * (n + 1),
                construction_type=ConstructionType.SANITATION,
                facilities=facilities,
                state=PositionState.OPERATING,
            )
        )
    Position.objects.bulk_create(bulk)
    actors = [
        make_actor(Role.FEDERATION_ADMIN, dalian_map["city"]),
        zs_admin,
        make_actor(Role.STATION_MANAGER, street),
    ]
    return Registry(
        positions=list(Position.objects.select_related("unit", "region__parent__parent").order_by("code")),
        actors=actors,
        units=[dalian_map["city"], *units],
        adcodes=["", "210000", "210200", "210202", "210203", "210204", "999999"],
    )


# --------------------------------------------------------------------------- the expectations


def _ci(text: str) -> str:
    """Case folding both engines agree on for the texts above (ASCII letters; CJK has no case)."""
    return text.lower()


def _text_hit(position: Position, text: str) -> bool:
    return (
        any(_ci(text) in _ci(value) for value in (position.official_name, position.short_name, position.address))
        or _ci(position.code) == _ci(text)
        or text.lower() in position.search_initials
    )


def _facility_hit(position: Position, value: str) -> bool:
    if value.isascii() and value.lower() in Facility.values:
        return value.lower() in position.facilities
    # The JSON text test of the old filter, for values that name no facility.
    return f'"{value}"'.lower() in json.dumps(position.facilities).lower()


def _region_adcodes(position: Position) -> set[str]:
    region, codes = position.region, set()
    while region is not None:
        codes.add(region.adcode)
        region = region.parent
    return codes


def expected(registry: Registry, actor: Actor, filters: selectors.PositionFilters) -> list[str]:
    """The codes a plain Python filter over every position keeps, in code order."""
    kept = []
    for p in registry.positions:
        unit = next(u for u in registry.units if u.pk == filters.unit) if filters.unit else None
        if not actor.covers_unit(p.unit) or (unit and not p.unit.path.startswith(unit.path)):
            continue
        if (filters.kind and p.kind != filters.kind) or (filters.state and p.state != filters.state):
            continue
        if filters.construction_type and p.construction_type != filters.construction_type:
            continue
        if not all(_facility_hit(p, value) for value in filters.facility):
            continue
        if filters.region and filters.region not in _region_adcodes(p):
            continue
        if filters.q and not _text_hit(p, filters.q.strip()):
            continue
        kept.append(p.code)
    return sorted(kept)


def before(actor: Actor, filters: selectors.PositionFilters):
    """The list's filter as it was before the facility bits and the trigram index (commit 9f77e08)."""
    positions = Position.objects.restrict(actor)
    if filters.unit:
        unit = Unit.objects.filter(pk=filters.unit).first()
        positions = positions.filter(unit__path__startswith=unit.path) if unit else positions.none()
    if filters.kind:
        positions = positions.filter(kind=filters.kind)
    if filters.state:
        positions = positions.filter(state=filters.state)
    for facility in filters.facility:
        positions = positions.filter(facilities__icontains=f'"{facility}"')
    if filters.construction_type:
        positions = positions.filter(construction_type=filters.construction_type)
    if filters.region:
        areas = Region.objects.filter(
            Q(adcode=filters.region) | Q(parent__adcode=filters.region) | Q(parent__parent__adcode=filters.region)
        )
        positions = positions.filter(region_id__in=list(areas.values_list("pk", flat=True)))
    if filters.q:
        text = filters.q.strip()
        positions = positions.filter(
            Q(official_name__icontains=text)
            | Q(short_name__icontains=text)
            | Q(address__icontains=text)
            | Q(code__iexact=text)
            | Q(search_initials__contains=text.lower())
        )
    return positions.order_by("code")


def listed(actor: Actor, filters: selectors.PositionFilters) -> tuple[list[str], int]:
    positions = selectors.position_list(actor=actor, filters=filters)
    return list(positions.values_list("code", flat=True)), positions.count()


def check(registry: Registry, actor: Actor, filters: selectors.PositionFilters) -> list[str]:
    """The list keeps what the Python filter keeps, in the order and with the count the old filter
    gives on this engine (its collation decides the order of codes)."""
    codes, count = listed(actor, filters)
    assert sorted(codes) == expected(registry, actor, filters), filters
    assert codes == list(before(actor, filters).values_list("code", flat=True)), filters
    assert count == len(codes)
    return codes


# --------------------------------------------------------------------------- properties


@st.composite
def _texts(draw, values: list[str]):
    """Text of 0–6 characters, or a piece of a real value with its ASCII letters' case flipped."""
    if draw(st.booleans()):
        return draw(st.text(alphabet=CHARS, max_size=6))
    value = draw(st.sampled_from(values))
    start = draw(st.integers(0, max(len(value) - 1, 0)))
    piece = value[start : start + draw(st.integers(1, 6))]
    flips = draw(st.lists(st.booleans(), min_size=len(piece), max_size=len(piece)))
    return "".join(c.swapcase() if flip and c.isascii() else c for c, flip in zip(piece, flips, strict=True))


@pytest.mark.django_db
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_filter_keeps_what_a_python_filter_keeps(registry, data):
    positions = registry.positions
    values = [v for p in positions for v in (p.official_name, p.short_name, p.address, p.code, p.search_initials) if v]
    filters = selectors.PositionFilters(
        unit=data.draw(st.sampled_from([None, *(u.pk for u in registry.units)])),
        kind=data.draw(st.sampled_from(["", *PositionKind.values])),
        state=data.draw(st.sampled_from(["", *PositionState.values])),
        facility=data.draw(st.lists(st.sampled_from(FACILITY_VALUES), max_size=3)),
        construction_type=data.draw(st.sampled_from(["", *ConstructionType.values[:4]])),
        region=data.draw(st.sampled_from(registry.adcodes)),
        q=data.draw(st.one_of(st.just(""), _texts(values))),
    )
    check(registry, data.draw(st.sampled_from(registry.actors)), filters)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_text_search_alone_keeps_what_a_python_filter_keeps(registry, data):
    values = [v for p in registry.positions for v in (p.official_name, p.short_name, p.address, p.code) if v]
    check(registry, data.draw(st.sampled_from(registry.actors)), selectors.PositionFilters(q=data.draw(_texts(values))))


@pytest.mark.django_db
def test_every_stored_value_and_its_first_characters_find_their_positions(registry):
    """Whole values and their first one, two and three characters: both sides of the trigram limit."""
    texts = {
        text
        for p in registry.positions
        for value in (p.official_name.removeprefix(rules.STATION_PREFIX), p.short_name, p.address, p.code)
        for text in (value, value[:1], value[:2], value[:3], value[1:4], value.upper(), value.lower())
        if text
    } | {p.search_initials for p in registry.positions if p.search_initials}
    for text in sorted(texts):
        check(registry, registry.actors[0], selectors.PositionFilters(q=text))


# (text, why): both sides of the trigram index's three characters, Chinese and Latin.
TEXT_EXAMPLES = [
    ("八", "one Chinese character"),
    ("八一", "two Chinese characters"),
    ("八一路", "three: the trigram index"),
    ("路口", "two, at the end of a value"),
    ("中山区职工服务中心八一路工作站", "a whole name"),
    ("K", "one Latin letter"),
    ("ks", "two Latin letters, other case"),
    ("abc", "three Latin letters, both cases in the data"),
    ("ABC-LAB", "Latin with a dash, other case"),
    ("zhongshan rd", "Latin with a space"),
    ("abc_1%", "LIKE's wildcards taken literally"),
    ("byl", "pinyin initials"),
    ("BYL", "pinyin initials in capitals"),
    ("rml", "initials of another name"),
    ("zs-c01", "a code, other case"),
    ("ZS-C0", "part of a code: not a code match"),
    ("x", "a one-letter code and name part"),
    ("k", "a one-letter code, other case"),
    ('"八一路"', "quotes"),
    ("  八一路  ", "surrounding spaces"),
    ("   ", "only spaces"),
    ("工会户外劳动者服务站点·", "the station prefix"),
    ("号", "one character in every address"),
]


@pytest.mark.django_db
def test_text_search_examples(registry):
    for q, _why in TEXT_EXAMPLES:
        for actor in registry.actors:
            check(registry, actor, selectors.PositionFilters(q=q))


# Facility filters: combinations, other cases, and values that name no facility.
FACILITY_EXAMPLES = [
    ["wifi"],
    ["wifi", "toilet"],
    ["drinking_water", "microwave", "tables_chairs"],
    list(Facility.values),
    ["WIFI"],
    ["Wifi", "toilet"],
    ["no_such_facility"],
    ["wifi", "no_such_facility"],
    [", "],
    ['wifi", "toilet'],
    [""],
]


@pytest.mark.django_db
def test_facility_combinations(registry):
    for facility, actor in itertools.product(FACILITY_EXAMPLES, registry.actors):
        check(registry, actor, selectors.PositionFilters(facility=facility))
        check(registry, actor, selectors.PositionFilters(facility=facility, state=PositionState.OPERATING))


@pytest.mark.django_db
def test_letters_outside_ascii_keep_what_each_engine_matched_before(registry, zs_admin):
    """Case of letters outside ASCII: SQLite's LIKE ignores it for ASCII only, PostgreSQL's UPPER for
    all; the trigram index folds more than either, and the list keeps exactly the old answer."""
    PositionFactory(
        actor=zs_admin,
        unit=zs_admin.unit,
        code="CAFE-1",
        official_name="工会户外劳动者服务站点·Café Été",
        address="中山区ÉCOLE路",
        lng=ZHONGSHAN[0] + 0.006,
        lat=ZHONGSHAN[1] - 0.002,
    )
    examples = [{"q": q} for q in ["café", "CAFÉ", "Café", "été", "ÉTÉ", "école", "École", "ÉCOLE", "cole", "fé é"]]
    # PostgreSQL's UPPER('ı') is 'I', so the old JSON text test found wifi for "wıfı" there.
    examples += [{"facility": ["wıfı"]}, {"facility": ["WİFİ"]}, {"facility": ["wifi", "ᴡifi"]}]
    for example in examples:
        filters = selectors.PositionFilters(**example)
        codes, count = listed(registry.actors[0], filters)
        assert codes == list(before(registry.actors[0], filters).values_list("code", flat=True)), example
        assert count == len(codes)
    assert listed(registry.actors[0], selectors.PositionFilters(q="Café"))[0] == ["CAFE-1"]


@pytest.mark.django_db
def test_api_pages_add_up_to_the_filtered_list(registry, login, make_user, dalian_map):
    client = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    actor = registry.actors[0]
    for params in [
        {},
        {"q": "八一路"},
        {"q": "八一"},
        {"facility": ["wifi"], "state": "operating"},
        {"region": "210202"},
    ]:
        filters = selectors.PositionFilters(**params)
        want = list(before(actor, filters).values_list("code", flat=True))
        assert sorted(want) == expected(registry, actor, filters)
        got, counts = [], set()
        for offset in range(0, len(want) + 7, 7):
            body = client.get(URL, {**params, "limit": 7, "offset": offset}).json()
            got += [item["code"] for item in body["items"]]
            counts.add(body["count"])
        assert got == want, params
        assert counts == {len(want)}, params


# --------------------------------------------------------------------------- the derived data


def test_every_facility_has_its_own_bit():
    assert set(listing.FACILITY_BITS) == set(Facility.values)
    bits = list(listing.FACILITY_BITS.values())
    assert len(set(bits)) == len(bits) and all(bit & (bit - 1) == 0 for bit in bits)


def _mask_in_database(pk: int) -> int:
    return Position.objects.values_list("facility_mask", flat=True).get(pk=pk)


@pytest.mark.django_db
def test_the_database_computes_each_facilitys_bit_on_every_write_path(make_position, zs_admin):
    """The triggers' facility table (frozen in migration 0005) agrees with listing.FACILITY_BITS."""
    position = make_position(facilities=[])
    template = Position.objects.get(pk=position.pk)
    bulk = []
    for n, value in enumerate(Facility.values):
        copy = Position.objects.get(pk=position.pk)
        copy.pk, copy.code, copy.lat, copy.facilities = None, f"BIT-{n}", template.lat + 0.001 * (n + 1), [value]
        bulk.append(copy)
    Position.objects.bulk_create(bulk)
    for copy in Position.objects.filter(code__startswith="BIT-"):
        assert _mask_in_database(copy.pk) == listing.FACILITY_BITS[copy.facilities[0]], copy.facilities
    # The import's batch path: rules applied by position_prepare, rows written by one bulk insert.
    imported = services.position_prepare(
        actor=zs_admin,
        unit=zs_admin.unit,
        code="IMPORTED-1",
        kind=PositionKind.STATION,
        official_name="工会户外劳动者服务站点·导入八一路",
        address="中山区导入路1号",
        lng=ZHONGSHAN[0] + 0.004,
        lat=ZHONGSHAN[1] - 0.002,
        construction_type=ConstructionType.SANITATION,
        facilities=["wifi", "lockers"],
    )
    services.positions_create_many(actor=zs_admin, positions=[imported])
    assert _mask_in_database(imported.pk) == listing.facility_mask(["wifi", "lockers"])
    found = selectors.position_list(
        actor=zs_admin, filters=selectors.PositionFilters(q="导入八一", facility=["lockers"])
    )
    assert [p.code for p in found] == ["IMPORTED-1"]
    assert _mask_in_database(position.pk) == 0
    services.position_update(actor=zs_admin, position=position, facilities=["wifi", "toilet", "charging"])
    assert _mask_in_database(position.pk) == listing.facility_mask(["wifi", "toilet", "charging"])
    Position.objects.filter(pk=position.pk).update(facilities=["microwave"])
    assert _mask_in_database(position.pk) == listing.FACILITY_BITS["microwave"]
    Position.objects.filter(pk=position.pk).update(facility_mask=12345)  # derived: recomputed
    assert _mask_in_database(position.pk) == listing.FACILITY_BITS["microwave"]


@pytest.mark.django_db
def test_text_search_follows_renames_and_bulk_writes(make_position, zs_admin):
    actor = zs_admin
    position = make_position(
        official_name="工会户外劳动者服务站点·旧名字", short_name="旧简称", address="中山区旧路1号"
    )

    def found(q):
        return list(selectors.position_list(actor=actor, filters=selectors.PositionFilters(q=q)))

    assert found("旧名字") == [position]
    services.position_update(actor=actor, position=position, official_name="工会户外劳动者服务站点·新名字")
    assert found("旧名字") == [] and [p.pk for p in found("新名字")] == [position.pk]
    assert [p.pk for p in found("旧简称")] == [position.pk]  # the short name did not change
    Position.objects.filter(pk=position.pk).update(address="中山区另一条路2号", code="RENAMED-1")
    assert found("旧路1") == [] and [p.pk for p in found("另一条路")] == [position.pk]
    assert [p.pk for p in found("renamed-1")] == [position.pk]


# --------------------------------------------------------------------------- cached counts


def _count(actor, **filters) -> int:
    return selectors.position_list(actor=actor, filters=selectors.PositionFilters(**filters)).count()


@pytest.mark.django_db(transaction=True)
def test_cached_counts_follow_every_write(dalian_map, make_actor, make_position):
    """Counts are cached under the list version; every committed write to positions (services, bulk
    writes, plain updates) or to units (whose paths decide scope) changes it."""
    city = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    first = make_position(facilities=["wifi"])
    version = listing.list_version(using=connection.alias)
    assert version is not None
    assert _count(city) == 1 and _count(city, facility=["wifi"]) == 1
    assert listing.list_version(using=connection.alias) == version  # reading changes nothing

    make_position(facilities=["wifi"])
    assert listing.list_version(using=connection.alias) != version
    assert _count(city) == 2 and _count(city, facility=["wifi"]) == 2

    copy = Position.objects.get(pk=first.pk)
    copy.pk, copy.code, copy.lat = None, "BULK-1", copy.lat + 0.01
    Position.objects.bulk_create([copy])
    assert _count(city) == 3 and _count(city, facility=["wifi"]) == 3

    Position.objects.filter(pk=first.pk).update(facilities=["toilet"])
    assert _count(city, facility=["wifi"]) == 2
    Position.objects.filter(pk=first.pk).update(state=PositionState.OPERATING)
    assert _count(city, state=PositionState.OPERATING) == 1

    assert _count(city, unit=999_999) == 0  # no such unit: nothing to count
    assert _count(city, region="999999") == 0  # no such area

    # A unit change that takes positions out of reach without touching a position row.
    Unit.objects.filter(pk=dalian_map["zs"].pk).update(path="ZZZZ")
    assert _count(city) == 0


@pytest.mark.django_db(transaction=True)
def test_pages_of_a_short_list_come_from_its_cached_keys_until_a_write(dalian_map, make_user, login, make_position):
    client = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    for n in range(7):
        make_position(code=f"Q{n}", official_name=f"工会户外劳动者服务站点·八一路{n}号")
    make_position(code="OTHER", official_name="工会户外劳动者服务站点·人民路")

    def pages(**params):
        bodies = [client.get(URL, {**params, "limit": 3, "offset": offset}).json() for offset in (0, 3, 6, 9)]
        assert {body["count"] for body in bodies} == {sum(len(body["items"]) for body in bodies)}
        return [item["code"] for body in bodies for item in body["items"]]

    def searches(queries) -> int:
        return sum("positions_position_text" in q["sql"] or "UPPER(" in q["sql"] for q in queries.captured_queries)

    want = [f"Q{n}" for n in range(7)]
    with CaptureQueriesContext(connection) as queries:
        assert pages(q="八一路") == want
    assert searches(queries) == 3  # the first page and the count, then every key once
    with CaptureQueriesContext(connection) as queries:
        assert pages(q="八一路") == want
    assert searches(queries) == 0
    assert pages(q="八一路", sort="-code") == want[::-1]

    make_position(code="Q7", official_name="工会户外劳动者服务站点·八一路7号")
    assert pages(q="八一路") == [*want, "Q7"]
    assert pages(q="八一路") == [*want, "Q7"]
    Position.objects.filter(code="Q0").update(official_name="工会户外劳动者服务站点·解放路")
    assert pages(q="八一路") == [*want[1:], "Q7"]


@pytest.mark.django_db(transaction=True)
def test_deep_pages_of_a_long_list_start_from_cached_checkpoints(
    dalian_map, make_user, make_actor, login, make_position, monkeypatch
):
    """Lists longer than SHORT_LIST and ordered by one unique column page from every CHECKPOINT-th
    value (both made small here); any other order pages as usual. Same pages either way."""
    monkeypatch.setattr(pagination, "SHORT_LIST", 3)
    monkeypatch.setattr(pagination, "CHECKPOINT", 4)
    client = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    city = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    for n in range(17):
        make_position(code=f"L{n:02d}", facilities=["wifi"] if n % 3 else [], state=PositionState.OPERATING)

    def pages(filters: selectors.PositionFilters, params: dict) -> list[str]:
        count, got = _count(city, **{**vars(filters), "sort": "code"}), []
        for offset in range(0, 21, 2):
            body = client.get(URL, {**params, "limit": 2, "offset": offset}).json()
            assert body["count"] == count, params
            got += [item["code"] for item in body["items"]]
        return got

    for params in [{}, {"sort": "-code"}, {"sort": "name"}, {"facility": ["wifi"], "state": "operating"}]:
        filters = selectors.PositionFilters(**params)
        want = list(selectors.position_list(actor=city, filters=filters).values_list("code", flat=True))
        assert pages(filters, params) == want  # the first page counts, later ones set the checkpoints
        assert pages(filters, params) == want  # now from the checkpoints
    make_position(code="L05a")
    assert pages(selectors.PositionFilters(), {}) == sorted([f"L{n:02d}" for n in range(17)] + ["L05a"])


def test_checkpoints_need_one_unique_column_to_order_by(db):
    positions = Position.objects.all()
    assert pagination._unique_order_column(positions.order_by("code")) == ("code", False)
    assert pagination._unique_order_column(positions.order_by("-code")) == ("code", True)
    assert pagination._unique_order_column(positions.order_by("-pk")) == ("id", True)
    for order in [("official_name",), ("official_name", "pk"), ("unit__name",), ("verified_on",)]:
        assert pagination._unique_order_column(positions.order_by(*order)) is None, order


@pytest.mark.django_db(transaction=True)
def test_counts_inside_a_transaction_are_neither_cached_nor_kept(dalian_map, make_actor, make_position):
    city = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    make_position()
    assert _count(city) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        make_position()
        assert listing.list_version(using=connection.alias) is None
        assert _count(city) == 2
        raise RuntimeError("roll back")
    assert _count(city) == 1


@pytest.mark.django_db
def test_a_short_last_page_gives_the_count_without_counting(registry, login, make_user, dalian_map):
    client = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    total = len(registry.positions)
    for params, count, items, counted in [
        ({"limit": 5, "offset": total - 2}, total, 2, False),
        ({"q": "no such text at all", "limit": 5}, 0, 0, False),
        ({"limit": 5, "offset": 5}, total, 5, True),
        ({"limit": 5, "offset": total + 10}, total, 0, True),
    ]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(URL, params).json()
        assert (body["count"], len(body["items"])) == (count, items), params
        assert any("COUNT(" in q["sql"].upper() for q in queries.captured_queries) is counted, params


def _database_triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal"
            )
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_every_trigger_of_the_list_migration_survives_later_migrations():
    """A later migration that rebuilds positions_position (SQLite does for a new constraint) must
    put 0005's triggers back; without them facility bits, text search and cached counts go stale."""
    import importlib
    import re

    migration = importlib.import_module("yizhan.positions.migrations.0005_list_indexes_search_counts")
    forward, _backward = migration.SQL[connection.vendor]
    created = set()
    for statement in forward:
        found = re.match(r"CREATE (?:CONSTRAINT )?TRIGGER (\w+) .*? ON (\w+)", " ".join(statement.split()))
        if found:
            created.add(found.groups())
    assert len(created) >= 5
    assert created <= _database_triggers()
