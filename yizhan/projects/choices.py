"""Enumerations of social-organisation service projects (spec §9, source 004) and the project's
transitions table (one table: kernel workflow engine, yizhan/core/workflow.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.core.roles import Action
from yizhan.core.workflow import Refusal, Transition, Workflow
from yizhan.projects.scoring import Level  # noqa: F401  (levels of media reports and exchanges)
from yizhan.projects.subsidies import HonourLevel  # noqa: F401


class Category(models.TextChoices):
    """Source 004 二(一): production services (一是) and life services (二是)."""

    TRAINING = "training", _("生产服务·教育培训")
    COMPETITION = "competition", _("生产服务·劳动竞赛")
    SKILLS = "skills", _("生产服务·技能提升")
    SAFETY = "safety", _("生产服务·安全生产")
    HEALTH = "health", _("生产服务·职业健康")
    LABOUR_RELATIONS = "labour_relations", _("生产服务·协商协调劳动关系")
    CULTURE_SPORTS = "culture_sports", _("生活服务·文体活动")
    MATCHMAKING = "matchmaking", _("生活服务·婚恋交友")
    LEGAL = "legal", _("生活服务·法律服务")
    PSYCHOLOGICAL = "psychological", _("生活服务·心理关怀")
    HARDSHIP = "hardship", _("生活服务·困难帮扶")
    CHILD_CARE = "child_care", _("生活服务·职工子女课后或假期爱心托管")
    OUTDOOR_WORKERS = "outdoor_workers", _("生活服务·工会户外劳动者服务")


PRODUCTION = frozenset(c for c in Category if c.label.startswith("生产"))
LIFE = frozenset(c for c in Category if c.label.startswith("生活"))


class ProjectState(models.TextChoices):
    """Spec §9: analyse needs → publish → applications → qualification check → select → agreement
    and performance (reports) → closing evaluation with satisfaction survey → archived."""

    NEEDS = "needs", _("需求分析")
    PUBLISHED = "published", _("已发布·接受申报")
    CHECKING = "checking", _("资格审查")
    SELECTED = "selected", _("已确定承接组织")
    AGREED = "agreed", _("已签协议·实施中")
    EVALUATING = "evaluating", _("结项评估")
    ARCHIVED = "archived", _("已归档")


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("已申报")
    QUALIFIED = "qualified", _("资格审查合格")
    NOT_QUALIFIED = "not_qualified", _("资格审查不合格")
    SELECTED = "selected", _("已确定承接")
    NOT_SELECTED = "not_selected", _("未入选")


NO_APPLICATIONS = _("还没有社会组织申报，不能进入资格审查")
UNCHECKED_APPLICATIONS = _("还有 {count} 份申报未做资格审查")
NO_APPLICATION_CHOSEN = _("请选择承接的社会组织")
NOT_QUALIFIED_SELECTED = _("只有资格审查合格的社会组织才能被确定为承接方（{reason}）")
APPLICATION_OF_OTHER_PROJECT = _("这份申报不属于本项目")
AGREEMENT_MISSING = _("请填写协议的签订日期、起止日期、金额和服务内容")
NO_REPORTS = _("承接组织还没有提交履约报告，不能结项")
EVALUATION_MISSING = _("请填写结项评估：完成日期、满意度测评人数和满意度")
PUBLISH_INCOMPLETE = _("发布前请填写职工需求、服务要求和预算")


def _publishable(move):
    project = move.obj
    if not (project.needs.strip() and project.requirements.strip() and project.budget_fen > 0):
        return Refusal(str(PUBLISH_INCOMPLETE), "requirements")
    return None


def _has_applications(move):
    if not move.obj.applications.exists():
        return str(NO_APPLICATIONS)
    return None


def _selectable(move):
    from yizhan.projects.qualification import qualification  # pure

    application = move.extra["application"]
    if application is None:
        return Refusal(str(NO_APPLICATION_CHOSEN), "application")
    if application.project_id != move.obj.pk:
        return Refusal(str(APPLICATION_OF_OTHER_PROJECT), "application")
    pending = move.obj.applications.filter(state=ApplicationState.SUBMITTED).count()
    if pending:
        return Refusal(str(UNCHECKED_APPLICATIONS).format(count=pending), "application")
    organisation = application.organisation
    verdict = qualification(
        registration_number=organisation.registration_number,
        registered_on=organisation.registered_on,
        certificate_valid_from=organisation.certificate_valid_from,
        certificate_valid_to=organisation.certificate_valid_to,
        on=move.extra["on"],
    )
    if application.state != ApplicationState.QUALIFIED or not verdict.qualified:
        reason = verdict.reason or application.qualification_reason or str(ApplicationState.NOT_QUALIFIED.label)
        return Refusal(str(NOT_QUALIFIED_SELECTED).format(reason=reason), "application")
    return None


def _select(move):
    move.obj.selected_application = move.extra["application"]
    move.obj.selection_reason = move.reason


def _agreement_complete(move):
    agreement = move.extra["agreement"] or {}
    keys = ("signed_on", "starts_on", "ends_on", "amount_fen", "deliverables")
    if any(not agreement.get(key) for key in keys):
        return Refusal(str(AGREEMENT_MISSING), "agreement")
    return None


def _sign(move):
    agreement = move.extra["agreement"]
    move.obj.agreement_signed_on = agreement["signed_on"]
    move.obj.agreement_starts_on = agreement["starts_on"]
    move.obj.agreement_ends_on = agreement["ends_on"]
    move.obj.agreement_amount_fen = agreement["amount_fen"]
    move.obj.deliverables = agreement["deliverables"]


def _has_reports(move):
    if not move.obj.reports.exists():
        return str(NO_REPORTS)
    return None


def _evaluation_complete(move):
    evaluation = move.extra["evaluation"] or {}
    if (
        evaluation.get("completed_on") is None
        or evaluation.get("satisfaction_rate") is None
        or not evaluation.get("respondents")
    ):
        return Refusal(str(EVALUATION_MISSING), "evaluation")
    return None


def _evaluate(move):
    evaluation = move.extra["evaluation"]
    move.obj.completed_on = evaluation["completed_on"]
    move.obj.satisfaction_rate = evaluation["satisfaction_rate"]
    move.obj.survey_respondents = evaluation["respondents"]
    move.obj.evaluation_summary = evaluation.get("summary", "")


_S = ProjectState

PROJECT_FLOW = Workflow(
    model="projects.ServiceProject",
    history="projects.ProjectStateChange",
    states=ProjectState,
    action=Action.OPERATE,
    extra=("application", "agreement", "evaluation", "on"),
    transitions=[
        Transition(_S.NEEDS, _S.PUBLISHED, label=_("发布项目"), guard=_publishable),
        Transition(_S.PUBLISHED, _S.NEEDS, label=_("撤回发布"), reason_required=True),
        Transition(_S.PUBLISHED, _S.CHECKING, label=_("截止申报，开始资格审查"), guard=_has_applications),
        Transition(_S.CHECKING, _S.PUBLISHED, label=_("重新接受申报"), reason_required=True),
        Transition(
            _S.CHECKING,
            _S.SELECTED,
            label=_("确定承接组织"),
            reason_required=True,
            guard=_selectable,
            apply=_select,
        ),
        Transition(_S.SELECTED, _S.AGREED, label=_("签订协议"), guard=_agreement_complete, apply=_sign),
        Transition(_S.AGREED, _S.EVALUATING, label=_("结项，开始评估"), guard=_has_reports),
        Transition(_S.EVALUATING, _S.ARCHIVED, label=_("完成评估并归档"), guard=_evaluation_complete, apply=_evaluate),
    ],
)
