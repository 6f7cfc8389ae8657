"""Writes of the ledger and feedback context (spec §6). Public feedback comes in without an
account, so `feedback_submit` takes no actor: its guards are validation, a public position and
the abuse limits (`limits.py`)."""

from __future__ import annotations

import ipaddress
import json
import logging
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from yizhan.core import workflow
from yizhan.core.audit import audit_context, audit_record
from yizhan.core.bulk import bulk_insert
from yizhan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    from_validation_error,
)
from yizhan.core.models import AuditAction
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require, require_in_scope
from yizhan.core.wording import enumeration
from yizhan.ledger import limits, selectors
from yizhan.ledger.choices import (
    FEEDBACK_HANDLING,
    PROBLEM_HANDLING,
    PUBLIC_SOURCES,
    STAFF_SOURCES,
    FeedbackSource,
    ProblemKind,
)
from yizhan.ledger.models import (
    LEDGER_COUNT_MAX,
    LEDGER_FIGURES,
    PROBLEM_TEXT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    SERVICE_ITEM_NAMES,
    SUMMED,
    TEXT_MAX_LENGTH,
    VISIT_NAMES,
    Activity,
    ActivityPhoto,
    DailyLedger,
    DailyLedgerRevision,
    Feedback,
    LedgerMonth,
    ProblemReport,
)
from yizhan.orgs.models import PHONE_VALIDATOR
from yizhan.positions import photos
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position

logger = logging.getLogger(__name__)

RATING_INVALID = _("评分应为 1 到 5 的整数")
TEXT_INVALID = _("意见内容应为文字")
TEXT_TOO_LONG = _("意见内容不能超过 {max} 个字（现有 {length} 个字）")
CONTENT_MISSING = _("请给出评分或填写意见内容")
PHONE_INVALID = _("联系电话格式不正确（手机 11 位，座机如 0411-82345678），也可以不填")
SOURCE_UNKNOWN = _("未知的意见来源“{value}”")
POSITION_NOT_PUBLIC = _("服务阵地不存在或未对公众开放")
PHONE_ONLY_HANDLING_UNIT = _("只有该阵地所属单位（处理单位）可以查看完整号码")
STAFF_SOURCE_UNKNOWN = _("请选择意见来源：{options}")
MODERATION_REASON_MISSING = _("隐藏内容须说明原因")
LIMITED = {
    "client": _("提交过于频繁，请 {wait}后再试"),
    "client_position": _("您刚对该阵地提交过意见，请 {wait}后再试"),
    "position": _("该阵地收到的意见过多，请 {wait}后再试"),
}
WAIT_SECONDS = _("{n} 秒")
WAIT_MINUTES = _("{n} 分钟")
WAIT_HOURS = _("{n} 小时")

# The audit log names the public as the author of a submission, and records no address.
PUBLIC_ACTOR_NAME = "公众"
CLIENT_KEY_SALT = "yizhan.ledger.feedback.client"
# Invisible characters that reorder or hide text (bidirectional overrides and isolates, the byte
# order mark): a staff list must show what was sent, in the order it was sent.
_INVISIBLE = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " ", "\v": "\n", "\f": "\n"})


class FeedbackLimited(ApplicationError):
    """A submission over an abuse limit (the API answers 429). `retry_after` is the seconds until
    the refusing window ends, `scope` which limit refused ("client", "client_position", "position")."""

    def __init__(self, message: str, *, retry_after: int, scope: str):
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after
        self.scope = scope


def feedback_submit(*, position_id: int, rating, text: str = "", phone: str = "", source: str, client: str) -> Feedback:
    """Record public feedback on a position (spec §6): a rating 1–5 and/or a text of at most 500
    characters (control and invisible reordering characters removed, trimmed), and optionally a
    phone for a reply (spec §11). Only public positions (operating, suspended) take feedback: any
    other id is not found. `client` is the sender's address, kept only as `client_key`; the abuse
    limits of `YIZHAN_FEEDBACK_LIMITS` refuse with FeedbackLimited. Nothing personal is logged."""
    if source not in PUBLIC_SOURCES:
        raise ApplicationError(SOURCE_UNKNOWN.format(value=str(source)[:20]), field="source")
    rating = clean_rating(rating)
    text = clean_text(text)
    if rating is None and not text:
        raise ApplicationError(CONTENT_MISSING, field="text")
    phone = clean_phone(phone)
    position = _public_position(position_id)
    key = client_key(client)
    feedback = Feedback(position=position, rating=rating, text=text, phone=phone, source=source, client_key=key)
    try:
        feedback.full_clean()
    except ValidationError as error:
        raise from_validation_error(error) from None

    charge = limits.charge(limits.buckets(client_key=key, position_id=position.pk))
    if charge.refusal is not None:
        refusal = charge.refusal
        logger.info("feedback refused by the %s limit on position %s", refusal.scope, position.pk)
        raise FeedbackLimited(
            LIMITED[refusal.scope].format(wait=_wait_text(refusal.retry_after)),
            retry_after=refusal.retry_after,
            scope=refusal.scope,
        )
    try:
        with (
            transaction.atomic(),
            audit_context(actor_id=None, actor_name=PUBLIC_ACTOR_NAME, unit_path="", unit_name="", remote_addr=""),
        ):
            feedback.save()
    except BaseException:
        limits.refund(charge)
        raise
    logger.info("feedback %s saved on position %s from %s", feedback.pk, position.pk, source)
    return feedback


