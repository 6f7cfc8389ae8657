"""Problem reports from the public (issue 15 §4): the whole loop through the real entry points —
a worker reports a station locked from its public page, sees the notice on it, the position is in
the re-verify queue with its deadline, a district admin settles it on site from the queue, the
position's verified-on date is today and the notice is gone — plus the public API, the abuse
limits, bad input, handling rules and the stale verified-on dates in the queue."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger import selectors, services
from yizhan.ledger.choices import ProblemKind, ProblemStatus
from yizhan.ledger.models import ProblemReport, ProblemReportStateChange
from yizhan.ledger.tests.factories import ProblemReportFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db

API = "/api/v1/public/problem-reports"


@pytest.fixture
def worker():
    """A rider's phone: no account, CSRF enforced as a browser would."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")


def _report_from_page(client, position, kind, text=""):
    page = client.get(f"/p/{position.code}/")
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    return client.post(f"/p/{position.code}/report/", {"kind": kind, "text": text, "csrfmiddlewaretoken": token})


def test_the_whole_loop_from_the_public_page_to_the_queue_and_back(worker, station, dalian_map, make_user, login):
    page = worker.get(f"/p/{station.code}/").content.decode()
    assert "遇到问题？点一下告诉我们" in page and "有职工反映" not in page

    r = _report_from_page(worker, station, ProblemKind.LOCKED, "早上六点门还锁着")
    assert r.status_code == 302 and r.url == f"/p/{station.code}/report/thanks/"
    report = ProblemReport.objects.get()
    assert report.status == ProblemStatus.OPEN
    assert report.due_on == timezone.localdate() + timedelta(days=3)

    today = timezone.localdate()
    page = worker.get(f"/p/{station.code}/").content.decode()
    assert f"有职工反映：</strong>门锁着进不去，{today.month}月{today.day}日" in page
    assert "早上六点门还锁着" not in page  # the text is never published (spec §11)

    clerk = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    queue = clerk.get("/staff/ledger/reverify/").content.decode()
    assert station.display_name in queue and "门锁着进不去" in queue
    r = clerk.post(
        f"/staff/ledger/reports/{report.pk}/transition/",
        {"to_state": "resolved", "reason": "到现场看过，已开门", "on_site": "on", "next": "/staff/ledger/reverify/"},
    )
    assert r.status_code == 302 and r.url == "/staff/ledger/reverify/"
    assert Position.objects.get(pk=station.pk).verified_on == today
    assert ProblemReport.objects.get().settled_on_site is True
    assert "有职工反映" not in worker.get(f"/p/{station.code}/").content.decode()
    assert station.display_name not in clerk.get("/staff/ledger/reverify/").content.decode()
    change = ProblemReportStateChange.objects.get()
    assert (change.to_state, change.on_site) == (ProblemStatus.RESOLVED, True)
    position_update = AuditEntry.objects.filter(object_type="positions.position", action=AuditAction.UPDATE).last()
    assert position_update.after["verified_on"] == today.isoformat()


def test_the_page_form_needs_the_csrf_token(worker, station):
    assert worker.post(f"/p/{station.code}/report/", {"kind": "locked"}).status_code == 403
    assert not ProblemReport.objects.exists()


def test_the_public_api_takes_a_report_and_shows_the_notices(station):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.10")
    r = client.post(API, {"position_id": station.pk, "kind": "no_water"}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["due_on"] == (timezone.localdate() + timedelta(days=3)).isoformat()
    notices = client.get(API, {"position_id": station.pk}).json()
    assert notices == [{"kind": "no_water", "label": "没有饮用水", "day": timezone.localdate().isoformat()}]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"position_id": 999_999, "kind": "locked"}, 404, None),
        ({"kind": "locked"}, 422, "position_id"),
        ({"position_id": "x", "kind": "locked"}, 422, "position_id"),
        ({"position_id": None, "kind": "aliens"}, 422, "position_id"),
        ([1, 2], 422, None),
    ],
)
def test_bad_public_input_answers_in_chinese(station, body, status, field):
    r = Client().post(API, body, content_type="application/json")
    assert r.status_code == status, r.content
    assert r.json()["detail"]
    if field:
        assert r.json()["field"] == field


