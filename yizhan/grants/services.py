"""Writes of grants and self-evaluation reports (spec §7 "Funds" and the 绩效自评报告; source 000 §五,
§六): plain functions taking the actor, each in one transaction, refusing with a Chinese message.
Callers elsewhere (campaigns' approval, issue 19's subsidies) award through `grant_award`."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require, require_in_scope
from yizhan.core.wording import enumeration
from yizhan.grants.choices import EvidenceKind, GrantState, ReportState, UsePurpose
from yizhan.grants.models import SOURCE_MAX_LENGTH, TEXT_MAX_LENGTH, Grant, GrantEvidence, GrantUse, SelfEvaluation
from yizhan.grants.money import MAX_FEN, NOT_POSITIVE, TOO_LARGE, fen_to_yuan
from yizhan.orgs.models import Unit
from yizhan.positions import photos
from yizhan.positions.models import Position

TITLE_REQUIRED = _("请填写资金名称")
SOURCE_REQUIRED = _("请填写资金来源")
SOURCE_TOO_LONG = _("来源不能超过 60 个字符")
ALREADY_DISBURSED = _("该资金已于 {day} 拨付，不能重复拨付")
DISBURSED_BEFORE_AWARD = _("拨付日期不能早于核定日期 {day}")
NOT_DISBURSED = _("资金尚未拨付到管理单位，不能登记使用")
BEYOND_BALANCE = _("使用金额 {amount} 元超出余额：该资金剩余 {balance} 元")
USE_IN_FUTURE = _("使用日期不能晚于今天")
USE_BEFORE_DISBURSED = _("使用日期不能早于拨付日期 {day}")
DESCRIPTION_REQUIRED = _("请填写使用说明")
DESCRIPTION_TOO_LONG = _("使用说明不能超过 500 个字")
BAD_PURPOSE = _("用途应为改造提升、软硬件升级或日常运营")
EVIDENCE_EMPTY = _("没有选择凭证文件")
EVIDENCE_NOT_ACCEPTED = _("凭证应为照片（JPEG、PNG、WebP）或 PDF 文件")
EVIDENCE_TOO_LARGE = _("凭证文件不能大于 {limit} MB")
CAPTION_TOO_LONG = _("说明不能超过 100 个字")
REPORT_EXISTS = _("该单位已有此来源的绩效自评报告")
REPORT_SUBMITTED = _("报告已提交，不能再修改")
REPORT_INCOMPLETE = _("报告不完整，不能提交。请填写：{fields}")
REPORT_TOO_LONG = _("“{field}”不能超过 2000 个字")
SCORE_RANGE = _("自评得分应为 0 到 100 的整数")
NO_GRANTS_FOR_SOURCE = _("没有该来源的补助资金")

# The fields of a self-evaluation report the unit fills in, each required before submission (spec
# §7: targets, money used, outputs, problems, rectification; source 000 §六).
REPORT_TEXT_FIELDS = ("targets", "target_completion", "funds_use", "outputs", "problems", "rectification")
REPORT_FIELDS = (*REPORT_TEXT_FIELDS[:4], "score", *REPORT_TEXT_FIELDS[4:])


def _text(value: str, *, required_message, max_length: int, too_long, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(str(required_message), field=field)
    if len(value) > max_length:
        raise ApplicationError(str(too_long), field=field)
    return value


def _amount(amount_fen: int) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ApplicationError(str(NOT_POSITIVE), field="amount")
    if amount_fen > MAX_FEN:
        raise ApplicationError(str(TOO_LARGE), field="amount")
    return amount_fen


def grant_award(
    *, actor: Actor, position: Position, amount_fen: int, title: str, source: str, awarded_on: dt.date
) -> Grant:
    """Award `amount_fen` to `position` from `source` ("campaign:3"), managed by the position's unit.
    Idempotent per (source, position): awarding again returns the grant already made, unchanged
    (an approval retried, or two approvals at once, never pays twice — the unique constraint
    decides the race)."""
    require(actor, Action.CREATE, Grant)
    position = Position.objects.select_related("unit").get(pk=position.pk)
    require_in_scope(actor, position.unit)
    title = _text(title, required_message=TITLE_REQUIRED, max_length=200, too_long=TITLE_REQUIRED, field="title")
    source = _text(
        source, required_message=SOURCE_REQUIRED, max_length=SOURCE_MAX_LENGTH, too_long=SOURCE_TOO_LONG, field="source"
    )
    amount_fen = _amount(amount_fen)
    existing = Grant.objects.filter(source=source, position=position).first()
    if existing is not None:
        return existing
    grant = Grant(
        position=position,
        unit=position.unit,
        title=title,
        source=source,
        amount_fen=amount_fen,
        awarded_on=awarded_on,
        awarded_by=actor.user.get_username(),
    )
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        return Grant.objects.get(source=source, position=position)
    return grant


@transaction.atomic
def grant_disburse(*, actor: Actor, grant: Grant, disbursed_on: dt.date, reference: str = "") -> Grant:
    """Record that the grant's money went to its managing unit (source 000 §五: a one-off transfer)."""
    require(actor, Action.UPDATE, Grant)
    grant = Grant.objects.select_for_update().select_related("unit").get(pk=grant.pk)
    require_in_scope(actor, grant.unit)
    if grant.state == GrantState.DISBURSED:
        raise ApplicationError(ALREADY_DISBURSED.format(day=grant.disbursed_on), field="disbursed_on")
    if disbursed_on < grant.awarded_on:
        raise ApplicationError(DISBURSED_BEFORE_AWARD.format(day=grant.awarded_on), field="disbursed_on")
    grant.state = GrantState.DISBURSED
    grant.disbursed_on = disbursed_on
    grant.disbursement_reference = (reference or "").strip()[:100]
    grant.disbursed_by = actor.user.get_username()
    grant.save()
    return grant


