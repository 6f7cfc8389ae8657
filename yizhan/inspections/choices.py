"""Enumerations and the two workflows of inspections (spec §5, issue 16 §4): an inspection's
transitions table and a rectification's (整改), each with a history row per move
(`core/workflow.py`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.roles import Action, Role
from yizhan.core.wording import enumeration
from yizhan.core.workflow import Refusal, Transition, Workflow


class InspectionKind(models.TextChoices):
    PLANNED = "planned", _("计划检查")
    SPOT_CHECK = "spot_check", _("随机抽查")
    MUTUAL = "mutual", _("互检")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("待检查")
    IN_PROGRESS = "in_progress", _("检查中")
    SUBMITTED = "submitted", _("已提交")
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")


# While an inspection is in one of these states its assigned inspectors hold their grant.
ACTIVE_STATES = (InspectionState.PLANNED, InspectionState.IN_PROGRESS)
# An inspection in one of these states counts as "inspected" for the spot-check draw's exclusion.
COUNTED_STATES = (
    InspectionState.PLANNED,
    InspectionState.IN_PROGRESS,
    InspectionState.SUBMITTED,
    InspectionState.CONFIRMED,
)


class RectificationState(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("待验收")
    ACCEPTED = "accepted", _("已验收")


ADMINS = frozenset({Role.FEDERATION_ADMIN, Role.UNIT_ADMIN})

FINDINGS_INCOMPLETE = _("还有 {count} 个检查条目未填写：{items}")
WINDOW_PASSED = _("互检期限已于 {ends_on} 结束，不能再检查")
NOT_ASSIGNED = _("您不是本次互检指派的检查人员")
CONFIRMER_OUT_OF_SCOPE = _("只有管辖被检查阵地的单位管理员才能确认检查结果")
NO_EVIDENCE = _("整改完成须上传整改后的照片作为证据")
NOT_OWNER = _("只有整改责任单位才能提交整改结果")
NOT_INSPECTOR = _("只有检查单位才能验收或退回整改")


# --- inspections -----------------------------------------------------------------------------


def _inspection_guard(move) -> Refusal | None:
    """A mutual check is moved by its inspecting unit's own staff only when assigned to it, and
    only within its dates (their grant); an admin above the inspecting unit (the organiser) may."""
    inspection, actor = move.obj, move.actor
    if inspection.kind != InspectionKind.MUTUAL or actor.unit.path != inspection.unit.path:
        return None
    if not inspection.assignments.filter(user=actor.user).exists():
        return Refusal(NOT_ASSIGNED)
    if move.target in (InspectionState.IN_PROGRESS, InspectionState.SUBMITTED) and (
        timezone.localdate() > inspection.ends_on
    ):
        return Refusal(WINDOW_PASSED.format(ends_on=inspection.ends_on), "to_state")
    return None


def _findings_complete(move) -> Refusal | None:
    missing = move.obj.missing_items()
    if missing:
        shown = enumeration(item.text for item in missing[:3])
        return Refusal(FINDINGS_INCOMPLETE.format(count=len(missing), items=shown), "findings")
    return None


def _set_inspected_on(move) -> None:
    move.obj.inspected_on = timezone.localdate()


def _confirmer_covers_position(move) -> Refusal | None:
    if not move.actor.covers_unit(move.obj.position.unit):
        return Refusal(CONFIRMER_OUT_OF_SCOPE)
    return None


def _confirm(move) -> None:
    # The findings become an assessment of the position and feed the rating and delisting rules
    # (services.py: in the move's transaction, refused there: nothing written).
    from yizhan.inspections.services import inspection_results_record

    inspection_results_record(actor=move.actor, inspection=move.obj)


_I = InspectionState
INSPECTION_FLOW = Workflow(
    model="inspections.Inspection",
    history="inspections.InspectionStateChange",
    states=InspectionState,
    action=Action.OPERATE,
    guard=_inspection_guard,
    transitions=[
        Transition(_I.PLANNED, _I.IN_PROGRESS, label=_("开始检查")),
        Transition(
            _I.IN_PROGRESS, _I.SUBMITTED, label=_("提交检查结果"), guard=_findings_complete, apply=_set_inspected_on
        ),
        Transition(
            _I.SUBMITTED,
            _I.IN_PROGRESS,
            label=_("退回重新检查"),
            roles=ADMINS,
            reason_required=True,
            guard=_confirmer_covers_position,
        ),
        Transition(
            _I.SUBMITTED,
            _I.CONFIRMED,
            label=_("确认检查结果"),
            roles=ADMINS,
            guard=_confirmer_covers_position,
            apply=_confirm,
        ),
        Transition(_I.PLANNED, _I.CANCELLED, label=_("取消检查"), roles=ADMINS, reason_required=True),
        Transition(_I.IN_PROGRESS, _I.CANCELLED, label=_("取消检查"), roles=ADMINS, reason_required=True),
    ],
)


# --- rectifications --------------------------------------------------------------------------


def _owner_submits(move) -> Refusal | None:
    rectification, actor = move.obj, move.actor
    if not actor.covers_unit(rectification.owner_unit):
        return Refusal(NOT_OWNER)
    if not rectification.evidence.filter(round=rectification.round).exists():
        return Refusal(NO_EVIDENCE, "evidence")
    return None


def _inspector_decides(move) -> Refusal | None:
    if not move.actor.covers_unit(move.obj.inspection.unit):
        return Refusal(NOT_INSPECTOR)
    return None


def _submitted(move) -> None:
    move.obj.submitted_on = timezone.localdate()


def _accepted(move) -> None:
    move.obj.closed_on = timezone.localdate()


def _reopened(move) -> None:
    move.obj.round += 1
    move.obj.closed_on = None
    move.obj.submitted_on = None


_R = RectificationState
RECTIFICATION_FLOW = Workflow(
    model="inspections.Rectification",
    history="inspections.RectificationStateChange",
    states=RectificationState,
    action=Action.OPERATE,
    history_fields=lambda move: {"round": move.obj.round},
    transitions=[
        Transition(_R.OPEN, _R.SUBMITTED, label=_("提交整改结果"), guard=_owner_submits, apply=_submitted),
        Transition(
            _R.SUBMITTED, _R.ACCEPTED, label=_("验收通过"), roles=ADMINS, guard=_inspector_decides, apply=_accepted
        ),
        Transition(
            _R.SUBMITTED,
            _R.OPEN,
            label=_("退回重新整改"),
            roles=ADMINS,
            reason_required=True,
            guard=_inspector_decides,
            apply=_reopened,
        ),
        Transition(
            _R.ACCEPTED,
            _R.OPEN,
            label=_("重新打开"),
            roles=ADMINS,
            reason_required=True,
            guard=_inspector_decides,
            apply=_reopened,
        ),
    ],
)
