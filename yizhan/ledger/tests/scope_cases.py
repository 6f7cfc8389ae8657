"""Scope-matrix declaration for feedback (see yizhan/orgs/testing/scope_matrix.py): the staff's
list, detail, phone reveal and handling (update: marking it read) through the API, the pages and
the admin, and a submitter's requests (the submitters' page, by the phone they gave): a copy of
their data (export) and its deletion (delete: phone, address key and text anonymised). Feedback is
created by the public only, so there is no create channel; the submitter requests have a page and
no API, so they are probed as pages. The handling history is read with its feedback (history)."""

from __future__ import annotations

import json

from yizhan.core.roles import Role
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import Feedback, FeedbackStatusChange
from yizhan.ledger.services import ERASED_TEXT, SUBJECT_NOTHING
from yizhan.ledger.tests.factories import FeedbackFactory
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

CASES = [FEEDBACK_CASE, FEEDBACK_HISTORY_CASE]