def feedback_phone_reveal(*, actor: Actor, feedback: Feedback) -> str:
    """The full phone of a feedback, for a role that replies to it (those who may update feedback)
    acting for the handling unit — the unit the position belongs to (issue 15 §3: the phone stays
    masked except to the handling unit; an admin above sees it masked) — audited as the personal
    data leaving the system (spec §11: revealing needs a permission and writes an audit entry).
    The caller fetched `feedback` within the actor's scope."""
    require(actor, Action.UPDATE, Feedback)
    if actor.unit is None or feedback.position.unit_id != actor.unit.pk:
        raise PermissionDeniedError(PHONE_ONLY_HANDLING_UNIT)
    if not feedback.phone:
        return ""
    audit_record(action=AuditAction.REVEAL, obj=feedback, after={"revealed": "phone"})
    return feedback.phone


def may_reveal_phone(actor: Actor, feedback: Feedback) -> bool:
    """Whether `feedback_phone_reveal` would show this actor the phone (for the page's button)."""
    return actor.can(Action.UPDATE, Feedback) and actor.unit is not None and feedback.position.unit_id == actor.unit.pk


def feedback_record(
    *, actor: Actor, position: Position, source: str, rating=None, text: str = "", phone: str = ""
) -> Feedback:
    """Type in feedback that came by suggestion box, register or questionnaire (spec §6: "also
    suggestion box and questionnaire entries typed in by staff"), beside the public's: the same
    rules for rating, text and phone as `feedback_submit`, no abuse limits, on a position in the
    actor's scope that has served (not planned or building). Handled like any other feedback."""
    require(actor, Action.CREATE, Feedback)
    position = Position.objects.select_related("unit").get(pk=position.pk)
    require_in_scope(actor, position.unit)
    if source not in STAFF_SOURCES:
        options = enumeration(str(FeedbackSource(value).label) for value in STAFF_SOURCES)
        raise ApplicationError(STAFF_SOURCE_UNKNOWN.format(options=options), field="source")
    if position.state in (PositionState.PLANNED, PositionState.BUILDING):
        raise ApplicationError(LEDGER_POSITION_NOT_SERVING.format(state=position.get_state_display()), field="position")
    rating = clean_rating(rating)
    text = clean_text(text)
    if rating is None and not text:
        raise ApplicationError(CONTENT_MISSING, field="text")
    feedback = Feedback(
        position=position,
        rating=rating,
        text=text,
        phone=clean_phone(phone),
        source=source,
        entered_by_name=actor.user.get_username(),
    )
    try:
        feedback.full_clean()
    except ValidationError as error:
        raise from_validation_error(error) from None
    feedback.save()
    return feedback


@transaction.atomic
def feedback_moderate(*, actor: Actor, feedback: Feedback, hidden: bool, reason: str = "") -> Feedback:
    """Hide a feedback's abusive text from every page, list and answer (`Feedback.shown_text`), or
    show it again (issue 15 §3). The text is kept: the audit log records the change, and the
    submitter's own copy (`feedback_subject_export`) still holds it. Hiding needs a reason. The
    roles that may update feedback, within their scope."""
    require(actor, Action.UPDATE, Feedback)
    feedback = Feedback.objects.select_for_update().select_related("position__unit").get(pk=feedback.pk)
    require_in_scope(actor, feedback.position.unit)
    reason = (reason or "").strip()
    if hidden and not reason:
        raise ApplicationError(MODERATION_REASON_MISSING, field="reason")
    if len(reason) > 255:
        raise ApplicationError(LEDGER_REASON_TOO_LONG, field="reason")
    feedback.hidden = bool(hidden)
    feedback.hidden_reason = reason if hidden else ""
    feedback.save()
    return feedback


def feedback_transition(*, actor: Actor, feedback: Feedback, to_state: str, reason: str = "") -> Feedback:
    """Handle a feedback (spec §6, the table is `choices.FEEDBACK_HANDLING`): mark it read, resolve
    it with a note of the reply or what was done (required), or reopen a resolved one saying why.
    The roles that may update feedback, within their scope; one history row and one audit entry
    per move (the workflow engine, core/workflow.py). Returns the feedback as saved."""
    return workflow.transition(workflow=FEEDBACK_HANDLING, actor=actor, obj=feedback, to=to_state, reason=reason)


