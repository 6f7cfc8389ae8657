"""Guards and hooks of the campaign's and a nomination's moves (`choices.CAMPAIGN_FLOW`,
`choices.NOMINATION_FLOW`), and the rules they share with the services: eligibility, the notice's
length, the sealed PDF."""

from __future__ import annotations

import contextvars
import datetime as dt
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.campaigns.choices import CampaignState, NominationState, ObjectionStatus
from yizhan.core.errors import ApplicationError
from yizhan.core.workflow import Move, Refusal

SEALED_PDF_MAX_MB = 20  # default of YIZHAN_SEALED_PDF_MAX_MB
NOTICE_MIN_DAYS = 7  # source 000 §四(四): "为期一周的公示"; spec §7: at least 7 calendar days

QUOTAS_MISSING = _("尚未计算名额分配表")
QUOTAS_SUM_WRONG = _("名额合计 {sum} 个，与推树总名额 {total} 个不一致")
NOTICE_DATES_MISSING = _("请填写公示开始和结束日期")
NOTICE_TOO_SHORT = _("公示期不得少于 {min} 天（{start} 至 {end} 共 {days} 天）")
NOTICE_IN_PAST = _("公示开始日期不能早于今天")
UNDECIDED = _("还有 {count} 个推荐未作出评议结论")
NOTHING_RECOMMENDED = _("没有评议通过的推荐，不能公示")
NOTICE_NOT_OVER = _("公示期至 {end} 结束，期满后才能审批")
OBJECTIONS_OPEN = _("还有 {count} 条公示异议未处理完毕，不能审批")
SEALED_MISSING = _("请先上传加盖公章的推荐表（PDF）")
CAMPAIGN_NOT_NOMINATING = _("活动当前为“{state}”，不能报送推荐")
CAMPAIGN_NOT_REVIEWING = _("活动当前为“{state}”，不能作出评议结论")
CAMPAIGN_NOT_IN_NOTICE = _("活动当前为“{state}”，不能更改评议结论")
MEETING_MISSING = _("请选择作出结论的评议会议")
MEETING_OTHER_CAMPAIGN = _("该评议会议不属于本活动")
STEP_CLOSED = _("“{step}”已于 {deadline} 截止")
NOT_BY_APPROVAL = _("命名由活动审批一并完成")

PDF_NOT_A_PDF = _("上传的文件不是 PDF（请上传加盖公章后扫描或导出的 PDF 文件）")
PDF_BROKEN = _("PDF 文件已损坏或不完整，无法读取")
PDF_TOO_LARGE = _("PDF 文件不能大于 {limit} MB")
PDF_EMPTY = _("没有选择文件")


# --- shared rules ----------------------------------------------------------------------------


def notice_days(start: dt.date, end: dt.date) -> int:
    """Calendar days of a notice from `start` to `end`, both included (Asia/Shanghai dates)."""
    return (end - start).days + 1


def notice_refusal(start: dt.date | None, end: dt.date | None) -> Refusal | None:
    if start is None or end is None:
        return Refusal(str(NOTICE_DATES_MISSING), "notice_ends_on")
    if start < timezone.localdate():
        return Refusal(str(NOTICE_IN_PAST), "notice_starts_on")
    days = notice_days(start, end)
    if days < NOTICE_MIN_DAYS:
        return Refusal(
            NOTICE_TOO_SHORT.format(min=NOTICE_MIN_DAYS, start=start.isoformat(), end=end.isoformat(), days=days),
            "notice_ends_on",
        )
    return None


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")


def sealed_limit_bytes() -> int:
    return getattr(settings, "YIZHAN_SEALED_PDF_MAX_MB", SEALED_PDF_MAX_MB) * 1024 * 1024


def check_pdf(data: bytes) -> None:
    """Refuse what is not a complete PDF: empty or over YIZHAN_SEALED_PDF_MAX_MB; not starting with
    the `%PDF-` magic bytes; or not parse-able — its trailer must end with `startxref <offset>
    %%EOF` and the offset must point at the cross-reference table (`xref`) or stream (`n g obj`)
    inside the file (what a reader looks for first; a truncated upload fails here)."""
    limit_mb = getattr(settings, "YIZHAN_SEALED_PDF_MAX_MB", SEALED_PDF_MAX_MB)
    if not data:
        raise ApplicationError(str(PDF_EMPTY), field="file")
    if len(data) > limit_mb * 1024 * 1024:
        raise ApplicationError(PDF_TOO_LARGE.format(limit=limit_mb), field="file")
    if not data.startswith(b"%PDF-"):
        raise ApplicationError(str(PDF_NOT_A_PDF), field="file")
    match = _STARTXREF.search(data[-1024:])
    if match is None:
        raise ApplicationError(str(PDF_BROKEN), field="file")
    offset = int(match.group(1))
    if not 0 < offset < len(data):
        raise ApplicationError(str(PDF_BROKEN), field="file")
    head = data[offset : offset + 40].lstrip()
    if not (head.startswith(b"xref") or _OBJECT.match(head)):
        raise ApplicationError(str(PDF_BROKEN), field="file")


