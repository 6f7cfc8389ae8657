"""Scope-matrix declarations (see yizhan/orgs/testing/scope_matrix.py). Feedback: the staff's
list, detail, phone reveal and handling (update: marking it read) through the API, the pages and
the admin, and a submitter's requests (the submitters' page, by the phone they gave): a copy of
their data (export) and its deletion (delete: phone, address key and text anonymised). Feedback is
created by the public only, so there is no create channel; the submitter requests have a page and
no API, so they are probed as pages. The handling history is read with its feedback (history).
The daily ledger: list, detail, a new day entered (create) and a day corrected with its version
(update) through the API and the entry page, and the corrections (history) read with the day."""

from __future__ import annotations

import json
from datetime import timedelta

from yizhan.core.roles import Role
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import DailyLedger, DailyLedgerRevision, Feedback, FeedbackStatusChange
from yizhan.ledger.services import ERASED_TEXT, SUBJECT_NOTHING
from yizhan.ledger.tests.factories import DailyLedgerFactory, FeedbackFactory
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World, page_status

OWN_AND_BELOW = frozenset({"own", "child"})
OWN = frozenset({"own"})
MARKER = "矩阵意见"
PHONE = "13912345678"


def _target(world: World, relation: str) -> Feedback:
    code = world.fresh(f"F-{relation}-")
    return FeedbackFactory(
        position__code=code, position__unit=world.units[relation], text=f"{MARKER}{code}", phone=PHONE
    )


def _api_list(world, feedback, relation):
    r = world.client.get("/api/v1/feedback", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(feedback.pk in ids, r.status_code)


def _api_detail(world, feedback, relation):
    r = world.client.get(f"/api/v1/feedback/{feedback.pk}")
    return Outcome(r.status_code == 200 and r.json()["text"] == feedback.text, r.status_code)


def _api_reveal(world, feedback, relation):
    r = world.client.post(f"/api/v1/feedback/{feedback.pk}/phone")
    return Outcome(r.status_code == 200 and r.json()["phone"] == PHONE, r.status_code)


def _status(feedback: Feedback) -> str:
    return Feedback.objects.values_list("status", flat=True).get(pk=feedback.pk)


def _api_handle(world, feedback, relation):
    r = world.client.post(
        f"/api/v1/feedback/{feedback.pk}/transition", {"to_state": "read"}, content_type="application/json"
    )
    return Outcome(r.status_code == 200 and _status(feedback) == FeedbackStatus.READ, r.status_code)


def _page_handle(world, feedback, relation):
    r = world.client.post(f"/staff/feedback/{feedback.pk}/transition/", {"to_state": "read"})
    return Outcome(r.status_code == 302 and _status(feedback) == FeedbackStatus.READ, r.status_code)


def _page_list(world, feedback, relation):
    r = world.client.get("/staff/feedback/")
    return Outcome(r.status_code == 200 and feedback.text in r.content.decode(), r.status_code)


def _page_detail(world, feedback, relation):
    r = world.client.get(f"/staff/feedback/{feedback.pk}/")
    return Outcome(r.status_code == 200 and feedback.text in r.content.decode(), r.status_code)


def _page_reveal(world, feedback, relation):
    r = world.client.post(f"/staff/feedback/{feedback.pk}/")
    return Outcome(r.status_code == 200 and PHONE in r.content.decode(), r.status_code)


SUBMITTERS = "/staff/feedback/submitters/"


def _page_export(world, feedback, relation):
    r = world.client.post(SUBMITTERS, {"phone": PHONE, "step": "export"})
    exported = r.status_code == 200 and r["Content-Type"].startswith("application/json")
    ids = {item["id"] for item in json.loads(r.content)["feedback"]} if exported else set()
    # Outside the actor's scope the phone finds nothing: the same answer as an unknown phone.
    return Outcome(feedback.pk in ids, page_status(r, SUBJECT_NOTHING))


def _page_delete(world, feedback, relation):
    r = world.client.post(SUBMITTERS, {"phone": PHONE, "step": "erase", "confirm": "yes"})
    stored = Feedback.objects.get(pk=feedback.pk)
    erased = stored.phone == "" and stored.client_key == "" and stored.text == ERASED_TEXT
    return Outcome(r.status_code == 302 and erased, page_status(r, SUBJECT_NOTHING))


def _admin_list(world, feedback, relation):
    r = world.client.get("/admin/ledger/feedback/")
    link = f"/admin/ledger/feedback/{feedback.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


HANDLERS = {
    "list": OWN_AND_BELOW,
    "detail": OWN_AND_BELOW,
    "reveal": OWN_AND_BELOW,
    "update": OWN_AND_BELOW,
    # A submitter's requests are answered by the admins (spec §11, PIPL art. 45 and 47).
    "export": OWN_AND_BELOW,
    "delete": OWN_AND_BELOW,
}

FEEDBACK_CASE = ScopeCase(
    model="ledger.feedback",
    make_target=_target,
    probes={
        ("api", "list"): _api_list,
        ("api", "detail"): _api_detail,
        ("api", "reveal"): _api_reveal,
        ("api", "update"): _api_handle,
        ("page", "list"): _page_list,
        ("page", "detail"): _page_detail,
        ("page", "reveal"): _page_reveal,
        ("page", "update"): _page_handle,
        ("page", "export"): _page_export,
        ("page", "delete"): _page_delete,
        ("admin", "list"): _admin_list,
    },
    expected={
        Role.FEDERATION_ADMIN: HANDLERS,
        Role.UNIT_ADMIN: HANDLERS,
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "reveal": OWN, "update": OWN},
        Role.REVIEWER: {},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {},
        Role.SECURITY_ADMIN: {},
        Role.SYSTEM_ADMIN: {},
    },
)