def clean_rating(raw) -> int | None:
    """A rating 1–5 from an integer or its digits (a form sends text); None when not given."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ApplicationError(RATING_INVALID, field="rating")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdecimal() and len(raw.strip()) <= 3:
        value = int(raw.strip())
    else:
        raise ApplicationError(RATING_INVALID, field="rating")
    if not RATING_MIN <= value <= RATING_MAX:
        raise ApplicationError(RATING_INVALID, field="rating")
    return value


def clean_text(raw) -> str:
    """The text as staff will read it: line breaks unified, control characters, surrogates and
    invisible reordering characters removed, trimmed; at most 500 characters after that."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ApplicationError(TEXT_INVALID, field="text")
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").translate(_LINE_BREAKS))
    text = "".join(ch for ch in text if ch == "\n" or not _hidden(ch)).strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ApplicationError(TEXT_TOO_LONG.format(max=TEXT_MAX_LENGTH, length=len(text)), field="text")
    return text


def clean_phone(raw) -> str:
    """An optional phone: full-width digits and dashes made ASCII, spaces removed, then checked
    against the mobile/landline format."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ApplicationError(PHONE_INVALID, field="phone")
    phone = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if not ch.isspace() and not _hidden(ch))
    if not phone:
        return ""
    try:
        PHONE_VALIDATOR(phone)
    except ValidationError:
        raise ApplicationError(PHONE_INVALID, field="phone") from None
    return phone


def client_key(address: str) -> str:
    """The sender's pseudonym: HMAC-SHA256 keyed with SECRET_KEY of the address, never the address
    itself (PIPL). An IPv6 client is keyed by its /64 network, which one subscriber usually holds
    whole, so that changing the address within it does not escape the limits."""
    return salted_hmac(CLIENT_KEY_SALT, _client_network(address or ""), algorithm="sha256").hexdigest()


def _client_network(address: str) -> str:
    address = address.strip()
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in _INVISIBLE


def _public_position(position_id) -> Position:
    """The public position of that id (an integer or its digits); NotFoundError for anything else."""
    pk = None
    if isinstance(position_id, int) and not isinstance(position_id, bool):
        pk = position_id
    elif isinstance(position_id, str) and position_id.strip().isdecimal() and len(position_id.strip()) <= 18:
        pk = int(position_id.strip())
    position = None
    if pk is not None and 0 < pk < 2**63:
        position = Position.objects.public().select_related("unit").filter(pk=pk).first()
    if position is None:
        raise NotFoundError(POSITION_NOT_PUBLIC, field="position_id")
    return position


def _wait_text(seconds: int) -> str:
    """A wait as a person says it: seconds under a minute, minutes under two hours, else hours
    (always rounded up, so the advice is never too short)."""
    if seconds < 60:
        return str(WAIT_SECONDS.format(n=seconds))
    if seconds < 2 * 3600:
        return str(WAIT_MINUTES.format(n=-(-seconds // 60)))
    return str(WAIT_HOURS.format(n=-(-seconds // 3600)))


# --- submitters' personal data (PIPL art. 45, 47; spec §11) ---------------------------------

SUBJECT_PHONE_REQUIRED = _("请填写提交人留下的联系电话")
SUBJECT_NOTHING = _("在您的管辖范围内没有以该号码提交的意见")
SUBJECT_EXPORT_REPR = "意见提交人数据导出 {count} 条"
SUBJECT_ERASE_REPR = "意见提交人数据删除 {count} 条"
EXPIRED_REPR = "意见联系电话到期匿名化 {count} 条"
# What an erased feedback's text becomes (stored, so in Chinese whatever the page language).
ERASED_TEXT = "（应提交人要求已删除）"
SUBJECT_KEY_SALT = "yizhan.ledger.feedback.subject"


def subject_key(phone: str) -> str:
    """How the audit log names a submitter: HMAC-SHA256 keyed with SECRET_KEY of the phone, never
    the phone (a plain hash of an 11-digit number is reversed by trying them all). A later
    request from the same phone finds the earlier ones by the same key."""
    return salted_hmac(SUBJECT_KEY_SALT, phone, algorithm="sha256").hexdigest()


def subject_phone(raw) -> str:
    """The phone a submitter gives for their request, cleaned like a submitted one; required."""
    phone = clean_phone(raw)
    if not phone:
        raise ApplicationError(SUBJECT_PHONE_REQUIRED, field="phone")
    return phone


@dataclass(frozen=True)
class SubjectExport:
    content: bytes
    filename: str
    count: int


def feedback_subject_export(*, actor: Actor, phone: str) -> SubjectExport:
    """Everything Yizhan holds on a submitter, found by the phone they gave (PIPL art. 45: the
    right to a copy), as JSON: each feedback in the actor's scope with its position, time,
    rating, text, phone, source and status. Federation and unit admins only. Audited with the
    phone's `subject_key`, never the phone."""
    phone = subject_phone(phone)
    feedback = list(selectors.feedback_of_submitter(actor=actor, phone=phone, action=Action.EXPORT))
    if not feedback:
        raise ApplicationError(SUBJECT_NOTHING, field="phone")
    data = {
        "subject": {"phone": phone},
        "exported_at": timezone.now().isoformat(),
        "exported_by": actor.unit.name,
        "feedback": [
            {
                "id": f.pk,
                "position_code": f.position.code,
                "position": f.position.official_name,
                "created_at": f.created_at.isoformat(),
                "rating": f.rating,
                "text": f.text,
                "phone": f.phone,
                "source": str(f.get_source_display()),
                "status": str(f.get_status_display()),
            }
            for f in feedback
        ],
    }
    _audit_subject(actor, AuditAction.EXPORT, SUBJECT_EXPORT_REPR, phone, [f.pk for f in feedback])
    return SubjectExport(
        content=json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
        filename=f"feedback-subject-{timezone.localdate():%Y%m%d}.json",
        count=len(feedback),
    )


