"""Writes of the service-centre acceptance (spec §8, source 002 六): plain functions taking the
actor, each in one transaction, refusing with a Chinese message and writing nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.centres import mechanisms
from yizhan.centres.choices import ACCEPTANCE_FLOW, ApplicationState, AttachmentKind, CheckType, Method, Part
from yizhan.centres.models import (
    AcceptanceRound,
    Application,
    Attachment,
    ChecklistItem,
    ModelCentre,
)
from yizhan.core import workflow
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE, Actor, get_for_actor, require, require_in_scope
from yizhan.grants.money import MAX_FEN, NOT_POSITIVE, TOO_LARGE
from yizhan.orgs.choices import FEDERATION_TYPES
from yizhan.orgs.models import Unit
from yizhan.positions import photos
from yizhan.positions.choices import CentreLevel, PositionKind
from yizhan.positions.models import Position
from yizhan.standards.choices import CheckType as StandardCheckType
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Standard, StandardItem, StandardVersion

# The federation's standards a centre's hardware is checked against (spec §3), in this order.
HARDWARE_STANDARDS = ("six-haves", "centre-area", "centre-services")

YEAR_BAD = _("年度应在 2000～2100 之间")
TITLE_REQUIRED = _("请填写考核验收批次的名称")
ROUND_TWICE = _("{year} 年度的考核验收批次已经建立")
NOT_A_FEDERATION = _("考核验收批次由总工会建立")
REVIEW_BEFORE_DEADLINE = _("考核结束日期不能早于申报截止日期")
NOT_A_CENTRE = _("只有职工服务中心可以申报验收（“{name}”是{kind}）")
CENTRE_OUTSIDE_ROUND = _("这个服务中心不属于组织本批次的总工会")
ALREADY_APPLIED = _("“{centre}”已在本批次申报（{state}）")
NO_STANDARDS = _("总工会还没有发布职工服务中心建设标准（六有、面积、服务项目），不能开始自查")
NOT_EDITABLE = _("申报已“{state}”，自查内容不能再修改")
NOT_UNDER_REVIEW = _("只有已申报的验收可以记录考核（现为“{state}”）")
UNKNOWN_ITEM = _("没有条目“{key}”")
BAD_NUMBER = _("“{item}”应填写不小于 0 的数值")
BAD_METHOD = _("考核方式只能是看、查、谈")
NO_METHOD = _("“{item}”请注明考核方式（看、查、谈）")
TEXT_TOO_LONG = _("“{field}”不能超过 {max} 个字")
BAD_COUNT = _("{label}应为不小于 0 的整数")
SATISFIED_ABOVE_SAMPLE = _("满意人数（{satisfied}）不能多于样本数（{responses}）")
ATTACHMENT_EMPTY = _("没有选择文件")
ATTACHMENT_TOO_LARGE = _("文件不能大于 {limit} MB")
ATTACHMENT_NOT_ACCEPTED = _("只接受照片（JPEG、PNG、WebP）或 PDF 台账")
NOT_GRADED = _("评定等次后才能登记奖励")
REWARD_REQUIRED = _("请填写奖励内容")
MODEL_TWICE = _("“{centre}”已登记为 {year} 年度示范中心")


def _text(value, *, field: str, label, max_length: int, required=None) -> str:
    value = (value or "").strip()
    if required is not None and not value:
        raise ApplicationError(str(required), field=field)
    if len(value) > max_length:
        raise ApplicationError(str(TEXT_TOO_LONG).format(field=label, max=max_length), field=field)
    return value


def _count(value, *, field: str, label) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 10**7:
        raise ApplicationError(str(BAD_COUNT).format(label=label), field=field)
    return value


def _root(unit: Unit) -> Unit:
    return unit if unit.is_root() else Unit.objects.get(path=unit.path[: Unit.steplen])


# ------------------------------------------------------------------ rounds


@transaction.atomic
def round_create(
    *, actor: Actor, unit: Unit, year: int, deadline: dt.date, title: str = "", review_ends_on: dt.date | None = None
) -> AcceptanceRound:
    """Open a federation's acceptance round of `year`, due by `deadline`."""
    require(actor, Action.CREATE, AcceptanceRound)
    require_in_scope(actor, unit)
    if unit.type not in FEDERATION_TYPES:
        raise ApplicationError(str(NOT_A_FEDERATION), field="unit")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ApplicationError(str(YEAR_BAD), field="year")
    if review_ends_on is not None and review_ends_on < deadline:
        raise ApplicationError(str(REVIEW_BEFORE_DEADLINE), field="review_ends_on")
    title = _text(title or f"{year}年度职工服务中心考核验收", field="title", label=_("名称"), max_length=200)
    if AcceptanceRound.objects.filter(unit=unit, year=year).exists():
        raise ApplicationError(str(ROUND_TWICE).format(year=year), field="year")
    acceptance_round = AcceptanceRound(
        unit=unit, year=year, deadline=deadline, title=title, review_ends_on=review_ends_on
    )
    acceptance_round.save()
    return acceptance_round