def step_refusal(campaign, kind) -> str | None:
    """The refusal of a unit's submission to a step whose deadline has passed (None when open or
    when the campaign has no such step)."""
    step = campaign.steps.filter(kind=kind).first()
    if step is not None and timezone.localdate() > step.deadline:
        return STEP_CLOSED.format(step=step.get_kind_display(), deadline=step.deadline.isoformat())
    return None


# --- the campaign's moves --------------------------------------------------------------------


def campaign_publish_guard(move: Move):
    campaign = move.obj
    quotas = list(campaign.quotas.all())
    if not quotas:
        return QUOTAS_MISSING
    total = sum(q.quota for q in quotas)
    if total != campaign.total_quota:
        return QUOTAS_SUM_WRONG.format(sum=total, total=campaign.total_quota)
    return None


def campaign_publish_apply(move: Move) -> None:
    move.obj.quotas_published_on = timezone.localdate()
    _complete_step(move.obj, "quotas")


def campaign_notice_guard(move: Move):
    campaign = move.obj
    undecided = campaign.nominations.filter(state=NominationState.SUBMITTED).count()
    if undecided:
        return UNDECIDED.format(count=undecided)
    if not campaign.nominations.filter(state=NominationState.RECOMMENDED).exists():
        return NOTHING_RECOMMENDED
    return notice_refusal(move.extra["notice_starts_on"], move.extra["notice_ends_on"])


def campaign_notice_apply(move: Move) -> None:
    move.obj.notice_starts_on = move.extra["notice_starts_on"]
    move.obj.notice_ends_on = move.extra["notice_ends_on"]
    _complete_step(move.obj, "review")


def campaign_approve_guard(move: Move):
    campaign = move.obj
    if campaign.notice_ends_on is None or timezone.localdate() <= campaign.notice_ends_on:
        end = campaign.notice_ends_on.isoformat() if campaign.notice_ends_on else "—"
        return NOTICE_NOT_OVER.format(end=end)
    open_count = campaign.objections.filter(status=ObjectionStatus.OPEN).count()
    if open_count:
        return OBJECTIONS_OPEN.format(count=open_count)
    return None


def campaign_approve_apply(move: Move) -> None:
    """Approval: the recommended nominations are named (their own move, one history row each),
    each position gets the honour, and one grant each is awarded (`services._award`)."""
    from yizhan.campaigns import services

    campaign = move.obj
    campaign.approved_on = timezone.localdate()
    _complete_step(campaign, "notice")
    _complete_step(campaign, "approval")
    services.campaign_award(actor=move.actor, campaign=campaign)


def _complete_step(campaign, kind: str) -> None:
    step = campaign.steps.filter(kind=kind, completed_on__isnull=True).first()
    if step is not None:
        step.completed_on = timezone.localdate()
        step.save()


# --- a nomination's moves --------------------------------------------------------------------


def nomination_apply(move: Move) -> None:
    nomination = move.obj
    if move.target in (NominationState.RECOMMENDED, NominationState.REJECTED):
        nomination.meeting = move.extra["meeting"] or nomination.meeting
        nomination.decision_reason = move.reason


def nomination_submit_guard(move: Move):
    nomination = move.obj
    campaign = nomination.campaign
    if campaign.state != CampaignState.PUBLISHED:
        return CAMPAIGN_NOT_NOMINATING.format(state=campaign.get_state_display())
    closed = step_refusal(campaign, "nominations")
    if closed:
        return closed
    if not nomination.sealed_pdf:
        return Refusal(str(SEALED_MISSING), "sealed_pdf")
    return None


def nomination_before_review_guard(move: Move):
    campaign = move.obj.campaign
    if campaign.state not in (CampaignState.PUBLISHED, CampaignState.REVIEWING):
        return CAMPAIGN_NOT_NOMINATING.format(state=campaign.get_state_display())
    return None


def nomination_decide_guard(move: Move):
    campaign = move.obj.campaign
    if campaign.state != CampaignState.REVIEWING:
        return CAMPAIGN_NOT_REVIEWING.format(state=campaign.get_state_display())
    meeting = move.extra["meeting"]
    if meeting is None:
        return Refusal(str(MEETING_MISSING), "meeting")
    if meeting.campaign_id != campaign.pk:
        return Refusal(str(MEETING_OTHER_CAMPAIGN), "meeting")
    return None


def nomination_redecide_guard(move: Move):
    campaign = move.obj.campaign
    if campaign.state not in (CampaignState.REVIEWING, CampaignState.NOTICE):
        return CAMPAIGN_NOT_IN_NOTICE.format(state=campaign.get_state_display())
    return None


# Set while the campaign's approval names its nominations (`services.campaign_award`, inside the
# campaign's move, before the campaign row is saved): no other path names a nomination.
approving = contextvars.ContextVar("campaign_approving", default=None)


def nomination_select_guard(move: Move):
    if approving.get() != move.obj.campaign_id:
        return NOT_BY_APPROVAL
    return None
