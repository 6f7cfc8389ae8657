"""Scope-matrix declarations (see yizhan/orgs/testing/scope_matrix.py). Feedback: the staff's
list, detail, phone reveal and handling (update: marking it read) through the API, the pages and
the admin, and a submitter's requests (the submitters' page, by the phone they gave): a copy of
their data (export) and its deletion (delete: phone, address key and text anonymised). Feedback typed
in by staff (suggestion box, register, questionnaire) is the create channel; the submitter requests have a page and
no API, so they are probed as pages. The handling history is read with its feedback (history).
The daily ledger: list, detail, a new day entered (create) and a day corrected with its version
(update) through the API and the entry page, and the corrections (history) read with the day.
Problem reports: created by the public only; list, detail and settling (update) through the API
and the pages, their handling history read with them."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from yizhan.core.roles import Role
from yizhan.ledger.choices import FeedbackStatus, ProblemStatus
from yizhan.ledger.forms import ActivityForm, FeedbackRecordForm
from yizhan.ledger.models import (
    Activity,
    ActivityPhoto,
    DailyLedger,
    DailyLedgerRevision,
    Feedback,
    FeedbackStatusChange,
    ProblemReport,
    ProblemReportStateChange,
)
from yizhan.ledger.services import ERASED_TEXT, SUBJECT_NOTHING
from yizhan.ledger.tests.factories import (
    ActivityFactory,
    ActivityPhotoFactory,
    DailyLedgerFactory,
    FeedbackFactory,
    ProblemReportFactory,
    png_bytes,
)
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


RECORDED = "矩阵录入意见"


def _recorded(feedback: Feedback) -> bool:
    return Feedback.objects.filter(position=feedback.position, text=f"{RECORDED}{feedback.pk}").exists()


def _api_record(world, feedback, relation):
    r = world.client.post(
        "/api/v1/feedback",
        {"position_id": feedback.position_id, "source": "box", "rating": 3, "text": f"{RECORDED}{feedback.pk}"},
        content_type="application/json",
    )
    return Outcome(r.status_code == 201 and _recorded(feedback), r.status_code)


def _page_record(world, feedback, relation):
    r = world.client.post(
        "/staff/feedback/new/",
        {"position": feedback.position_id, "source": "box", "rating": "3", "text": f"{RECORDED}{feedback.pk}"},
    )
    # A position outside the scope is not among the form's choices: its "not a valid choice" is
    # the page's "not found".
    invalid = FeedbackRecordForm.base_fields["position"].error_messages["invalid_choice"]
    return Outcome(r.status_code == 302 and _recorded(feedback), page_status(r, invalid))


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
    "create": OWN_AND_BELOW,
    # The phone only to the handling unit, the position's own (issue 15 §3): not to the admins above.
    "reveal": OWN,
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
        ("api", "create"): _api_record,
        ("api", "reveal"): _api_reveal,
        ("api", "update"): _api_handle,
        ("page", "list"): _page_list,
        ("page", "detail"): _page_detail,
        ("page", "create"): _page_record,
        ("page", "reveal"): _page_reveal,
        ("page", "update"): _page_handle,
        ("page", "export"): _page_export,
        ("page", "delete"): _page_delete,
        ("admin", "list"): _admin_list,
    },
    expected={
        Role.FEDERATION_ADMIN: HANDLERS,
        Role.UNIT_ADMIN: HANDLERS,
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "create": OWN, "reveal": OWN, "update": OWN},
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

# --- problem reports ----------------------------------------------------------------------------

REPORT_MARK = "矩阵问题"


def _report_target(world: World, relation: str) -> ProblemReport:
    code = world.fresh(f"R-{relation}-")
    return ProblemReportFactory(position__code=code, position__unit=world.units[relation], text=f"{REPORT_MARK}{code}")


def _report_status(report: ProblemReport) -> str:
    return ProblemReport.objects.values_list("status", flat=True).get(pk=report.pk)


def _api_report_list(world, report, relation):
    r = world.client.get("/api/v1/ledger/problem-reports", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(report.pk in ids, r.status_code)


def _api_report_detail(world, report, relation):
    r = world.client.get(f"/api/v1/ledger/problem-reports/{report.pk}")
    return Outcome(r.status_code == 200 and r.json()["text"] == report.text, r.status_code)


def _api_report_settle(world, report, relation):
    r = world.client.post(
        f"/api/v1/ledger/problem-reports/{report.pk}/transition",
        {"to_state": "resolved", "reason": "已开门", "on_site": True},
        content_type="application/json",
    )
    return Outcome(r.status_code == 200 and _report_status(report) == ProblemStatus.RESOLVED, r.status_code)


def _page_report_list(world, report, relation):
    r = world.client.get("/staff/ledger/reports/")
    return Outcome(r.status_code == 200 and report.text in r.content.decode(), r.status_code)


def _page_report_detail(world, report, relation):
    r = world.client.get(f"/staff/ledger/reports/{report.pk}/")
    return Outcome(r.status_code == 200 and report.text in r.content.decode(), r.status_code)


def _page_report_settle(world, report, relation):
    r = world.client.post(
        f"/staff/ledger/reports/{report.pk}/transition/", {"to_state": "resolved", "reason": "已开门", "on_site": "on"}
    )
    return Outcome(r.status_code == 302 and _report_status(report) == ProblemStatus.RESOLVED, r.status_code)


def _admin_report_list(world, report, relation):
    r = world.client.get("/admin/ledger/problemreport/")
    link = f"/admin/ledger/problemreport/{report.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


SETTLERS = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "update": OWN_AND_BELOW}

PROBLEM_CASE = ScopeCase(
    model="ledger.problemreport",
    make_target=_report_target,
    probes={
        ("api", "list"): _api_report_list,
        ("api", "detail"): _api_report_detail,
        ("api", "update"): _api_report_settle,
        ("page", "list"): _page_report_list,
        ("page", "detail"): _page_report_detail,
        ("page", "update"): _page_report_settle,
        ("admin", "list"): _admin_report_list,
    },
    expected={
        Role.FEDERATION_ADMIN: SETTLERS,
        Role.UNIT_ADMIN: SETTLERS,
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "update": OWN},
        Role.REVIEWER: {},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {},
        Role.SECURITY_ADMIN: {},
        Role.SYSTEM_ADMIN: {},
    },
)

SETTLE_NOTE = "矩阵核实说明"


def _report_history_target(world: World, relation: str) -> ProblemReport:
    report = _report_target(world, relation)
    ProblemReportStateChange.objects.create(
        report=report,
        from_state=ProblemStatus.OPEN,
        to_state=ProblemStatus.RESOLVED,
        reason=f"{SETTLE_NOTE}{report.pk}",
        actor_name="matrix",
    )
    return report


def _api_report_history(world, report, relation):
    r = world.client.get(f"/api/v1/ledger/problem-reports/{report.pk}/history")
    notes = [item["reason"] for item in r.json()] if r.status_code == 200 else []
    return Outcome(f"{SETTLE_NOTE}{report.pk}" in notes, r.status_code)


def _page_report_history(world, report, relation):
    r = world.client.get(f"/staff/ledger/reports/{report.pk}/")
    return Outcome(r.status_code == 200 and f"{SETTLE_NOTE}{report.pk}" in r.content.decode(), r.status_code)


def _admin_report_history(world, report, relation):
    r = world.client.get("/admin/ledger/problemreportstatechange/")
    return Outcome(r.status_code == 200 and f"{SETTLE_NOTE}{report.pk}" in r.content.decode(), r.status_code)


PROBLEM_HISTORY_CASE = ScopeCase(
    model="ledger.problemreportstatechange",
    make_target=_report_history_target,
    probes={
        ("api", "history"): _api_report_history,
        ("page", "history"): _page_report_history,
        ("admin", "history"): _admin_report_history,
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

# --- activities ---------------------------------------------------------------------------------


def _activity_target(world: World, relation: str) -> Activity:
    code = world.fresh(f"A-{relation}-")
    return ActivityFactory(position__code=code, position__unit=world.units[relation], title=f"矩阵活动{code}")


def _activity_title(activity: Activity) -> str:
    return Activity.objects.values_list("title", flat=True).get(pk=activity.pk)


def _new_activity(activity: Activity) -> bool:
    return Activity.objects.filter(title=f"新活动{activity.pk}").exists()


def _api_activity_list(world, activity, relation):
    r = world.client.get("/api/v1/ledger/activities", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(activity.pk in ids, r.status_code)


def _api_activity_detail(world, activity, relation):
    r = world.client.get(f"/api/v1/ledger/activities/{activity.pk}")
    return Outcome(r.status_code == 200 and r.json()["title"] == activity.title, r.status_code)


def _api_activity_create(world, activity, relation):
    body = {
        "unit_id": activity.unit_id,
        "position_id": activity.position_id,
        "title": f"新活动{activity.pk}",
        "kind": "anti_fraud",
        "held_on": activity.held_on.isoformat(),
        "participants": 12,
    }
    r = world.client.post("/api/v1/ledger/activities", body, content_type="application/json")
    return Outcome(r.status_code == 201 and _new_activity(activity), r.status_code)


def _api_activity_update(world, activity, relation):
    r = world.client.patch(
        f"/api/v1/ledger/activities/{activity.pk}", {"title": "改过的名称"}, content_type="application/json"
    )
    return Outcome(r.status_code == 200 and _activity_title(activity) == "改过的名称", r.status_code)


def _activity_form(activity: Activity, title: str) -> dict:
    return {
        "unit": activity.unit_id,
        "position": activity.position_id,
        "title": title,
        "kind": "anti_fraud",
        "held_on": activity.held_on.isoformat(),
        "participants": "12",
    }


def _page_activity_list(world, activity, relation):
    r = world.client.get("/staff/ledger/activities/")
    return Outcome(r.status_code == 200 and activity.title in r.content.decode(), r.status_code)


def _page_activity_detail(world, activity, relation):
    r = world.client.get(f"/staff/ledger/activities/{activity.pk}/")
    return Outcome(r.status_code == 200 and activity.title in r.content.decode(), r.status_code)


def _page_activity_create(world, activity, relation):
    r = world.client.post("/staff/ledger/activities/", _activity_form(activity, f"新活动{activity.pk}"))
    # A unit or position outside the scope is not among the form's choices: the page's "not found".
    invalid = ActivityForm.base_fields["unit"].error_messages["invalid_choice"]
    return Outcome(r.status_code == 302 and _new_activity(activity), page_status(r, invalid))


def _page_activity_update(world, activity, relation):
    r = world.client.post(f"/staff/ledger/activities/{activity.pk}/", _activity_form(activity, "改过的名称"))
    return Outcome(r.status_code == 302 and _activity_title(activity) == "改过的名称", r.status_code)


def _admin_activity_list(world, activity, relation):
    r = world.client.get("/admin/ledger/activity/")
    link = f"/admin/ledger/activity/{activity.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


KEEP_ACTIVITIES = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "create": OWN_AND_BELOW, "update": OWN_AND_BELOW}

ACTIVITY_CASE = ScopeCase(
    model="ledger.activity",
    make_target=_activity_target,
    probes={
        ("api", "list"): _api_activity_list,
        ("api", "detail"): _api_activity_detail,
        ("api", "create"): _api_activity_create,
        ("api", "update"): _api_activity_update,
        ("page", "list"): _page_activity_list,
        ("page", "detail"): _page_activity_detail,
        ("page", "create"): _page_activity_create,
        ("page", "update"): _page_activity_update,
        ("admin", "list"): _admin_activity_list,
    },
    expected={
        Role.FEDERATION_ADMIN: KEEP_ACTIVITIES,
        Role.UNIT_ADMIN: KEEP_ACTIVITIES,
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "create": OWN, "update": OWN},
        Role.REVIEWER: {},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {},
        Role.SECURITY_ADMIN: {},
        Role.SYSTEM_ADMIN: {},
    },
)


def _photo_target(world: World, relation: str) -> ActivityPhoto:
    return ActivityPhotoFactory(activity=_activity_target(world, relation))


def _api_photo_list(world, photo, relation):
    r = world.client.get(f"/api/v1/ledger/activities/{photo.activity_id}/photos")
    ids = {item["id"] for item in r.json()} if r.status_code == 200 else set()
    return Outcome(photo.pk in ids, r.status_code)


def _api_photo_add(world, photo, relation):
    upload = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    r = world.client.post(
        f"/api/v1/ledger/activities/{photo.activity_id}/photos", {"image": upload, "caption": "新照片"}
    )
    added = ActivityPhoto.objects.filter(activity_id=photo.activity_id, caption="新照片").exists()
    return Outcome(r.status_code == 201 and added, r.status_code)


def _page_photo_add(world, photo, relation):
    upload = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    r = world.client.post(
        f"/staff/ledger/activities/{photo.activity_id}/photos/", {"image": upload, "caption": "新照片"}
    )
    added = ActivityPhoto.objects.filter(activity_id=photo.activity_id, caption="新照片").exists()
    return Outcome(r.status_code == 302 and added, r.status_code)


def _page_photo_detail(world, photo, relation):
    r = world.client.get(f"/staff/ledger/activities/{photo.activity_id}/")
    return Outcome(r.status_code == 200 and photo.image.url in r.content.decode(), r.status_code)


# An activity's photos: read with it, uploaded by whoever may correct it (update).
ACTIVITY_PHOTO_CASE = ScopeCase(
    model="ledger.activityphoto",
    make_target=_photo_target,
    probes={
        ("api", "list"): _api_photo_list,
        ("api", "update"): _api_photo_add,
        ("page", "detail"): _page_photo_detail,
        ("page", "update"): _page_photo_add,
    },
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN, "update": OWN},
        Role.REVIEWER: {},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: {},
        Role.SECURITY_ADMIN: {},
        Role.SYSTEM_ADMIN: {},
    },
)

CASES = [
    ACTIVITY_CASE,
    ACTIVITY_PHOTO_CASE,
    FEEDBACK_CASE,
    FEEDBACK_HISTORY_CASE,
    LEDGER_CASE,
    LEDGER_REVISION_CASE,
    PROBLEM_CASE,
    PROBLEM_HISTORY_CASE,
]