@transaction.atomic
def feedback_subject_erase(*, actor: Actor, phone: str) -> int:
    """Delete a submitter's personal data at their request (PIPL art. 47): on each feedback in
    the actor's scope sent with that phone, the phone and the address pseudonym are removed and
    the text (their own words, which may name them) is replaced by ERASED_TEXT; the rating, the
    position and the time stay for the satisfaction figures (spec §6). Federation and unit admins
    only. One audit entry names the feedback and the phone's `subject_key`. Returns the count."""
    phone = subject_phone(phone)
    ids = list(
        selectors.feedback_of_submitter(actor=actor, phone=phone, action=Action.DELETE).values_list("pk", flat=True)
    )
    if not ids:
        raise ApplicationError(SUBJECT_NOTHING, field="phone")
    Feedback.objects.filter(pk__in=ids).update(phone="", client_key="", text=ERASED_TEXT)
    _audit_subject(actor, AuditAction.ANONYMISE, SUBJECT_ERASE_REPR, phone, ids)
    return len(ids)


def _audit_subject(actor: Actor, action: str, representation: str, phone: str, ids: list[int]) -> None:
    audit_record(
        action=action,
        object_type=Feedback._meta.label_lower,
        object_repr=representation.format(count=len(ids)),
        unit_path=actor.unit.path,
        unit_name=actor.unit.name,
        after={"subject": subject_key(phone), "feedback": ids, "count": len(ids)},
    )


def feedback_anonymise_expired(*, now: datetime | None = None) -> int:
    """Remove the phone and the address pseudonym of feedback older than
    YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS (spec §11: phones are kept only to reply, then
    anonymised); text and rating stay. Run daily (`yizhan feedback-anonymise`). One audit entry
    per run that changed anything, naming the count and the cut-off. Returns the count."""
    days = settings.YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        expired = Feedback.objects.filter(created_at__lt=cutoff).exclude(phone="", client_key="")
        count = expired.update(phone="", client_key="")
        if count:
            audit_record(
                action=AuditAction.ANONYMISE,
                object_type=Feedback._meta.label_lower,
                object_repr=EXPIRED_REPR.format(count=count),
                unit_path="",
                unit_name="",
                after={"before": cutoff.isoformat(), "retention_days": days, "count": count},
            )
    return count


# --- the daily ledger (台账, spec §6; issue 15 §1) --------------------------------------------

LEDGER_DAY_FUTURE = _("不能录入未来日期（{day}）的台账")
LEDGER_DAY_TOO_EARLY = _("日期不能早于 {earliest}")
LEDGER_DAY_BEFORE_OPENING = _("该阵地 {opened} 才启用，不能录入此前的台账")
LEDGER_POSITION_NOT_SERVING = _("“{state}”的阵地还没有开始服务，不能录入台账")
LEDGER_COUNT_INVALID = _("“{label}”应为不小于 0 的整数")
LEDGER_COUNT_NEGATIVE = _("“{label}”不能为负数")
LEDGER_COUNT_TOO_LARGE = _("“{label}”不能超过 {max}（一个阵地一天）")
LEDGER_UNKNOWN_FIGURE = _("未知的台账项目：{names}")
LEDGER_OWN_ITEM_UNKNOWN = _("“{name}”不是该阵地登记的特色服务（可在阵地信息中添加）")
LEDGER_ENTERED_MEANWHILE = _(
    "{day} 的台账已由 {who} 于 {when} 录入（第 {version} 版），您的数字没有保存；请核对页面上的现有数字，需要时再更正"
)
LEDGER_REASON_TOO_LONG = _("更正说明不能超过 255 个字")
IMPORT_REASON = "Excel 批量导入"