# ------------------------------------------------------------------ the checklist


def mechanism_standard_ensure(federation: Unit) -> Standard:
    """The federation's standard of operating mechanisms (mechanisms.py), created as version 1,
    published, the first time; the federation edits it on the standards pages like any other."""
    standard = Standard.objects.filter(unit=federation, code=mechanisms.CODE).first()
    if standard is not None:
        return standard
    standard = Standard(
        unit=federation,
        code=mechanisms.CODE,
        name=mechanisms.NAME,
        source=mechanisms.SOURCE,
        description=mechanisms.DESCRIPTION,
    )
    standard.save()
    version = StandardVersion(standard=standard, number=1, note="系统预置")
    version.save()
    for order, (key, group, text) in enumerate(mechanisms.MECHANISMS, 1):
        StandardItem(version=version, order=order, key=key, group=group, text=text, kinds=[PositionKind.CENTRE]).save()
    version.state, version.published_at = VersionState.PUBLISHED, timezone.now()
    version.save()
    return standard


def _published_version(unit: Unit, code: str) -> StandardVersion | None:
    """The version in force of standard `code` of the nearest unit at or above `unit`."""
    above = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    standard = (
        Standard.objects.filter(unit__path__in=above, code=code).select_related("unit").order_by("-unit__depth").first()
    )
    if standard is None:
        return None
    return standard.versions.filter(state=VersionState.PUBLISHED).first()


def _applies(item: StandardItem, level: str) -> bool:
    return (not item.kinds or PositionKind.CENTRE in item.kinds) and (
        not item.centre_levels or level in item.centre_levels
    )


# The floor-area item that applies to large state-owned enterprises only (standards/defaults.py).
LARGE_SOE_ITEM = "enterprise_soe_total"
NOT_ENTERPRISE_SOE = _("只有企业职工服务中心才能按国有大型企业考核")


def checklist_for(centre: Position, *, large_state_owned: bool = False) -> list[ChecklistItem]:
    """The unsaved checklist of a centre of its level: hardware from the federation's centre
    standards (六有, floor areas, service items and wall notices), mechanisms from its mechanism
    standard. Optional items (可选服务项目) are listed but not counted in the rates. The floor
    area of a large state-owned enterprise's centre (≥ 200 m², spec §3) is required of those
    enterprises and left out for the others (theirs is the ≥ 100 m² item)."""
    federation = _root(centre.unit)
    mechanism_standard_ensure(federation)
    rows: list[ChecklistItem] = []
    sources = [(code, Part.HARDWARE) for code in HARDWARE_STANDARDS] + [(mechanisms.CODE, Part.MECHANISM)]
    for code, part in sources:
        version = _published_version(centre.unit, code)
        if version is None:
            continue
        for item in version.items.order_by("order"):
            if not _applies(item, centre.centre_level):
                continue
            large_soe_item = item.key == LARGE_SOE_ITEM
            if large_soe_item and not large_state_owned:
                continue
            number = item.check_type == StandardCheckType.NUMBER
            rows.append(
                ChecklistItem(
                    order=len(rows) + 1,
                    key=f"{code}.{item.key}",
                    part=part,
                    group=item.group or version.standard.name,
                    text=item.text,
                    source=str(version)[:120],
                    required=item.required or large_soe_item,
                    check_type=CheckType.NUMBER if number else CheckType.YES_NO,
                    minimum=item.minimum if number else None,
                    unit_label=item.unit_label,
                )
            )
    if not any(r.part == Part.HARDWARE for r in rows):
        raise ApplicationError(str(NO_STANDARDS), field="centre")
    return rows


