"""Enumerations of nomination campaigns (推树活动, spec §7, source 000) and the two transitions
tables: the campaign's and a nomination's. Guards that read other rows live in `rules.py`
(imported lazily: this module is imported by `models.py`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.core.roles import Action, Role
from yizhan.core.workflow import Move, Transition, Workflow


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    PUBLISHED = "published", _("名额已下达")
    REVIEWING = "reviewing", _("评议中")
    NOTICE = "notice", _("公示中")
    APPROVED = "approved", _("已审批通报")
    CANCELLED = "cancelled", _("已取消")


class NominationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RECOMMENDED = "recommended", _("评议通过")
    REJECTED = "rejected", _("评议未通过")
    SELECTED = "selected", _("已命名")
    WITHDRAWN = "withdrawn", _("已撤回")


# A nomination in these states takes a place of its unit's quota.
QUOTA_STATES = (
    NominationState.DRAFT,
    NominationState.SUBMITTED,
    NominationState.RECOMMENDED,
    NominationState.REJECTED,
    NominationState.SELECTED,
)


class StepKind(models.TextChoices):
    """The dated steps of spec §7, in their order."""

    QUOTAS = "quotas", _("名额分配")
    REVIEW_GROUP = "review_group", _("评议小组成员报名")
    NOMINATIONS = "nominations", _("各地推荐报送")
    REVIEW = "review", _("实地核查与综合评议")
    NOTICE = "notice", _("公示")
    APPROVAL = "approval", _("审批通报挂牌")
    FUNDS = "funds", _("专项资金拨付")
    SELF_EVALUATION = "self_evaluation", _("绩效自评报告")
    SPOT_CHECKS = "spot_checks", _("随机抽查")


# Steps each unit submits something for (overdue per unit); the others are the federation's own.
UNIT_STEPS = (StepKind.REVIEW_GROUP, StepKind.NOMINATIONS)


class GroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class ObjectionOutcome(models.TextChoices):
    DISMISSED = "dismissed", _("异议不成立")
    UPHELD = "upheld", _("异议成立")


class VerificationResult(models.TextChoices):
    CONFORMS = "conforms", _("符合推树条件")
    PARTLY = "partly", _("基本符合，需整改")
    FAILS = "fails", _("不符合推树条件")


# The score sheet (评分表) of the on-site verification: the six conditions of source 000 §2 and
# the four fields of merit it names ("发挥作用、群众评价、工作创新、服务特色"), 100 points.
SCORE_ITEMS = (
    ("signage", _("有统一的标识名称"), 10),
    ("layout", _("有合理的站点布局"), 10),
    ("facilities", _("有健全的服务设施"), 10),
    ("functions", _("有完善的服务功能"), 10),
    ("rules", _("有规范的管理制度"), 10),
    ("map", _("有地图可查"), 10),
    ("role", _("发挥作用"), 10),
    ("opinion", _("群众评价"), 10),
    ("innovation", _("工作创新"), 10),
    ("features", _("服务特色"), 10),
)
SCORE_MAX = sum(points for _key, _label, points in SCORE_ITEMS)

FEDERATION = frozenset({Role.FEDERATION_ADMIN})
UNIT_OR_FEDERATION = frozenset({Role.UNIT_ADMIN, Role.FEDERATION_ADMIN})


def _rule(name):
    def guard(move: Move):
        from yizhan.campaigns import rules

        return getattr(rules, name)(move)

    return guard


_C = CampaignState
CAMPAIGN_FLOW = Workflow(
    model="campaigns.Campaign",
    history="campaigns.CampaignStateChange",
    states=CampaignState,
    action=Action.OPERATE,
    extra=("notice_starts_on", "notice_ends_on"),
    transitions=[
        Transition(
            _C.DRAFT,
            _C.PUBLISHED,
            label=_("下达名额"),
            guard=_rule("campaign_publish_guard"),
            apply=_rule("campaign_publish_apply"),
        ),
        Transition(_C.PUBLISHED, _C.REVIEWING, label=_("截止推荐，开始评议")),
        Transition(
            _C.REVIEWING,
            _C.NOTICE,
            label=_("开始公示"),
            guard=_rule("campaign_notice_guard"),
            apply=_rule("campaign_notice_apply"),
        ),
        Transition(_C.NOTICE, _C.REVIEWING, label=_("退回评议"), reason_required=True),
        Transition(
            _C.NOTICE,
            _C.APPROVED,
            label=_("审批通过"),
            guard=_rule("campaign_approve_guard"),
            apply=_rule("campaign_approve_apply"),
        ),
        Transition(_C.DRAFT, _C.CANCELLED, label=_("取消活动"), reason_required=True),
        Transition(_C.PUBLISHED, _C.CANCELLED, label=_("取消活动"), reason_required=True),
        Transition(_C.REVIEWING, _C.CANCELLED, label=_("取消活动"), reason_required=True),
        Transition(_C.NOTICE, _C.CANCELLED, label=_("取消活动"), reason_required=True),
    ],
)

_N = NominationState
NOMINATION_FLOW = Workflow(
    model="campaigns.Nomination",
    history="campaigns.NominationStateChange",
    states=NominationState,
    action=Action.OPERATE,
    extra=("meeting",),
    apply=_rule("nomination_apply"),
    transitions=[
        Transition(
            _N.DRAFT, _N.SUBMITTED, label=_("报送"), roles=UNIT_OR_FEDERATION, guard=_rule("nomination_submit_guard")
        ),
        Transition(
            _N.SUBMITTED,
            _N.DRAFT,
            label=_("退回修改"),
            roles=FEDERATION,
            reason_required=True,
            guard=_rule("nomination_before_review_guard"),
        ),
        Transition(
            _N.SUBMITTED, _N.RECOMMENDED, label=_("评议通过"), roles=FEDERATION, guard=_rule("nomination_decide_guard")
        ),
        Transition(
            _N.SUBMITTED,
            _N.REJECTED,
            label=_("评议不通过"),
            roles=FEDERATION,
            reason_required=True,
            guard=_rule("nomination_decide_guard"),
        ),
        Transition(
            _N.RECOMMENDED,
            _N.REJECTED,
            label=_("改为不通过"),
            roles=FEDERATION,
            reason_required=True,
            guard=_rule("nomination_redecide_guard"),
        ),
        Transition(
            _N.REJECTED,
            _N.RECOMMENDED,
            label=_("改为通过"),
            roles=FEDERATION,
            reason_required=True,
            guard=_rule("nomination_redecide_guard"),
        ),
        Transition(
            _N.RECOMMENDED, _N.SELECTED, label=_("命名"), roles=FEDERATION, guard=_rule("nomination_select_guard")
        ),
        Transition(_N.DRAFT, _N.WITHDRAWN, label=_("撤回"), roles=UNIT_OR_FEDERATION, reason_required=True),
        Transition(
            _N.SUBMITTED,
            _N.WITHDRAWN,
            label=_("撤回"),
            roles=UNIT_OR_FEDERATION,
            reason_required=True,
            guard=_rule("nomination_before_review_guard"),
        ),
    ],
)