def test_an_unknown_kind_and_a_long_text_are_refused(station):
    with pytest.raises(ApplicationError) as refused:
        services.problem_report_submit(position_id=station.pk, kind="aliens", client="203.0.113.1")
    assert refused.value.field == "kind"
    with pytest.raises(ApplicationError) as refused:
        services.problem_report_submit(position_id=station.pk, kind="broken", text="坏" * 201, client="203.0.113.1")
    assert refused.value.field == "text" and "200" in refused.value.message
    assert not ProblemReport.objects.exists()


@pytest.mark.parametrize("state", [PositionState.PLANNED, PositionState.DELISTED])
def test_a_position_not_public_takes_no_report(make_position, state):
    position = make_position(state=state)
    with pytest.raises(NotFoundError):
        services.problem_report_submit(position_id=position.pk, kind="locked", client="203.0.113.1")


def test_abuse_limits_refuse_a_second_report_within_the_hour(station):
    services.problem_report_submit(position_id=station.pk, kind="locked", client="203.0.113.2")
    with pytest.raises(services.FeedbackLimited) as limited:
        services.problem_report_submit(position_id=station.pk, kind="closed", client="203.0.113.2")
    assert limited.value.scope == "client_position" and limited.value.retry_after > 0
    # Feedback has budgets of its own: a report does not use up the sender's feedback.
    services.feedback_submit(position_id=station.pk, rating=4, source="page", client="203.0.113.2")
    r = Client(REMOTE_ADDR="203.0.113.2").post(
        API, {"position_id": station.pk, "kind": "broken"}, content_type="application/json"
    )
    assert r.status_code == 429 and int(r["Retry-After"]) > 0


def test_settling_needs_a_note_and_reopening_gives_a_new_deadline(zs_admin, station):
    report = ProblemReportFactory(position=station)
    with pytest.raises(ApplicationError) as refused:
        services.problem_report_transition(actor=zs_admin, report=report, to_state=ProblemStatus.RESOLVED)
    assert refused.value.field == "reason"
    settled = services.problem_report_transition(
        actor=zs_admin, report=report, to_state=ProblemStatus.UNFOUNDED, reason="门是开着的"
    )
    assert settled.settled_on == timezone.localdate() and settled.settled_on_site is False
    assert Position.objects.get(pk=station.pk).verified_on is None  # not checked on site
    reopened = services.problem_report_transition(
        actor=zs_admin, report=settled, to_state=ProblemStatus.OPEN, reason="又有人反映"
    )
    assert reopened.settled_on is None
    assert reopened.due_on == timezone.localdate() + timedelta(days=3)


def test_the_queue_puts_reports_first_then_stale_and_never_verified_positions(
    zs_admin, make_position, station, settings
):
    today = timezone.localdate()
    fresh = make_position(state=PositionState.OPERATING, verified_on=today - timedelta(days=10))
    stale = make_position(state=PositionState.OPERATING, verified_on=today - timedelta(days=181))
    never = make_position(state=PositionState.OPERATING)
    Position.objects.filter(pk=station.pk).update(verified_on=today)
    overdue = ProblemReportFactory(position=fresh, due_on=today - timedelta(days=1))
    entries = selectors.reverify_queue(actor=zs_admin)
    assert [e.position.pk for e in entries] == [fresh.pk, never.pk, stale.pk]
    assert entries[0].overdue and entries[0].reports == (overdue,) and not entries[0].stale
    assert entries[1].stale and entries[2].stale
    settings.YIZHAN_VERIFIED_STALE_DAYS = 365
    assert [e.position.pk for e in selectors.reverify_queue(actor=zs_admin)] == [fresh.pk, never.pk]


def test_another_districts_reports_are_not_found(dalian_map, make_user, login, make_position):
    xg_station = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    xg_report = ProblemReportFactory(position=xg_station)
    zs = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    assert zs.get(f"/staff/ledger/reports/{xg_report.pk}/").status_code == 404
    r = zs.post(
        f"/api/v1/ledger/problem-reports/{xg_report.pk}/transition",
        {"to_state": "resolved", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert zs.get("/api/v1/ledger/reverify-queue").json() == []