HANDLING_NOTE = "矩阵处理说明"


def _history_target(world: World, relation: str) -> Feedback:
    feedback = _target(world, relation)
    FeedbackStatusChange.objects.create(
        feedback=feedback,
        from_state=FeedbackStatus.NEW,
        to_state=FeedbackStatus.RESOLVED,
        reason=f"{HANDLING_NOTE}{feedback.pk}",
        actor_name="matrix",
    )
    return feedback


def _api_history(world, feedback, relation):
    r = world.client.get(f"/api/v1/feedback/{feedback.pk}/history")
    notes = [item["reason"] for item in r.json()] if r.status_code == 200 else []
    return Outcome(f"{HANDLING_NOTE}{feedback.pk}" in notes, r.status_code)


def _page_history(world, feedback, relation):
    r = world.client.get(f"/staff/feedback/{feedback.pk}/")
    return Outcome(r.status_code == 200 and f"{HANDLING_NOTE}{feedback.pk}" in r.content.decode(), r.status_code)


def _admin_history(world, feedback, relation):
    r = world.client.get("/admin/ledger/feedbackstatuschange/", {"feedback__id__exact": feedback.pk})
    return Outcome(r.status_code == 200 and f"{HANDLING_NOTE}{feedback.pk}" in r.content.decode(), r.status_code)


# The handling history (read with its feedback, by whoever reads the feedback).
FEEDBACK_HISTORY_CASE = ScopeCase(
    model="ledger.feedbackstatuschange",
    make_target=_history_target,
    probes={
        ("api", "history"): _api_history,
        ("page", "history"): _page_history,
        ("admin", "history"): _admin_history,
    },
    expected={
        Role.FEDERATION_ADMIN: {"history": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"history": OWN_AND_BELOW},
        Role.STATION_MANAGER: {"history": OWN},
        Role.REVIEWER: {},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {},
        Role.SECURITY_ADMIN: {},
        Role.SYSTEM_ADMIN: {},
    },
)

# --- the daily ledger ---------------------------------------------------------------------------

MARK = 4321  # the target day's couriers: found in the answers of its list, detail and admin
CHANGED = 5555


def _ledger_target(world: World, relation: str) -> DailyLedger:
    code = world.fresh(f"L-{relation}-")
    return DailyLedgerFactory(
        position__code=code,
        position__official_name=f"工会户外劳动者服务站点·台账{code}",
        position__unit=world.units[relation],
        visits_courier=MARK,
    )


def _stored(ledger: DailyLedger, **lookup) -> DailyLedger | None:
    return DailyLedger.objects.filter(**lookup).first() if lookup else DailyLedger.objects.get(pk=ledger.pk)


def _entry_url(ledger: DailyLedger, day) -> str:
    return f"/staff/ledger/{ledger.position_id}/{day.isoformat()}/"


