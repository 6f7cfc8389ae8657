"""The change feed (issue 20 §2): a monotonic cursor, tombstones, 304 on an unchanged poll, clear
errors for bad cursors, and the proof: a copy kept by replaying the feed after any sequence of
changes equals the public registry."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.positions import services
from yizhan.positions.choices import PositionState
from yizhan.positions.hours_exceptions import hours_exception_create, hours_exception_delete
from yizhan.positions.models import Position, PositionStateChange
from yizhan.positions.tests.factories import STEP_LNG, ZHONGSHAN, PositionFactory
from yizhan.publishing import api as hsds_api
from yizhan.publishing import records
from yizhan.publishing.models import PublicationHead, PublishedPosition
from yizhan.publishing.publication import refresh

FEED = "/api/v1/hsds/changes"


def poll(client, cursor: str | None, *, limit: int = 1000) -> tuple[list[dict], str]:
    """Every change after `cursor`, following `more`; the new cursor."""
    found = []
    while True:
        params = {"limit": limit}
        if cursor:
            params["since"] = cursor
        response = client.get(FEED, params)
        assert response.status_code == 200, response.content
        body = json.loads(response.content)
        found += body["changes"]
        cursor = body["cursor"]
        if not body["more"]:
            return found, cursor


def apply(copy: dict, changes: list[dict]) -> None:
    """How a partner keeps its copy: the sync script's rule (docs/examples/hsds_sync.py)."""
    for change in changes:
        if change.get("replaces"):
            copy.pop(change["replaces"], None)
        if change["deleted"]:
            copy.pop(change["id"], None)
        else:
            copy[change["id"]] = change["service"]


def public_registry() -> dict[str, dict]:
    """The public registry as the registry itself says it, independent of the published rows."""
    positions = Position.objects.public().select_related("unit", "region__parent__parent")
    return {
        records.service_id_of(p.code): records.service_record(p, list(p.hours_exceptions.order_by("start", "pk")))
        for p in positions
    }


def without_times(copy: dict) -> dict:
    return {key: {k: v for k, v in service.items() if k != "last_modified"} for key, service in copy.items()}


