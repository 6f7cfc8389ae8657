"""Dated hours exceptions of a position (issue 3; spec §2): the rules of hours_exceptions.py, the
audit, scope and role, the staff pages and the API, and "open now" changing at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.positions import hours_exceptions as he
from yizhan.positions import rules, selectors
from yizhan.positions.choices import PositionState
from yizhan.positions.forms import INTERVAL_FORMAT
from yizhan.positions.models import HoursException
from yizhan.positions.tests.conftest import XIGANG

pytestmark = pytest.mark.django_db

API = "/api/v1/positions"
JSON = "application/json"


def today():
    return timezone.localdate()


def days(n: int):
    return today() + timedelta(days=n)


@pytest.fixture
def station(make_position, zs_admin):
    """An operating station of 中山区 open round the clock: open now, unless an exception says otherwise."""
    return make_position(actor=zs_admin, state=PositionState.OPERATING, always_open=True)


def create(actor, position, **fields):
    values = {"start": days(1), "end": days(1), "closed": True, "intervals": [], "reason": "停水检修"}
    values.update(fields)
    return he.hours_exception_create(actor=actor, position=position, **values)


def refused(call, **kwargs) -> ApplicationError:
    before = HoursException.objects.count()
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    assert HoursException.objects.count() == before
    return caught.value


# --------------------------------------------------------------------------- rules of the service


def test_a_closure_and_other_hours_are_created_in_canonical_form(station, zs_admin):
    closure = create(zs_admin, station, start=days(1), end=days(3), reason="  春节休息 ")
    assert (closure.closed, closure.intervals, closure.reason) == (True, [], "春节休息")
    other = create(
        zs_admin, station, start=days(5), end=days(5), closed=False, intervals=[["14:00", "18:00"], ["20:00", "04:00"]]
    )
    other.refresh_from_db()
    assert other.intervals == [["14:00", "18:00"], ["20:00", "04:00"]]  # sorted; the night span runs on
    assert [e.pk for e in selectors.hours_exception_list(actor=zs_admin, position=station)] == [closure.pk, other.pk]


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"start": days(3), "end": days(2)}, str(he.END_BEFORE_START), "end"),
        ({"start": days(1), "end": days(1 + he.MAX_DAYS)}, he.TOO_LONG.format(days=he.MAX_DAYS), "end"),
        ({"start": None}, str(he.START_REQUIRED), "start"),
        ({"end": "2026-05-01"}, str(he.END_REQUIRED), "end"),
        ({"closed": True, "intervals": [["08:00", "12:00"]]}, str(he.CLOSED_WITH_INTERVALS), "intervals"),
        ({"closed": False, "intervals": []}, str(he.INTERVALS_REQUIRED), "intervals"),
        ({"reason": ""}, str(he.REASON_REQUIRED), "reason"),
        ({"reason": " \t "}, str(he.REASON_REQUIRED), "reason"),
        ({"reason": "修" * 201}, he.REASON_TOO_LONG.format(limit=200), "reason"),
    ],
    ids=[
        "end-before-start",
        "longer-than-366-days",
        "no-start",
        "end-not-a-date",
        "closed-with-intervals",
        "open-without-intervals",
        "no-reason",
        "blank-reason",
        "reason-too-long",
    ],
)
def test_each_rule_refuses_with_a_message_naming_the_field(station, zs_admin, fields, message, field):
    error = refused(create, actor=zs_admin, position=station, **fields)
    assert (error.message, error.field) == (message, field)


@pytest.mark.parametrize(
    ("intervals", "fragment"),
    [
        ([["25:00", "26:00"]], "格式应为 HH:MM-HH:MM"),
        ([["8", "12:00"]], "格式应为 HH:MM-HH:MM"),
        ([["08:00"]], "格式应为 HH:MM-HH:MM"),
        ("08:00-12:00", "格式应为 HH:MM-HH:MM"),
        ([["08:00", "08:00"]], "开始与结束相同"),
        ([["08:00", "12:00"], ["11:00", "14:00"]], "有重叠"),
        ([["20:00", "04:00"], ["22:00", "23:00"]], "有重叠"),  # inside the night span
    ],
)
def test_intervals_are_checked_by_the_schedules_validator(station, zs_admin, intervals, fragment):
    error = refused(create, actor=zs_admin, position=station, closed=False, intervals=intervals)
    assert error.field == "intervals"
    assert error.message.startswith("开放时段有误：例外当日") and fragment in error.message


def test_the_longest_and_the_furthest_ahead_are_accepted_one_more_day_is_not(station, zs_admin):
    create(zs_admin, station, start=days(1), end=days(he.MAX_DAYS))  # 366 days, both ends included
    latest = days(he.MAX_DAYS_AHEAD)
    create(zs_admin, station, start=latest, end=latest)
    error = refused(
        create, actor=zs_admin, position=station, start=latest + timedelta(days=1), end=latest + timedelta(days=1)
    )
    assert error.field == "start"
    assert error.message == he.TOO_FAR_AHEAD.format(latest=latest.isoformat(), days=he.MAX_DAYS_AHEAD)


def test_past_dates_may_be_recorded(station, zs_admin):
    assert create(zs_admin, station, start=days(-30), end=days(-29)).pk


def test_exceptions_of_one_position_may_not_share_a_day(station, make_position, zs_admin):
    first = create(zs_admin, station, start=days(10), end=days(12), reason="检修")
    for start, end in [(days(12), days(14)), (days(8), days(10)), (days(11), days(11)), (days(5), days(20))]:
        error = refused(create, actor=zs_admin, position=station, start=start, end=end)
        assert error.message == he.OVERLAPS.format(reason="检修", start=days(10).isoformat(), end=days(12).isoformat())
        assert error.field == "start"
    create(zs_admin, station, start=days(13), end=days(13))  # the next day touches, does not overlap
    create(zs_admin, station, start=days(9), end=days(9))
    create(zs_admin, make_position(actor=zs_admin), start=days(10), end=days(12))  # another position
    assert HoursException.objects.filter(position=station).count() == 3
    assert first.pk


def test_an_update_keeps_the_rules_and_may_keep_its_own_days(station, zs_admin):
    first = create(zs_admin, station, start=days(1), end=days(2))
    second = create(zs_admin, station, start=days(5), end=days(6))
    he.hours_exception_update(actor=zs_admin, position=station, exception=first, end=days(3), reason="延长检修")
    first.refresh_from_db()
    assert (first.end, first.reason) == (days(3), "延长检修")
    with pytest.raises(ApplicationError) as caught:
        he.hours_exception_update(actor=zs_admin, position=station, exception=second, start=days(3))
    assert caught.value.field == "start" and "延长检修" in caught.value.message
    with pytest.raises(ApplicationError) as caught:
        he.hours_exception_update(actor=zs_admin, position=station, exception=second, closed=False)
    assert caught.value.message == str(he.INTERVALS_REQUIRED)
    with pytest.raises(ApplicationError) as caught:
        he.hours_exception_update(actor=zs_admin, position=station, exception=second, position_id=1)
    assert "position_id" in caught.value.message
    second.refresh_from_db()
    assert (second.start, second.closed) == (days(5), True)


def test_closing_an_open_exception_drops_its_hours(station, zs_admin):
    exception = create(zs_admin, station, closed=False, intervals=[["09:00", "12:00"]])
    he.hours_exception_update(actor=zs_admin, position=station, exception=exception, closed=True)
    exception.refresh_from_db()
    assert (exception.closed, exception.intervals) == (True, [])


def test_an_exception_is_only_reached_through_its_own_position(station, make_position, zs_admin):
    other = make_position(actor=zs_admin)
    exception = create(zs_admin, other)
    with pytest.raises(NotFoundError):
        he.hours_exception_update(actor=zs_admin, position=station, exception=exception, reason="改")
    with pytest.raises(NotFoundError):
        he.hours_exception_delete(actor=zs_admin, position=station, exception=exception)
    with pytest.raises(NotFoundError):
        selectors.hours_exception_get(actor=zs_admin, position=station, pk=exception.pk)
    assert HoursException.objects.get(pk=exception.pk).reason == "停水检修"


# --------------------------------------------------------------------------- audit


def test_create_update_and_delete_are_audited(station, zs_admin):
    exception = create(zs_admin, station, reason="停电")
    he.hours_exception_update(
        actor=zs_admin, position=station, exception=exception, closed=False, intervals=[["10:00", "16:00"]]
    )
    he.hours_exception_delete(actor=zs_admin, position=station, exception=exception)
    entries = list(
        AuditEntry.objects.filter(object_type="positions.hoursexception", object_id=str(exception.pk)).order_by("seq")
    )
    assert [e.action for e in entries] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    assert entries[0].after["reason"] == "停电" and entries[0].after["closed"] is True
    assert entries[1].before == {"closed": True, "intervals": []}
    assert entries[1].after == {"closed": False, "intervals": [["10:00", "16:00"]]}
    assert entries[2].before["reason"] == "停电"
    assert {e.unit_path for e in entries} == {station.unit.path}
    assert not HoursException.objects.filter(pk=exception.pk).exists()


def test_a_refused_exception_writes_no_audit_entry(station, zs_admin):
    before = AuditEntry.objects.count()
    refused(create, actor=zs_admin, position=station, reason="")
    assert AuditEntry.objects.count() == before


# --------------------------------------------------------------------------- scope and role


def test_another_districts_admin_cannot_reach_the_exceptions(station, zs_admin, dalian_map, make_actor):
    exception = create(zs_admin, station)
    outsider = make_actor(Role.UNIT_ADMIN, dalian_map["xg"])
    with pytest.raises(NotFoundError):
        create(outsider, station, start=days(20), end=days(20))
    with pytest.raises(NotFoundError):
        he.hours_exception_update(actor=outsider, position=station, exception=exception, reason="越权")
    with pytest.raises(NotFoundError):
        he.hours_exception_delete(actor=outsider, position=station, exception=exception)
    assert list(selectors.hours_exception_list(actor=outsider, position=station)) == []
    assert HoursException.objects.get().reason == "停水检修"


@pytest.mark.parametrize("role", [Role.STATION_MANAGER, Role.REVIEWER, Role.AUDITOR])
def test_roles_that_may_not_update_the_position_may_not_change_its_exceptions(
    station, zs_admin, dalian_map, make_actor, role
):
    exception = create(zs_admin, station)
    actor = make_actor(role, dalian_map["zs"])
    with pytest.raises(PermissionDeniedError):
        create(actor, station, start=days(20), end=days(20))
    with pytest.raises(PermissionDeniedError):
        he.hours_exception_update(actor=actor, position=station, exception=exception, reason="越权")
    with pytest.raises(PermissionDeniedError):
        he.hours_exception_delete(actor=actor, position=station, exception=exception)
    assert [e.pk for e in selectors.hours_exception_list(actor=actor, position=station)] == [exception.pk]


def test_the_federation_admin_above_may_manage_them(station, dalian_map, make_actor):
    federation = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    exception = create(federation, station)
    he.hours_exception_delete(actor=federation, position=station, exception=exception)
    assert not HoursException.objects.exists()


# --------------------------------------------------------------------------- open now


def test_a_closure_today_closes_the_position_at_once(station, zs_admin):
    assert rules.position_opening(station).is_open
    create(zs_admin, station, start=today(), end=today(), reason="临时停电")
    status = rules.position_opening(selectors.position_get(actor=zs_admin, pk=station.pk))
    assert not status.is_open
    assert status.opens_at is not None and status.opens_at.date() == days(1)


# --------------------------------------------------------------------------- staff pages


@pytest.fixture
def zs_client(dalian_map, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))


def page_url(position, *parts) -> str:
    return "/".join([f"/staff/positions/{position.pk}/hours-exceptions", *map(str, parts)]) + "/"


def form_data(**fields) -> dict:
    data = {"start": days(1).isoformat(), "end": days(1).isoformat(), "closed": "on", "intervals": "", "reason": "检修"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_detail_page_lists_current_and_upcoming_first_and_folds_the_past(station, zs_admin, zs_client):
    create(zs_admin, station, start=days(-20), end=days(-19), reason="去年检修")
    create(zs_admin, station, start=days(-1), end=days(1), reason="正在停水")
    create(zs_admin, station, start=days(7), end=days(7), closed=False, intervals=[["09:00", "12:00"]], reason="半天")
    page = zs_client.get(f"/staff/positions/{station.pk}/").content.decode()
    section = page[page.index('id="h-exceptions"') :]
    assert section.index("正在停水") < section.index("半天") < section.index("<details")
    assert section.index("<details") < section.index("去年检修")
    assert "已过去的例外（1 条）" in section
    assert "进行中" in section[: section.index("半天")]
    assert "09:00–12:00" in section
    assert "今日按例外安排：正在停水" in page
    assert page_url(station, "new") in page
    assert "营业中" not in page[: page.index('id="h-basic"')] and "已关闭" in page


def test_the_page_shows_a_closure_added_today_as_closed_now(station, zs_client):
    before = zs_client.get(f"/staff/positions/{station.pk}/").content.decode()
    assert 'class="opening open"' in before
    response = zs_client.post(
        page_url(station, "new"),
        form_data(start=today().isoformat(), end=today().isoformat(), reason="临时停电"),
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/staff/positions/{station.pk}/#h-exceptions"
    assert "已添加开放时间例外：临时停电" in page
    assert 'class="opening closed"' in page and 'class="opening open"' not in page
    assert HoursException.objects.get().reason == "临时停电"


def test_the_add_page_starts_with_a_closure_today(station, zs_client):
    page = zs_client.get(page_url(station, "new")).content.decode()
    assert "添加开放时间例外" in page
    assert f'value="{today().isoformat()}"' in page
    assert 'name="closed" id="id_closed" checked' in page


def test_the_add_page_shows_the_services_refusal_on_its_field(station, zs_client):
    response = zs_client.post(page_url(station, "new"), form_data(intervals="08:00-12:00"))
    page = response.content.decode()
    assert response.status_code == 200
    assert str(he.CLOSED_WITH_INTERVALS) in page and 'id="id_intervals_error"' in page
    response = zs_client.post(page_url(station, "new"), form_data(reason=""))
    assert str(he.REASON_REQUIRED) in response.content.decode()
    response = zs_client.post(page_url(station, "new"), form_data(closed=None, intervals="8点到12点"))
    assert INTERVAL_FORMAT.format(interval="8点到12点") in response.content.decode()
    response = zs_client.post(page_url(station, "new"), form_data(start="2026-13-40"))
    assert 'id="id_start_error"' in response.content.decode()
    assert not HoursException.objects.exists()


def test_open_hours_typed_with_chinese_punctuation_are_accepted(station, zs_client):
    zs_client.post(page_url(station, "new"), form_data(closed=None, intervals="14:00－18:00，08:00~12:00"))
    assert HoursException.objects.get().intervals == [["08:00", "12:00"], ["14:00", "18:00"]]


def test_the_edit_page_shows_and_saves_the_exception(station, zs_admin, zs_client):
    exception = create(zs_admin, station, closed=False, intervals=[["08:00", "12:00"], ["14:00", "18:00"]])
    page = zs_client.get(page_url(station, exception.pk, "edit")).content.decode()
    assert 'value="08:00-12:00, 14:00-18:00"' in page and 'value="停水检修"' in page
    response = zs_client.post(
        page_url(station, exception.pk, "edit"),
        form_data(start=days(2).isoformat(), end=days(4).isoformat(), reason="改为关闭"),
        follow=True,
    )
    assert "开放时间例外已保存" in response.content.decode()
    exception.refresh_from_db()
    assert (exception.start, exception.end, exception.closed, exception.intervals, exception.reason) == (
        days(2),
        days(4),
        True,
        [],
        "改为关闭",
    )
    refused_page = zs_client.post(page_url(station, exception.pk, "edit"), form_data(end=days(-5).isoformat()))
    assert str(he.END_BEFORE_START) in refused_page.content.decode()


def test_the_delete_button_removes_the_exception(station, zs_admin, zs_client):
    exception = create(zs_admin, station, reason="误填")
    assert zs_client.get(page_url(station, exception.pk, "delete")).status_code == 405
    response = zs_client.post(page_url(station, exception.pk, "delete"), follow=True)
    assert "开放时间例外已删除：误填" in response.content.decode()
    assert not HoursException.objects.exists()


def test_pages_answer_404_to_another_district_and_403_to_a_role_without_update(
    station, zs_admin, dalian_map, make_user, login
):
    exception = create(zs_admin, station)
    outsider = login(make_user(Role.UNIT_ADMIN, dalian_map["xg"]))
    manager = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    for client, status in [(outsider, 404), (manager, 403)]:
        assert client.get(page_url(station, "new")).status_code == status
        assert client.post(page_url(station, "new"), form_data(start=days(30).isoformat())).status_code == status
        assert client.get(page_url(station, exception.pk, "edit")).status_code == status
        assert client.post(page_url(station, exception.pk, "edit"), form_data(reason="越权")).status_code == status
        assert client.post(page_url(station, exception.pk, "delete")).status_code == status
    assert list(HoursException.objects.values_list("reason", flat=True)) == ["停水检修"]
    page = manager.get(f"/staff/positions/{station.pk}/").content.decode()
    assert "停水检修" in page and page_url(station, "new") not in page and "/delete/" not in page


def test_an_exception_id_of_another_position_answers_404_on_the_pages(station, make_position, zs_admin, zs_client):
    exception = create(zs_admin, make_position(actor=zs_admin))
    assert zs_client.get(page_url(station, exception.pk, "edit")).status_code == 404
    assert zs_client.post(page_url(station, exception.pk, "delete")).status_code == 404
    assert HoursException.objects.filter(pk=exception.pk).exists()


# --------------------------------------------------------------------------- API


def api_url(position, *parts) -> str:
    return "/".join([f"{API}/{position.pk}/hours-exceptions", *map(str, parts)])


def test_api_creates_lists_updates_and_deletes(station, zs_client):
    body = {"start": days(1).isoformat(), "end": days(2).isoformat(), "reason": "春节"}
    created = zs_client.post(api_url(station), body, JSON)
    assert created.status_code == 201, created.content
    item = created.json()
    assert item == {
        "id": item["id"],
        "position_id": station.pk,
        "start": days(1).isoformat(),
        "end": days(2).isoformat(),
        "closed": True,
        "intervals": [],
        "reason": "春节",
    }
    open_body = {"start": days(9).isoformat(), "end": days(9).isoformat(), "closed": False}
    other = zs_client.post(api_url(station), {**open_body, "intervals": [["09:00", "12:00"]], "reason": "半天"}, JSON)
    assert other.status_code == 201
    listed = zs_client.get(api_url(station))
    assert [e["reason"] for e in listed.json()] == ["春节", "半天"]

    patched = zs_client.patch(api_url(station, item["id"]), {"end": days(3).isoformat()}, JSON)
    assert patched.status_code == 200 and patched.json()["end"] == days(3).isoformat()
    closed = zs_client.patch(api_url(station, other.json()["id"]), {"closed": True}, JSON)
    assert closed.json()["intervals"] == []

    deleted = zs_client.delete(api_url(station, item["id"]))
    assert deleted.status_code == 204
    assert [e["reason"] for e in zs_client.get(api_url(station)).json()] == ["半天"]


def test_the_opening_endpoint_reflects_a_new_closure_at_once(station, zs_client):
    assert zs_client.get(f"{API}/{station.pk}/opening").json()["is_open"] is True
    body = {"start": today().isoformat(), "end": today().isoformat(), "reason": "临时停电"}
    assert zs_client.post(api_url(station), body, JSON).status_code == 201
    assert zs_client.get(f"{API}/{station.pk}/opening").json()["is_open"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": days(3).isoformat(), "end": days(2).isoformat()}, "end"),
        ({"closed": True, "intervals": [["08:00", "12:00"]]}, "intervals"),
        ({"closed": False, "intervals": [["08:00"]]}, "intervals"),
        ({"closed": False, "intervals": [["24:00", "06:00"]]}, "intervals"),
        ({"closed": False}, "intervals"),
        ({"reason": "   "}, "reason"),
        ({"reason": "长" * 300}, "reason"),
    ],
)
def test_api_refuses_rule_violations_with_400_naming_the_field(station, zs_client, body, field):
    payload = {"start": days(1).isoformat(), "end": days(1).isoformat(), "reason": "检修", **body}
    response = zs_client.post(api_url(station), payload, JSON)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert not HoursException.objects.exists()


def test_api_refuses_an_overlap_with_400(station, zs_client):
    body = {"start": days(1).isoformat(), "end": days(5).isoformat(), "reason": "检修"}
    assert zs_client.post(api_url(station), body, JSON).status_code == 201
    again = zs_client.post(api_url(station), {**body, "start": days(5).isoformat()}, JSON)
    assert again.status_code == 400 and "日期重叠" in again.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"start": "tomorrow", "end": "2026-01-01", "reason": "x"},
        {"start": "2026-02-30", "end": "2026-03-01", "reason": "x"},
        {"start": "2026-01-01", "end": "2026-01-01"},
        {"start": "2026-01-01", "end": "2026-01-01", "reason": "x", "position_id": 1},
        {"start": "2026-01-01", "end": "2026-01-01", "reason": "x", "intervals": "08:00-12:00"},
        {"start": "2026-01-01", "end": "2026-01-01", "reason": "x", "intervals": [["08:00", "1" * 50]]},
        {"start": "2026-01-01", "end": "2026-01-01", "reason": 5},
        {"start": "2026-01-01", "end": "2026-01-01", "reason": "x", "closed": "maybe"},
    ],
)
def test_api_refuses_malformed_bodies_with_422(station, zs_client, body):
    response = zs_client.post(api_url(station), body, JSON)
    assert response.status_code == 422, response.content
    assert not HoursException.objects.exists()


def test_api_answers_404_outside_the_scope_and_403_to_a_role_without_update(
    station, zs_admin, dalian_map, make_user, login, make_position
):
    exception = create(zs_admin, station)
    body = {"start": days(30).isoformat(), "end": days(30).isoformat(), "reason": "越权"}
    outsider = login(make_user(Role.UNIT_ADMIN, dalian_map["xg"]))
    reviewer = login(make_user(Role.REVIEWER, dalian_map["zs"]))
    for client, status, detail in [(outsider, 404, OUT_OF_SCOPE_MESSAGE), (reviewer, 403, FORBIDDEN_MESSAGE)]:
        for response in [
            client.post(api_url(station), body, JSON),
            client.patch(api_url(station, exception.pk), {"reason": "越权"}, JSON),
            client.delete(api_url(station, exception.pk)),
        ]:
            assert response.status_code == status
            assert response.json()["detail"] == str(detail)
    assert outsider.get(api_url(station)).status_code == 404
    assert [e["id"] for e in reviewer.get(api_url(station)).json()] == [exception.pk]
    assert list(HoursException.objects.values_list("reason", flat=True)) == ["停水检修"]

    xg_station = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1])
    assert login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])).get(api_url(xg_station)).status_code == 404


def test_api_answers_404_for_unknown_or_foreign_exception_ids(station, make_position, zs_admin, zs_client):
    foreign = create(zs_admin, make_position(actor=zs_admin))
    for pk in (foreign.pk, 999_999):
        assert zs_client.patch(api_url(station, pk), {"reason": "改"}, JSON).status_code == 404
        assert zs_client.delete(api_url(station, pk)).status_code == 404
    assert zs_client.get(api_url(station, "abc")).status_code in (404, 405)
    assert HoursException.objects.get().reason == "停水检修"


def test_api_needs_a_signed_in_user(station, client):
    assert client.get(api_url(station)).status_code == 401