@transaction.atomic
def grant_use_record(
    *, actor: Actor, grant: Grant, amount_fen: int, purpose: str, used_on: dt.date, description: str
) -> GrantUse:
    """One use of a disbursed grant by its managing unit. The grant's row is locked first, so uses
    recorded at the same moment are checked one after another against the balance: a use beyond
    it is refused (`BEYOND_BALANCE`) and the sum of the uses never exceeds the grant (the database
    refuses it besides: `grant_spent_within_amount`)."""
    require(actor, Action.CREATE, GrantUse)
    grant = Grant.objects.select_for_update().filter(pk=grant.pk).first()
    if grant is None or not actor.covers_unit(Unit.objects.get(pk=grant.unit_id)):
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    if grant.state != GrantState.DISBURSED:
        raise ApplicationError(str(NOT_DISBURSED))
    amount_fen = _amount(amount_fen)
    if purpose not in UsePurpose.values:
        raise ApplicationError(str(BAD_PURPOSE), field="purpose")
    if used_on > timezone.localdate():
        raise ApplicationError(str(USE_IN_FUTURE), field="used_on")
    if used_on < grant.disbursed_on:
        raise ApplicationError(USE_BEFORE_DISBURSED.format(day=grant.disbursed_on), field="used_on")
    description = _text(
        description,
        required_message=DESCRIPTION_REQUIRED,
        max_length=500,
        too_long=DESCRIPTION_TOO_LONG,
        field="description",
    )
    if amount_fen > grant.balance_fen:
        raise ApplicationError(
            BEYOND_BALANCE.format(amount=fen_to_yuan(amount_fen), balance=fen_to_yuan(grant.balance_fen)),
            field="amount",
        )
    use = GrantUse(
        grant=grant,
        amount_fen=amount_fen,
        purpose=purpose,
        used_on=used_on,
        description=description,
        recorded_by=actor.user.get_username(),
    )
    use.save()
    grant.spent_fen += amount_fen
    grant.save()
    return use


@transaction.atomic
def grant_evidence_add(*, actor: Actor, use: GrantUse, data: bytes, caption: str = "") -> GrantEvidence:
    """A photo (re-encoded as JPEG without EXIF) or a PDF proving a use; anything else is refused."""
    require(actor, Action.CREATE, GrantUse)
    use = GrantUse.objects.select_related("grant__unit").filter(pk=use.pk).first()
    if use is None or not actor.covers_unit(use.grant.unit):
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise ApplicationError(str(CAPTION_TOO_LONG), field="caption")
    if not data:
        raise ApplicationError(str(EVIDENCE_EMPTY), field="file")
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise ApplicationError(EVIDENCE_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="file")
    if data.startswith(b"%PDF-"):
        kind, content, name = EvidenceKind.PDF, data, f"{uuid.uuid4().hex}.pdf"
    else:
        try:
            content, _size = photos.reencode(data)
        except ApplicationError:
            raise ApplicationError(str(EVIDENCE_NOT_ACCEPTED), field="file") from None
        kind, name = EvidenceKind.PHOTO, f"{uuid.uuid4().hex}.jpg"
    evidence = GrantEvidence(use=use, kind=kind, caption=caption, uploaded_by=actor.user.get_username())
    evidence.file.save(name, ContentFile(content), save=False)
    evidence.save()
    return evidence