class LedgerOutcome(models.TextChoices):
    CREATED = "created", _("已录入")
    CORRECTED = "corrected", _("已更正")
    UNCHANGED = "unchanged", _("数字未变")


@dataclass(frozen=True)
class LedgerSaved:
    ledger: DailyLedger
    outcome: str


@dataclass
class LedgerFigures:
    """A day's figures after `ledger_figures_clean`: every count by field name, the unit's own
    items with a count above 0, and the problems found (field, message) — all of them at once."""

    figures: dict[str, int]
    own_items: dict[str, int]
    problems: list[tuple[str, str]]


def ledger_count_clean(raw, label) -> int:
    """One count of the ledger: empty is 0; an integer, its digits, or a whole float (a
    spreadsheet's 3.0); never negative, at most LEDGER_COUNT_MAX. ValueError with the message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0
    if isinstance(raw, bool):
        raise ValueError(str(LEDGER_COUNT_INVALID.format(label=label)))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if text.startswith("-") and text[1:].isdecimal():
            raise ValueError(str(LEDGER_COUNT_NEGATIVE.format(label=label)))
        if not text.isdecimal() or len(text) > 9:
            raise ValueError(str(LEDGER_COUNT_INVALID.format(label=label)))
        raw = int(text)
    if not isinstance(raw, int):
        raise ValueError(str(LEDGER_COUNT_INVALID.format(label=label)))
    if raw < 0:
        raise ValueError(str(LEDGER_COUNT_NEGATIVE.format(label=label)))
    if raw > LEDGER_COUNT_MAX:
        raise ValueError(str(LEDGER_COUNT_TOO_LARGE.format(label=label, max=LEDGER_COUNT_MAX)))
    return raw


def ledger_figures_clean(*, position: Position, figures: Mapping, own_items: Mapping | None = None) -> LedgerFigures:
    """Every count of a day checked (`ledger_count_clean`), missing ones 0; own items only the
    position's own services (spec §2 "plus N of the unit's own"). Used by the form, the API and
    the xlsx upload alike, so each refuses the same way."""
    labels = dict(LEDGER_FIGURES)
    problems: list[tuple[str, str]] = []
    unknown = sorted(set(figures) - set(labels))
    if unknown:
        problems.append(("figures", str(LEDGER_UNKNOWN_FIGURE.format(names=enumeration(map(str, unknown))[:200]))))
    clean: dict[str, int] = {}
    for name, label in LEDGER_FIGURES:
        try:
            clean[name] = ledger_count_clean(figures.get(name), label)
        except ValueError as error:
            problems.append((name, str(error)))
            clean[name] = 0
    own: dict[str, int] = {}
    offered = set(position.own_services or ())
    for name, raw in (own_items or {}).items():
        name = str(name).strip()
        try:
            count = ledger_count_clean(raw, name)
        except ValueError as error:
            problems.append(("own_items", str(error)))
            continue
        if count and name not in offered:
            problems.append(("own_items", str(LEDGER_OWN_ITEM_UNKNOWN.format(name=name[:40]))))
        elif count:
            own[name] = count
    return LedgerFigures(figures=clean, own_items=own, problems=problems)


def ledger_day_problems(*, position: Position, day: date, today: date | None = None) -> list[tuple[str, str]]:
    """Whether a day may be entered for a position (issue 15 §1): late entry is allowed, a future
    day never (Asia/Shanghai); not before the position opened nor before YIZHAN_EARLIEST_DATE; only
    a position that has started serving (operating, suspended or delisted since)."""
    today = today or timezone.localdate()
    problems = []
    if position.state in (PositionState.PLANNED, PositionState.BUILDING):
        problems.append(("position", str(LEDGER_POSITION_NOT_SERVING.format(state=position.get_state_display()))))
    if day > today:
        problems.append(("day", str(LEDGER_DAY_FUTURE.format(day=day.isoformat()))))
    elif day < settings.YIZHAN_EARLIEST_DATE:
        problems.append(("day", str(LEDGER_DAY_TOO_EARLY.format(earliest=settings.YIZHAN_EARLIEST_DATE.isoformat()))))
    elif position.opened_on and day < position.opened_on:
        problems.append(("day", str(LEDGER_DAY_BEFORE_OPENING.format(opened=position.opened_on.isoformat()))))
    return problems


def ledger_day_save(
    *,
    actor: Actor,
    position: Position,
    day: date,
    figures: Mapping,
    own_items: Mapping | None = None,
    expected_version: int | None = None,
    reason: str = "",
    overwrite: bool = False,
) -> LedgerSaved:
    """Enter or correct one day of a position's ledger (spec §6, issue 15 §1).

    A day not entered yet is created (CREATE permission). A day already entered is corrected
    (UPDATE) only when the caller saw it: `expected_version` equal to its stored version — or
    `overwrite` (the xlsx upload, whose file is the source) — so that two people entering the same
    day at once never overwrite each other silently: the second is refused with ConflictError
    (409) naming who entered it, and its figures are not saved. On PostgreSQL the race of two
    first entries is settled by the unique (position, day) constraint in a savepoint. A correction
    writes a `DailyLedgerRevision` with the earlier figures and the audit entry of the change; the
    same figures again change nothing (`unchanged`). Outside the actor's scope: 404."""
    # Every role that keeps ledgers may both enter and correct: refused as a role before anything else.
    require(actor, Action.CREATE, DailyLedger)
    position = Position.objects.select_related("unit").get(pk=position.pk)
    require_in_scope(actor, position.unit)
    problems = ledger_day_problems(position=position, day=day)
    cleaned = ledger_figures_clean(position=position, figures=figures, own_items=own_items)
    problems += cleaned.problems
    if len(reason) > 255:
        problems.append(("reason", str(LEDGER_REASON_TOO_LONG)))
    if problems:
        field, message = problems[0]
        every = [{"field": f, "message": m} for f, m in problems]
        raise ApplicationError(message, field=field, extra={"problems": every})
    with transaction.atomic():
        # The month's summary row is locked first: every writer of this position's month waits
        # here, so each one's refresh sums the rows the ones before it committed.
        month = _month_locked(position.pk, day)
        existing = DailyLedger.objects.select_for_update().filter(position=position, day=day).first()
        if existing is None:
            require(actor, Action.CREATE, DailyLedger)
            ledger = DailyLedger(position=position, day=day, own_items=cleaned.own_items, **cleaned.figures)
            _ledger_stamp(ledger, actor)
            try:
                with transaction.atomic():
                    ledger.save()
            except IntegrityError:
                existing = DailyLedger.objects.select_for_update().get(position=position, day=day)
                raise _entered_meanwhile(existing) from None
            ledger_month_refresh(month)
            return LedgerSaved(ledger, LedgerOutcome.CREATED)
        require(actor, Action.UPDATE, DailyLedger)
        if not overwrite and expected_version != existing.version:
            raise _entered_meanwhile(existing)
        if existing.figures() == cleaned.figures and existing.own_items == cleaned.own_items:
            return LedgerSaved(existing, LedgerOutcome.UNCHANGED)
        DailyLedgerRevision.objects.create(
            ledger=existing,
            version=existing.version,
            figures=existing.figures(),
            own_items=existing.own_items,
            reason=reason.strip(),
            actor=actor.user,
            actor_name=actor.user.get_username(),
        )
        for name, value in cleaned.figures.items():
            setattr(existing, name, value)
        existing.own_items = cleaned.own_items
        existing.version += 1
        _ledger_stamp(existing, actor)
        existing.save()
        ledger_month_refresh(month)
        return LedgerSaved(existing, LedgerOutcome.CORRECTED)