# ------------------------------------------------------------------ applications


@transaction.atomic
def application_create(
    *, actor: Actor, acceptance_round: AcceptanceRound, centre: Position, large_state_owned: bool = False
) -> Application:
    """Open a centre's application in a round, with the checklist of its level (self-check);
    `large_state_owned`: an enterprise centre of a large state-owned enterprise (≥ 200 m²)."""
    require(actor, Action.CREATE, Application)
    acceptance_round = get_for_actor(AcceptanceRound.objects.all(), actor, Action.VIEW, pk=acceptance_round.pk)
    centre = Position.objects.select_related("unit").filter(pk=centre.pk).first()
    if centre is None or not actor.covers_unit(centre.unit):
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    if centre.kind != PositionKind.CENTRE:
        raise ApplicationError(
            str(NOT_A_CENTRE).format(name=centre.official_name, kind=centre.get_kind_display()), field="centre"
        )
    if not centre.unit.path.startswith(acceptance_round.unit.path):
        raise ApplicationError(str(CENTRE_OUTSIDE_ROUND), field="centre")
    existing = Application.objects.filter(round=acceptance_round, centre=centre).first()
    if existing is not None:
        raise ApplicationError(
            str(ALREADY_APPLIED).format(centre=centre.official_name, state=existing.get_state_display()), field="centre"
        )
    if large_state_owned and centre.centre_level != CentreLevel.ENTERPRISE:
        raise ApplicationError(str(NOT_ENTERPRISE_SOE), field="large_state_owned")
    items = checklist_for(centre, large_state_owned=large_state_owned)
    application = Application(
        round=acceptance_round,
        centre=centre,
        unit=centre.unit,
        centre_level=centre.centre_level,
        large_state_owned=large_state_owned,
    )
    application.save()
    for item in items:
        item.application = application
        item.save()
    return application


def _locked(actor: Actor, application: Application, action: str = Action.UPDATE) -> Application:
    found = get_for_actor(Application.objects.select_related("round", "unit"), actor, Action.VIEW, pk=application.pk)
    if action != Action.VIEW and not actor.can(action, Application):
        require(actor, action, Application)
    return (
        Application.objects.select_for_update(of=("self",)).select_related("round", "unit", "centre").get(pk=found.pk)
    )


def _federation_only(actor: Actor) -> None:
    """The working group's acts (review, reward) are the federation's (source 002 六(二))."""
    if actor.role != Role.FEDERATION_ADMIN:
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)


def _decimal(value, *, item: ChecklistItem) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(str(BAD_NUMBER).format(item=item.text), field=item.key) from None
    if not number.is_finite() or number < 0 or number >= Decimal(10) ** 10:
        raise ApplicationError(str(BAD_NUMBER).format(item=item.text), field=item.key)
    return number.quantize(Decimal("0.01"))


def _met(item: ChecklistItem, met, number: Decimal | None) -> bool | None:
    """A number item is met when its value reaches the minimum; a yes/no item as answered."""
    if item.check_type == CheckType.NUMBER:
        if number is None:
            return None
        return item.minimum is None or number >= item.minimum
    return None if met is None or met == "" else bool(met)


@transaction.atomic
def self_check_save(
    *, actor: Actor, application: Application, answers: dict[str, dict], self_report: str | None = None
) -> Application:
    """The unit's self-check: per item key {"met": bool, "number": value, "note": text}, and the
    self-check report. Only while the application is a draft."""
    application = _locked(actor, application)
    if application.state != ApplicationState.DRAFT:
        raise ApplicationError(str(NOT_EDITABLE).format(state=application.get_state_display()), field="state")
    items = {item.key: item for item in application.items.all()}
    for key, answer in answers.items():
        item = items.get(key)
        if item is None:
            raise ApplicationError(str(UNKNOWN_ITEM).format(key=key), field="items")
        answer = answer or {}
        number = _decimal(answer.get("number"), item=item)
        item.self_number = number
        item.self_met = _met(item, answer.get("met"), number)
        item.self_note = _text(answer.get("note"), field=key, label=item.text[:20], max_length=300)
        item.save()
    if self_report is not None:
        application.self_report = _text(self_report, field="self_report", label=_("自查报告"), max_length=4000)
        application.save()
    return application