def _api_ledger_list(world, ledger, relation):
    r = world.client.get("/api/v1/ledger/days", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(ledger.pk in ids, r.status_code)


def _api_ledger_detail(world, ledger, relation):
    r = world.client.get(f"/api/v1/ledger/days/{ledger.pk}")
    return Outcome(r.status_code == 200 and r.json()["figures"]["visits_courier"] == MARK, r.status_code)


def _api_ledger_create(world, ledger, relation):
    day = ledger.day - timedelta(days=1)
    r = world.client.put(
        f"/api/v1/ledger/positions/{ledger.position_id}/days/{day.isoformat()}",
        {"figures": {"visits_taxi": 3}},
        content_type="application/json",
    )
    created = _stored(ledger, position=ledger.position_id, day=day)
    return Outcome(r.status_code == 201 and created is not None and created.visits_taxi == 3, r.status_code)


def _api_ledger_update(world, ledger, relation):
    r = world.client.put(
        f"/api/v1/ledger/positions/{ledger.position_id}/days/{ledger.day.isoformat()}",
        {"figures": {"visits_courier": CHANGED}, "version": ledger.version},
        content_type="application/json",
    )
    return Outcome(r.status_code == 200 and _stored(ledger).visits_courier == CHANGED, r.status_code)


def _page_ledger_list(world, ledger, relation):
    r = world.client.get("/staff/ledger/")
    return Outcome(r.status_code == 200 and ledger.position.official_name in r.content.decode(), r.status_code)


def _page_ledger_detail(world, ledger, relation):
    r = world.client.get(_entry_url(ledger, ledger.day))
    return Outcome(r.status_code == 200 and f'value="{MARK}"' in r.content.decode(), r.status_code)


def _page_ledger_create(world, ledger, relation):
    day = ledger.day - timedelta(days=1)
    r = world.client.post(_entry_url(ledger, day), {"visits_taxi": "3", "version": ""})
    created = _stored(ledger, position=ledger.position_id, day=day)
    return Outcome(r.status_code == 302 and created is not None and created.visits_taxi == 3, r.status_code)


def _page_ledger_update(world, ledger, relation):
    r = world.client.post(_entry_url(ledger, ledger.day), {"visits_courier": str(CHANGED), "version": ledger.version})
    return Outcome(r.status_code == 302 and _stored(ledger).visits_courier == CHANGED, r.status_code)


def _admin_ledger_list(world, ledger, relation):
    r = world.client.get("/admin/ledger/dailyledger/")
    link = f"/admin/ledger/dailyledger/{ledger.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


KEEPERS = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "create": OWN_AND_BELOW, "update": OWN_AND_BELOW}

LEDGER_CASE = ScopeCase(
    model="ledger.dailyledger",
    make_target=_ledger_target,
    probes={
        ("api", "list"): _api_ledger_list,
        ("api", "detail"): _api_ledger_detail,
        ("api", "create"): _api_ledger_create,
        ("api", "update"): _api_ledger_update,
        ("page", "list"): _page_ledger_list,
        ("page", "detail"): _page_ledger_detail,
        ("page", "create"): _page_ledger_create,
        ("page", "update"): _page_ledger_update,
        ("admin", "list"): _admin_ledger_list,
    },
    expected={
        Role.FEDERATION_ADMIN: KEEPERS,
        Role.UNIT_ADMIN: KEEPERS,
        # Spec §1: the station manager keeps their own position's ledger, never a unit's below.
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "create": OWN, "update": OWN},
        Role.REVIEWER: {},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {},
        Role.SECURITY_ADMIN: {},
        Role.SYSTEM_ADMIN: {},
    },
)

REVISION_NOTE = "矩阵更正说明"


def _revision_target(world: World, relation: str) -> DailyLedger:
    ledger = _ledger_target(world, relation)
    DailyLedgerRevision.objects.create(
        ledger=ledger,
        version=1,
        figures=ledger.figures(),
        reason=f"{REVISION_NOTE}{ledger.pk}",
        actor_name="matrix",
    )
    return ledger


def _api_revisions(world, ledger, relation):
    r = world.client.get(f"/api/v1/ledger/days/{ledger.pk}/history")
    notes = [item["reason"] for item in r.json()] if r.status_code == 200 else []
    return Outcome(f"{REVISION_NOTE}{ledger.pk}" in notes, r.status_code)


def _page_revisions(world, ledger, relation):
    r = world.client.get(_entry_url(ledger, ledger.day))
    return Outcome(r.status_code == 200 and f"{REVISION_NOTE}{ledger.pk}" in r.content.decode(), r.status_code)


def _admin_revisions(world, ledger, relation):
    r = world.client.get("/admin/ledger/dailyledgerrevision/")
    return Outcome(r.status_code == 200 and f"{REVISION_NOTE}{ledger.pk}" in r.content.decode(), r.status_code)


# The corrections of a day (read with the day, by whoever reads the ledger).
LEDGER_REVISION_CASE = ScopeCase(
    model="ledger.dailyledgerrevision",
    make_target=_revision_target,
    probes={
        ("api", "history"): _api_revisions,
        ("page", "history"): _page_revisions,
        ("admin", "history"): _admin_revisions,
    },
    expected={
        Role.FEDERATION_ADMIN: {"history": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"history": OWN_AND_BELOW},
        Role.STATION_MANAGER: {"history": OWN},
        Role.REVIEWER: {},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {},
        Role.SECURITY_ADMIN: {},
        Role.SYSTEM_ADMIN: {},
    },
)

CASES = [FEEDBACK_CASE, FEEDBACK_HISTORY_CASE, LEDGER_CASE, LEDGER_REVISION_CASE]