def _month_locked(position_id: int, day: date) -> LedgerMonth:
    """The summary row of the position's month of `day`, created when missing, locked."""
    first = day.replace(day=1)
    month = LedgerMonth.objects.select_for_update().filter(position_id=position_id, month=first).first()
    if month is None:
        try:
            with transaction.atomic():
                LedgerMonth.objects.create(position_id=position_id, month=first)
        except IntegrityError:
            pass  # another writer created it meanwhile: wait for its lock below
        month = LedgerMonth.objects.select_for_update().get(position_id=position_id, month=first)
    return month


def ledger_month_refresh(month: LedgerMonth) -> None:
    """Sum the month's daily rows into its summary row (≤ 31 rows: exact by construction, whatever
    the write was — an entry, a correction, an upload's row)."""
    end = (month.month.replace(day=28) + timedelta(days=4)).replace(day=1)
    sums = (
        DailyLedger.objects.filter(position_id=month.position_id, day__gte=month.month, day__lt=end)
        .order_by()
        .aggregate(days=Count("pk"), **{name: Sum(name) for name in SUMMED})
    )
    LedgerMonth.objects.filter(pk=month.pk).update(**{name: value or 0 for name, value in sums.items()})


def ledger_months_rebuild(*, position_ids=None) -> int:
    """Recompute the monthly summary from the daily rows (after a bulk write: the demo, a bench),
    for some positions or all, in one transaction. Returns the number of summary rows."""
    days = DailyLedger.objects.order_by()
    if position_ids is not None:
        days = days.filter(position_id__in=position_ids)
    grouped = (
        days.annotate(first=TruncMonth("day"))
        .values("position_id", "first")
        .annotate(n=Count("pk"), **{name: Sum(name) for name in SUMMED})
    )
    rows = []
    for row in grouped:
        first = row["first"] if isinstance(row["first"], date) else date.fromisoformat(str(row["first"])[:10])
        rows.append(
            LedgerMonth(
                position_id=row["position_id"],
                month=first.replace(day=1) if not isinstance(first, datetime) else first.date().replace(day=1),
                days=row["n"],
                **{name: row[name] or 0 for name in SUMMED},
            )
        )
    with transaction.atomic():
        stale = LedgerMonth.objects.all()
        if position_ids is not None:
            stale = stale.filter(position_id__in=position_ids)
        stale.delete()
        for start in range(0, len(rows), 5000):
            bulk_insert(rows[start : start + 5000])
    return len(rows)