@transaction.atomic
def attachment_add(
    *, actor: Actor, application: Application, data: bytes, caption: str = "", item_key: str = ""
) -> Attachment:
    """A ledger (PDF) or photo (re-encoded JPEG without EXIF) for the application or one item;
    kept privately (models.private_storage) with its SHA-256."""
    application = _locked(actor, application)
    if application.state != ApplicationState.DRAFT:
        raise ApplicationError(str(NOT_EDITABLE).format(state=application.get_state_display()), field="state")
    caption = _text(caption, field="caption", label=_("说明"), max_length=100)
    item = None
    if item_key:
        item = application.items.filter(key=item_key).first()
        if item is None:
            raise ApplicationError(str(UNKNOWN_ITEM).format(key=item_key), field="item")
    if not data:
        raise ApplicationError(str(ATTACHMENT_EMPTY), field="file")
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise ApplicationError(str(ATTACHMENT_TOO_LARGE).format(limit=limit // (1024 * 1024)), field="file")
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        kind, content, name = AttachmentKind.LEDGER, data, f"{uuid.uuid4().hex}.pdf"
    else:
        try:
            content, _size = photos.reencode(data)
        except ApplicationError:
            raise ApplicationError(str(ATTACHMENT_NOT_ACCEPTED), field="file") from None
        kind, name = AttachmentKind.PHOTO, f"{uuid.uuid4().hex}.jpg"
    attachment = Attachment(
        application=application,
        item=item,
        kind=kind,
        caption=caption,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor.user.get_username(),
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def application_file(*, actor: Actor, application: Application, on: dt.date | None = None) -> Application:
    """File the application with its self-check report (验收申报), by the round's deadline
    (Asia/Shanghai date); late filing is refused with the deadline and the days overdue."""
    return workflow.transition(
        workflow=ACCEPTANCE_FLOW, actor=actor, obj=application, to=ApplicationState.FILED, on=on or timezone.localdate()
    )


def application_transition(*, actor: Actor, application: Application, to_state: str, reason: str = "") -> Application:
    """A move without a form of its own: 退回修改, 完成考核, 重新考核."""
    return workflow.transition(
        workflow=ACCEPTANCE_FLOW,
        actor=actor,
        obj=application,
        to=to_state,
        reason=reason,
        on=timezone.localdate(),
    )


@transaction.atomic
def review_save(
    *,
    actor: Actor,
    application: Application,
    answers: dict[str, dict] | None = None,
    questionnaire_responses=None,
    questionnaire_satisfied=None,
    ledger_satisfaction=None,
    summary: str | None = None,
) -> Application:
    """The working group's findings (federation only, on a filed application): per item key
    {"met": bool, "number": value, "methods": ["look", "check", "talk"], "note": text}; the
    questionnaire's sample size and satisfied answers; `ledger_satisfaction`, the ledger's
    `Satisfaction` (responses, satisfied) to count as well; the review's summary."""
    application = _locked(actor, application)
    _federation_only(actor)
    if application.state != ApplicationState.FILED:
        raise ApplicationError(str(NOT_UNDER_REVIEW).format(state=application.get_state_display()), field="state")
    items = {item.key: item for item in application.items.all()}
    for key, answer in (answers or {}).items():
        item = items.get(key)
        if item is None:
            raise ApplicationError(str(UNKNOWN_ITEM).format(key=key), field="items")
        answer = answer or {}
        methods = answer.get("methods") or []
        if not isinstance(methods, list | tuple) or any(m not in Method.values for m in methods):
            raise ApplicationError(str(BAD_METHOD), field=key)
        number = _decimal(answer.get("number"), item=item)
        met = _met(item, answer.get("met"), number)
        if met is not None and not methods:
            raise ApplicationError(str(NO_METHOD).format(item=item.text), field=key)
        item.review_number = number
        item.review_met = met
        item.review_methods = [m for m in Method.values if m in methods]
        item.review_note = _text(answer.get("note"), field=key, label=item.text[:20], max_length=500)
        item.save()
    if questionnaire_responses is not None or questionnaire_satisfied is not None:
        responses = _count(questionnaire_responses, field="questionnaire_responses", label=_("问卷样本数"))
        satisfied = _count(questionnaire_satisfied, field="questionnaire_satisfied", label=_("问卷满意数"))
        if (responses is None) != (satisfied is None):
            raise ApplicationError(
                str(BAD_COUNT).format(label=_("问卷样本数和满意数")), field="questionnaire_responses"
            )
        if responses is not None and satisfied > responses:
            raise ApplicationError(
                str(SATISFIED_ABOVE_SAMPLE).format(satisfied=satisfied, responses=responses),
                field="questionnaire_satisfied",
            )
        application.questionnaire_responses, application.questionnaire_satisfied = responses, satisfied
    if ledger_satisfaction is not None:
        application.ledger_responses = ledger_satisfaction.responses
        application.ledger_satisfied = ledger_satisfaction.satisfied
    if summary is not None:
        application.review_summary = _text(summary, field="summary", label=_("考核意见"), max_length=4000)
    application.reviewed_by = actor.user.get_username()
    application.save()
    return application


def ledger_satisfaction_for(*, actor: Actor, application: Application):
    """The ledger's satisfaction of the centre over the round's year (the selector the star rating
    also reads, ledger.selectors.satisfaction), with no minimum: the counts are what is stored."""
    from yizhan.ledger.selectors import satisfaction

    year = application.round.year
    return satisfaction(
        actor=actor,
        position_id=application.centre_id,
        date_from=dt.date(year, 1, 1),
        date_to=dt.date(year, 12, 31),
        minimum=0,
    )


def application_grade(*, actor: Actor, application: Application, on: dt.date | None = None) -> Application:
    """Grade a reviewed application from its three rates (grading.grade); a missing rate is
    refused with its name and nothing is written."""
    return workflow.transition(
        workflow=ACCEPTANCE_FLOW,
        actor=actor,
        obj=application,
        to=ApplicationState.GRADED,
        on=on or timezone.localdate(),
    )


@transaction.atomic
def reward_record(
    *, actor: Actor, application: Application, reward: str, amount_fen: int | None = None, on: dt.date | None = None
) -> Application:
    """Record the reward of a graded centre (source 002 六(三): 对工作突出，验收达标的服务中心给予奖励)."""
    application = _locked(actor, application)
    _federation_only(actor)
    if application.state != ApplicationState.GRADED:
        raise ApplicationError(str(NOT_GRADED), field="state")
    application.reward = _text(reward, field="reward", label=_("奖励"), max_length=200, required=REWARD_REQUIRED)
    if amount_fen is not None:
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise ApplicationError(str(NOT_POSITIVE), field="amount_fen")
        if amount_fen > MAX_FEN:
            raise ApplicationError(str(TOO_LARGE), field="amount_fen")
    application.reward_fen = amount_fen
    application.rewarded_on = on or timezone.localdate()
    application.save()
    return application


@transaction.atomic
def model_centre_designate(*, actor: Actor, unit: Unit, centre: Position, year: int, note: str = "") -> ModelCentre:
    """Record a model centre (示范中心) `unit` raised in `year`: a centre of its subtree."""
    require(actor, Action.CREATE, ModelCentre)
    unit = get_for_actor(Unit.objects.all(), actor, Action.VIEW, pk=unit.pk)
    centre = Position.objects.select_related("unit").filter(pk=centre.pk).first()
    if centre is None or not actor.covers_unit(centre.unit) or not centre.unit.path.startswith(unit.path):
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    if centre.kind != PositionKind.CENTRE:
        raise ApplicationError(
            str(NOT_A_CENTRE).format(name=centre.official_name, kind=centre.get_kind_display()), field="centre"
        )
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ApplicationError(str(YEAR_BAD), field="year")
    if ModelCentre.objects.filter(centre=centre, year=year).exists():
        raise ApplicationError(str(MODEL_TWICE).format(centre=centre.official_name, year=year), field="centre")
    note = _text(note, field="note", label=_("典型经验"), max_length=300)
    model = ModelCentre(unit=unit, centre=centre, year=year, note=note, designated_by=actor.user.get_username())
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError:
        raise ApplicationError(
            str(MODEL_TWICE).format(centre=centre.official_name, year=year), field="centre"
        ) from None
    return model