# ------------------------------------------------------------------ self-evaluation reports


@transaction.atomic
def self_evaluation_request(*, actor: Actor, source: str, title: str, due_on: dt.date) -> list[SelfEvaluation]:
    """Ask every unit managing grants of `source` for its self-evaluation report by `due_on`
    (source 000 §六: 2022-10-28). Units already asked keep their report; returns every report of the source."""
    require(actor, Action.CREATE, SelfEvaluation)
    title = _text(title, required_message=TITLE_REQUIRED, max_length=200, too_long=TITLE_REQUIRED, field="title")
    units = Unit.objects.filter(pk__in=Grant.objects.restrict(actor).filter(source=source).values("unit"))
    if not units:
        # Grants outside the actor's scope are as absent as grants that do not exist (404).
        raise NotFoundError(str(NO_GRANTS_FOR_SOURCE))
    asked = set(SelfEvaluation.objects.filter(source=source).values_list("unit_id", flat=True))
    for unit in units:
        if unit.pk not in asked:
            SelfEvaluation(
                unit=unit, source=source, title=title, due_on=due_on, requested_by=actor.user.get_username()
            ).save()
    return list(SelfEvaluation.objects.restrict(actor).filter(source=source))


def _report_locked(actor: Actor, report: SelfEvaluation) -> SelfEvaluation:
    require(actor, Action.UPDATE, SelfEvaluation)
    report = SelfEvaluation.objects.select_for_update().filter(pk=report.pk).first()
    if report is None or not actor.covers_unit(Unit.objects.get(pk=report.unit_id)):
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    if report.state == ReportState.SUBMITTED:
        raise ApplicationError(str(REPORT_SUBMITTED))
    return report


@transaction.atomic
def self_evaluation_save(*, actor: Actor, report: SelfEvaluation, **fields) -> SelfEvaluation:
    """Save a draft: any field may still be empty (the unit writes it over several days)."""
    report = _report_locked(actor, report)
    for name in REPORT_TEXT_FIELDS:
        if name in fields:
            value = (fields[name] or "").strip()
            if len(value) > TEXT_MAX_LENGTH:
                label = SelfEvaluation._meta.get_field(name).verbose_name
                raise ApplicationError(REPORT_TOO_LONG.format(field=label), field=name)
            setattr(report, name, value)
    if "score" in fields:
        score = fields["score"]
        if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100):
            raise ApplicationError(str(SCORE_RANGE), field="score")
        report.score = score
    report.save()
    return report


def self_evaluation_missing(report: SelfEvaluation) -> list[str]:
    """The names of the fields still empty, in the report's order."""
    return [
        name
        for name in REPORT_FIELDS
        if (report.score is None if name == "score" else not getattr(report, name).strip())
    ]


@transaction.atomic
def self_evaluation_submit(*, actor: Actor, report: SelfEvaluation) -> SelfEvaluation:
    """Submit the report: refused while any field is empty, naming every one (spec §7: an incomplete
    report cannot be submitted). The grants' amounts and uses are frozen into the report."""
    report = _report_locked(actor, report)
    missing = self_evaluation_missing(report)
    if missing:
        labels = enumeration(str(SelfEvaluation._meta.get_field(name).verbose_name) for name in missing)
        raise ApplicationError(REPORT_INCOMPLETE.format(fields=labels), field=missing[0], extra={"missing": missing})
    totals = Grant.objects.filter(source=report.source, unit__path__startswith=report.unit.path).aggregate(
        awarded=Sum("amount_fen"), spent=Sum("spent_fen")
    )
    report.awarded_fen = totals["awarded"] or 0
    report.spent_fen = totals["spent"] or 0
    report.state = ReportState.SUBMITTED
    report.submitted_on = timezone.localdate()
    report.submitted_by = actor.user.get_username()
    report.save()
    return report
