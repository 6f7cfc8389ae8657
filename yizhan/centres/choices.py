"""States of a centre's acceptance application (考核验收, spec §8, source 002 六) and its one
transitions table (kernel workflow engine, yizhan/core/workflow.py):

draft (自查中) → filed (已申报) → reviewed (已考核) → graded (已评定，结果公示)
filed → draft (退回修改, with the reason).

Filing needs the self-check complete and the round's deadline not passed; the review needs every
item checked by the working group; grading needs the three rates (a missing one is refused)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.centres.grading import Grade  # noqa: F401  (the grades, with the rule)
from yizhan.core.roles import Action, Role
from yizhan.core.workflow import Refusal, Transition, Workflow


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("自查中")
    FILED = "filed", _("已申报")
    REVIEWED = "reviewed", _("已考核")
    GRADED = "graded", _("已评定")


class Part(models.TextChoices):
    HARDWARE = "hardware", _("硬件建设")
    MECHANISM = "mechanism", _("运行机制和措施保障")


class CheckType(models.TextChoices):
    YES_NO = "yes_no", _("是/否")
    NUMBER = "number", _("数值")


class Method(models.TextChoices):
    """看、查、谈 (source 002 六(二))."""

    LOOK = "look", _("看：实地察看")
    CHECK = "check", _("查：检查台账和记录")
    TALK = "talk", _("谈：座谈了解")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    LEDGER = "ledger", _("台账（PDF）")


SELF_CHECK_INCOMPLETE = _("自查未完成：还有 {count} 个条目没有填写（{first}）")
SELF_REPORT_MISSING = _("请填写自查报告")
DEADLINE_PASSED = _("验收申报已于 {deadline} 截止（逾期 {days} 天），不能再申报；请联系总工会")
REVIEW_INCOMPLETE = _("考核未完成：还有 {count} 个条目没有记录看、查、谈结果（{first}）")


def _self_check_complete(move):
    application = move.obj
    pending = [i for i in application.items.all() if i.counted and i.self_met is None]
    if pending:
        return Refusal(str(SELF_CHECK_INCOMPLETE).format(count=len(pending), first=pending[0].text), "items")
    if not application.self_report.strip():
        return Refusal(str(SELF_REPORT_MISSING), "self_report")
    on = move.extra["on"]
    deadline = application.round.deadline
    if on is not None and on > deadline:
        return Refusal(str(DEADLINE_PASSED).format(deadline=deadline.isoformat(), days=(on - deadline).days), "on")
    return None


def _file(move):
    move.obj.filed_on = move.extra["on"]
    move.obj.filed_by = move.actor.user.get_username()


def _review_complete(move):
    pending = [i for i in move.obj.items.all() if i.counted and i.review_met is None]
    if pending:
        return Refusal(str(REVIEW_INCOMPLETE).format(count=len(pending), first=pending[0].text), "items")
    return None


def _gradable(move):
    from yizhan.centres.grading import MissingRate, grade

    try:
        grade(**move.obj.rates())
    except MissingRate as error:
        return Refusal(str(error), "satisfaction")
    return None


def _apply_grade(move):
    move.obj.apply_verdict(graded_by=move.actor.user.get_username(), on=move.extra["on"])


_S = ApplicationState
FEDERATION = frozenset({Role.FEDERATION_ADMIN})

ACCEPTANCE_FLOW = Workflow(
    model="centres.Application",
    history="centres.ApplicationStateChange",
    states=ApplicationState,
    action=Action.OPERATE,
    extra=("on",),
    transitions=[
        Transition(_S.DRAFT, _S.FILED, label=_("提交验收申报"), guard=_self_check_complete, apply=_file),
        Transition(_S.FILED, _S.DRAFT, label=_("退回修改"), reason_required=True, roles=FEDERATION),
        Transition(_S.FILED, _S.REVIEWED, label=_("完成考核"), roles=FEDERATION, guard=_review_complete),
        Transition(_S.REVIEWED, _S.FILED, label=_("重新考核"), reason_required=True, roles=FEDERATION),
        Transition(
            _S.REVIEWED, _S.GRADED, label=_("评定等次并公示"), roles=FEDERATION, guard=_gradable, apply=_apply_grade
        ),
    ],
)