def _ledger_stamp(ledger: DailyLedger, actor: Actor) -> None:
    ledger.visits_total = sum(getattr(ledger, name) for name in VISIT_NAMES)
    ledger.services_total = sum(getattr(ledger, name) for name in SERVICE_ITEM_NAMES) + sum(ledger.own_items.values())
    ledger.entered_by = actor.user
    ledger.entered_by_name = actor.user.get_username()


def _entered_meanwhile(ledger: DailyLedger) -> ConflictError:
    when = timezone.localtime(ledger.updated_at).strftime("%Y-%m-%d %H:%M:%S")
    return ConflictError(
        LEDGER_ENTERED_MEANWHILE.format(
            day=ledger.day.isoformat(), who=ledger.entered_by_name, when=when, version=ledger.version
        ),
        extra={"version": ledger.version, "id": ledger.pk},
    )


# --- problem reports from the public (issue 15 §4; spec §2) -----------------------------------

PROBLEM_KIND_UNKNOWN = _("请选择反映的问题：{options}")
PROBLEM_TEXT_TOO_LONG = _("补充说明不能超过 {max} 个字（现有 {length} 个字）")
PROBLEM_LIMITED = {
    "client": _("提交过于频繁，请 {wait}后再试"),
    "client_position": _("您刚反映过该阵地的问题，请 {wait}后再试"),
    "position": _("该阵地收到的反映过多，请 {wait}后再试"),
}


def upload_read(upload, *, field: str = "photo") -> bytes | None:
    """The bytes of an uploaded photo (None when none was sent), refused unread when over
    YIZHAN_PHOTO_MAX_BYTES: the pages and the API call it before the services."""
    if upload is None:
        return None
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError(photos.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field=field)
    return upload.read()


def problem_report_submit(
    *, position_id, kind, text: str = "", client: str, photo: bytes | None = None
) -> ProblemReport:
    """Record a worker's report that a public position is closed, locked, out of water, broken or
    misplaced (spec §2), with an optional text of at most 200 characters (cleaned as feedback
    text is) and an optional photo (the positions' pipeline: at most YIZHAN_PHOTO_MAX_BYTES, JPEG,
    PNG or WebP, re-encoded as JPEG without EXIF; decoded only after the abuse limits let the
    report through, and refunded if refused). Open at once: shown on the public page and in the
    re-verify queue, due for a check within YIZHAN_REVERIFY_DUE_DAYS. Same abuse limits as feedback
    (`YIZHAN_PROBLEM_REPORT_LIMITS`, FeedbackLimited when over); the address is kept only as
    `client_key`."""
    if kind not in ProblemKind.values:
        options = enumeration(str(label) for label in ProblemKind.labels)
        raise ApplicationError(PROBLEM_KIND_UNKNOWN.format(options=options), field="kind")
    try:
        text = clean_text(text)
    except ApplicationError as error:
        if not isinstance(text, str):
            raise ApplicationError(error.message, field="text") from None
        text = text.strip()  # over feedback's 500: longer than a report's 200 as well
    if len(text) > PROBLEM_TEXT_MAX_LENGTH:
        raise ApplicationError(
            PROBLEM_TEXT_TOO_LONG.format(max=PROBLEM_TEXT_MAX_LENGTH, length=len(text)), field="text"
        )
    if photo is not None:
        if not photo:
            raise ApplicationError(str(photos.PHOTO_EMPTY), field="photo")
        limit = settings.YIZHAN_PHOTO_MAX_BYTES
        if len(photo) > limit:
            raise ApplicationError(photos.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="photo")
    position = _public_position(position_id)
    key = client_key(client)
    due_on = timezone.localdate() + timedelta(days=settings.YIZHAN_REVERIFY_DUE_DAYS)
    report = ProblemReport(position=position, kind=kind, text=text, client_key=key, due_on=due_on)
    kind_of_limit = limits.PROBLEM_REPORT
    buckets = limits.buckets(client_key=key, position_id=position.pk, kind=kind_of_limit)
    charge = limits.charge(buckets, kind=kind_of_limit)
    if charge.refusal is not None:
        refusal = charge.refusal
        logger.info("problem report refused by the %s limit on position %s", refusal.scope, position.pk)
        raise FeedbackLimited(
            PROBLEM_LIMITED[refusal.scope].format(wait=_wait_text(refusal.retry_after)),
            retry_after=refusal.retry_after,
            scope=refusal.scope,
        )
    try:
        if photo is not None:
            try:
                jpeg, (report.photo_width, report.photo_height) = photos.reencode(photo)
            except ApplicationError as refused:
                raise ApplicationError(refused.message, field="photo") from None
            report.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(jpeg), save=False)
        with (
            transaction.atomic(),
            audit_context(actor_id=None, actor_name=PUBLIC_ACTOR_NAME, unit_path="", unit_name="", remote_addr=""),
        ):
            report.save()
    except BaseException:
        limits.refund(charge)
        if report.photo:
            report.photo.storage.delete(report.photo.name)
        raise
    logger.info("problem report %s (%s) saved on position %s", report.pk, kind, position.pk)
    return report