def test_the_feed_numbers_changes_and_leaves_tombstones(client, make_position, zs_admin):
    a = make_position(state=PositionState.OPERATING)
    b = make_position(state=PositionState.OPERATING)
    changes, cursor = poll(client, None)
    assert [c["id"] for c in changes] == [records.service_id_of(a.code), records.service_id_of(b.code)]
    seqs = [c["seq"] for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == 2
    # Nothing new: no changes, the same cursor.
    again, same = poll(client, cursor)
    assert again == [] and same == cursor
    services.position_transition(actor=zs_admin, position=a, to_state=PositionState.DELISTED, reason="撤站")
    changes, cursor2 = poll(client, cursor)
    assert changes == [{"seq": changes[0]["seq"], "id": records.service_id_of(a.code), "deleted": True}]
    assert changes[0]["seq"] > max(seqs)
    # A deleted position (a correction of a mistaken entry) is a tombstone too.
    PositionStateChange.objects.filter(position=b).delete()
    Position.objects.filter(pk=b.pk).delete()
    changes, _ = poll(client, cursor2)
    assert [(c["id"], c["deleted"]) for c in changes] == [(records.service_id_of(b.code), True)]


def test_a_write_that_changes_nothing_public_is_not_in_the_feed(client, make_position, zs_admin):
    position = make_position(state=PositionState.OPERATING)
    _changes, cursor = poll(client, None)
    services.position_update(actor=zs_admin, position=position, manager_name="张三", manager_phone="13812345678")
    changes, _ = poll(client, cursor)
    assert changes == []


def test_a_changed_code_replaces_the_old_service_id(client, make_position, zs_admin):
    position = make_position(state=PositionState.OPERATING)
    old = records.service_id_of(position.code)
    _changes, cursor = poll(client, None)
    services.position_update(actor=zs_admin, position=position, code="ZS-NEW-1")
    (change,) = poll(client, cursor)[0]
    assert change["id"] == records.service_id_of("ZS-NEW-1") and change["replaces"] == old


def test_an_unchanged_poll_answers_304(client, make_position, zs_admin):
    position = make_position(state=PositionState.OPERATING)
    first = client.get(FEED)
    cursor = json.loads(first.content)["cursor"]
    response = client.get(FEED, {"since": cursor})
    etag = response["ETag"]
    assert response["Last-Modified"]
    assert client.get(FEED, {"since": cursor}, headers={"If-None-Match": etag}).status_code == 304
    services.position_update(actor=zs_admin, position=position, short_name="新名")
    assert client.get(FEED, {"since": cursor}, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_poll_with_nothing_new_reads_no_row_and_sees_the_next_change(
    client, make_position, zs_admin, django_assert_num_queries
):
    """Outside a transaction the head is held per thread with the kernel mark it was published
    up to (publication._held): an unchanged poll reads the kernel feed only, and any committed
    change moves the mark, so the next poll republishes and answers it."""
    position = make_position(state=PositionState.OPERATING)
    cursor = json.loads(client.get(FEED).content)["cursor"]
    etag = client.get(FEED, {"since": cursor})["ETag"]
    with django_assert_num_queries(0):
        assert client.get(FEED, {"since": cursor}, headers={"If-None-Match": etag}).status_code == 304
    services.position_update(actor=zs_admin, position=position, short_name="新名")
    (change,) = poll(client, cursor)[0]
    assert change["service"]["alternate_name"] == "新名"
    assert client.get(FEED, {"since": cursor}, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize(
    ("since", "status", "message"),
    [
        ("garbage", 400, hsds_api.BAD_CURSOR),
        ("abc.-1", 400, hsds_api.BAD_CURSOR),
        ("abc.1.2", 400, hsds_api.BAD_CURSOR),
        ("{epoch}.999999", 400, hsds_api.CURSOR_AHEAD),
        ("deadbeef.1", 410, hsds_api.CURSOR_EXPIRED),
    ],
)
def test_bad_cursors(client, make_position, since, status, message):
    make_position(state=PositionState.OPERATING)
    head = refresh()
    response = client.get(FEED, {"since": since.format(epoch=head.epoch)})
    assert response.status_code == status
    body = json.loads(response.content)
    assert body == {"detail": str(message), "field": "since"}


@pytest.mark.parametrize("limit", ["0", "1001", "x"])
def test_bad_limits(client, db, limit):
    response = client.get(FEED, {"limit": limit})
    assert response.status_code == 400 and json.loads(response.content)["field"] == "limit"


def test_numbers_never_repeat_or_go_back(make_position, zs_admin):
    seen = []
    for i in range(4):
        make_position(state=PositionState.OPERATING)
        seen.append(refresh().seq)
        assert PublicationHead.objects.get().seq == seen[-1]
        assert i == 0 or seen[-1] > seen[-2]


# ------------------------------------------------------------------ the proof by replay

OPERATIONS = ["create", "create_planned", "open", "change", "move", "suspend", "reopen", "delist", "exception"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_replaying_the_feed_keeps_an_exact_copy(client, dalian_map, zs_admin, data):
    with transaction.atomic():
        copy: dict = {}
        cursor = None
        positions: list[Position] = []
        steps = data.draw(st.lists(st.sampled_from(OPERATIONS), min_size=5, max_size=25), label="steps")
        for step in steps:
            _apply_step(step, positions, zs_admin, dalian_map, data)
            if data.draw(st.booleans(), label="poll now"):
                changes, cursor = poll(client, cursor, limit=data.draw(st.integers(1, 5), label="limit"))
                apply(copy, changes)
                assert without_times(copy) == public_registry()
        changes, cursor = poll(client, cursor, limit=3)
        apply(copy, changes)
        assert without_times(copy) == public_registry()
        # A fresh copy from the beginning agrees too.
        fresh: dict = {}
        apply(fresh, poll(client, None)[0])
        assert without_times(fresh) == public_registry()
        transaction.set_rollback(True)


def _pick(positions: list[Position], data, *states) -> Position | None:
    for position in positions:
        position.refresh_from_db()
    candidates = [p for p in positions if p.state in states]
    return data.draw(st.sampled_from(candidates), label="position") if candidates else None


def _apply_step(step: str, positions: list[Position], actor, dalian_map, data) -> None:
    S = PositionState
    live = (S.PLANNED, S.BUILDING, S.OPERATING, S.SUSPENDED)
    if step in ("create", "create_planned"):
        state = S.OPERATING if step == "create" else S.PLANNED
        positions.append(PositionFactory(actor=actor, unit=dalian_map["zs"], state=state))
        return
    if step == "open":
        if position := _pick(positions, data, S.PLANNED):
            services.position_transition(actor=actor, position=position, to_state=S.BUILDING)
            services.position_transition(actor=actor, position=position, to_state=S.OPERATING)
        return
    if step == "change":
        if position := _pick(positions, data, *live):
            name = data.draw(st.sampled_from(["东站", "西站", "南站", "北站"]), label="name")
            services.position_update(actor=actor, position=position, short_name=name)
        return
    if step == "move":
        if position := _pick(positions, data, *live):
            offset = data.draw(st.integers(0, 40), label="offset") * STEP_LNG / 4
            services.position_update(actor=actor, position=position, lng=ZHONGSHAN[0] + offset, lat=ZHONGSHAN[1])
        return
    if step == "suspend":
        if position := _pick(positions, data, S.OPERATING):
            services.position_transition(actor=actor, position=position, to_state=S.SUSPENDED, reason="维修")
        return
    if step == "reopen":
        if position := _pick(positions, data, S.SUSPENDED):
            services.position_transition(actor=actor, position=position, to_state=S.OPERATING)
        return
    if step == "delist":
        if position := _pick(positions, data, S.OPERATING, S.SUSPENDED, S.PLANNED):
            services.position_transition(actor=actor, position=position, to_state=S.DELISTED, reason="撤站")
        return
    if step == "exception" and (position := _pick(positions, data, *live)):
        existing = list(position.hours_exceptions.all())
        if existing and data.draw(st.booleans(), label="remove"):
            hours_exception_delete(actor=actor, position=position, exception=existing[0])
        else:
            day = timezone.localdate() + timedelta(days=data.draw(st.integers(1, 60), label="day"))
            if not position.hours_exceptions.filter(start__lte=day, end__gte=day).exists():
                hours_exception_create(actor=actor, position=position, start=day, end=day, reason="临时闭站")


def test_the_refresh_command_publishes_at_once(make_position):
    from io import StringIO

    from django.core.management import call_command

    position = make_position(state=PositionState.OPERATING)
    out = StringIO()
    call_command("publishing_refresh", stdout=out)
    head = PublicationHead.objects.get()
    assert out.getvalue().startswith(f"feed at {head.epoch}.{head.seq} ") and head.seq == 1
    assert records.service_id_of(position.code) in [r.service_id for r in PublishedPosition.objects.all()]


@pytest.mark.parametrize("service_id", ["3f2b1c9e-0000-4000-8000-000000000001", 'odd"id\\with\nquote', "站点-1"])
@pytest.mark.parametrize("public", [True, False])
def test_a_change_is_valid_json_whatever_its_ids_hold(service_id, public):
    """change_text writes plain ids as they are and anything else through json (never broken JSON)."""
    import datetime as dt
    import json
    from types import SimpleNamespace

    from yizhan.publishing.api import change_text
    from yizhan.publishing.selectors import PUBLIC

    when = dt.datetime(2026, 12, 6, 12, 0, 0, 123456, tzinfo=dt.UTC)
    row = SimpleNamespace(
        seq=7,
        service_id=service_id,
        former_service_id=service_id,
        public=public,
        unit_path="0001",
        record='{"id":"x","name":"驿站"}',
        modified_at=when,
    )
    change = json.loads(change_text(PUBLIC, row))
    if public:
        assert change == {
            "seq": 7,
            "id": service_id,
            "deleted": False,
            "replaces": service_id,
            "service": {"id": "x", "name": "驿站", "last_modified": "2026-12-06T12:00:00.123Z"},
        }
    else:
        assert change == {"seq": 7, "id": service_id, "deleted": True}