def problem_report_transition(
    *, actor: Actor, report: ProblemReport, to_state: str, reason: str = "", on_site: bool = False
) -> ProblemReport:
    """Settle a problem report (the table is `choices.PROBLEM_HANDLING`): resolved or found
    unfounded, with what was found or done (required); `on_site` when checked at the position,
    which sets the position's verified-on date to today; or reopen a settled one saying why (a
    new deadline). The roles that may update problem reports, within their scope; one history row
    and one audit entry per move (plus the position's, when verified on site)."""
    return workflow.transition(
        workflow=PROBLEM_HANDLING, actor=actor, obj=report, to=to_state, reason=reason, on_site=on_site
    )


# --- activities (spec §6; issue 15 §2) ---------------------------------------------------------

ACTIVITY_DAY_FUTURE = _("活动日期不能晚于今天（{day}）")
ACTIVITY_POSITION_OTHER_UNIT = _("该阵地属于“{unit}”，活动的举办单位应与之一致")
ACTIVITY_FIELDS = ("title", "kind", "held_on", "participants", "description", "position")


def _activity_check(actor: Actor, activity: Activity) -> None:
    """The rules of one activity: in the actor's scope (its unit, and its position's unit), a
    position's activity held by the position's unit, not in the future, fields as declared."""
    require_in_scope(actor, activity.unit)
    if activity.position_id is not None:
        position = Position.objects.select_related("unit").get(pk=activity.position_id)
        require_in_scope(actor, position.unit)
        if position.unit_id != activity.unit_id:
            raise ApplicationError(ACTIVITY_POSITION_OTHER_UNIT.format(unit=position.unit.name), field="position")
    if activity.held_on and activity.held_on > timezone.localdate():
        raise ApplicationError(ACTIVITY_DAY_FUTURE.format(day=timezone.localdate().isoformat()), field="held_on")
    try:
        activity.full_clean(exclude=["unit", "position"])
    except ValidationError as error:
        raise from_validation_error(error) from None


@transaction.atomic
def activity_create(
    *,
    actor: Actor,
    unit,
    title: str,
    kind: str,
    held_on: date,
    participants: int = 0,
    description: str = "",
    position: Position | None = None,
) -> Activity:
    """Register an activity held by `unit` (in the actor's scope), at `position` when it was held
    at one (the position's own unit), on a day not in the future (spec §6)."""
    require(actor, Action.CREATE, Activity)
    activity = Activity(
        unit=unit,
        position=position,
        title=(title or "").strip(),
        kind=kind,
        held_on=held_on,
        participants=participants,
        description=(description or "").strip(),
    )
    _activity_check(actor, activity)
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, actor: Actor, activity: Activity, **changes) -> Activity:
    """Correct an activity in scope (title, kind, day, participants, description, position);
    the audit log keeps the earlier values."""
    require(actor, Action.UPDATE, Activity)
    activity = Activity.objects.select_for_update().select_related("unit").get(pk=activity.pk)
    require_in_scope(actor, activity.unit)
    unknown = set(changes) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(activity, name, value.strip() if isinstance(value, str) else value)
    _activity_check(actor, activity)
    activity.save()
    return activity


@transaction.atomic
def activity_photo_add(*, actor: Actor, activity: Activity, data: bytes, caption: str = "") -> ActivityPhoto:
    """A photo of an activity through the positions' photo pipeline: refused when empty, over
    YIZHAN_PHOTO_MAX_BYTES or not a JPEG/PNG/WebP image; re-encoded as JPEG without EXIF."""
    require(actor, Action.UPDATE, Activity)
    activity = Activity.objects.select_related("unit").get(pk=activity.pk)
    require_in_scope(actor, activity.unit)
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise ApplicationError(PHOTO_CAPTION_TOO_LONG, field="caption")
    if not data:
        raise ApplicationError(str(photos.PHOTO_EMPTY), field="image")
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise ApplicationError(photos.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="image")
    jpeg, (width, height) = photos.reencode(data)
    photo = ActivityPhoto(
        activity=activity, caption=caption, uploaded_by=actor.user.get_username(), width=width, height=height
    )
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(jpeg), save=False)
    photo.save()
    return photo


PHOTO_CAPTION_TOO_LONG = _("说明不能超过 100 个字")
