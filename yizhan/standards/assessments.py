"""Assessments and star ratings (issue 16 §2–§3): an assessor checks a position against a
published standard version on a date; the rating service rates a station from its assessment and
the ledger, keeps the rating as history and is the one writer of `Position.star_rating`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.core.wording import enumeration
from yizhan.positions import photos as photos_pipeline
from yizhan.positions.choices import Facility, PositionKind, PositionState
from yizhan.positions.models import Position
from yizhan.positions.services import position_transition, position_update
from yizhan.standards.choices import CheckType, VersionState
from yizhan.standards.models import (
    AnswerPhoto,
    Assessment,
    AssessmentAnswer,
    ServiceFailure,
    StandardItem,
    StandardVersion,
    StarRatingRecord,
)
from yizhan.standards.rating import MANAGEMENT_ITEMS, after_result, delisting_due, rate
from yizhan.standards.ratings import rating_inputs, rating_policy_for

VERSION_NOT_PUBLISHED = _("只能按现行版本评估：第{number}版为{state}")
VERSION_NOT_FOUND = _("标准版本不存在或不适用于该服务阵地")
DATE_IN_FUTURE = _("评估日期不能晚于今天")
DATE_TOO_EARLY = _("评估日期不能早于 {earliest}")
ANSWER_MISSING = _("请填写条目“{text}”")
ANSWER_UNKNOWN = _("条目代码 {keys} 不属于该标准版本或不适用于该服务阵地")
YES_NO_EXPECTED = _("条目“{text}”须回答是或否")
NUMBER_EXPECTED = _("条目“{text}”须填写 0 至 1000000 之间的数值")
CHOICE_EXPECTED = _("条目“{text}”须从选项中选择：{choices}")
NOTHING_APPLICABLE = _("该标准版本没有适用于该服务阵地的条目")
NOT_A_STATION = _("只有户外劳动者服务站点评定星级")
NOT_OPERATING = _("只有运营中的站点评定星级")
NOT_A_RATING_ASSESSMENT = _("星级评定须依据“星级评定现场检查”标准的评估")
PERIOD_INVALID = _("统计期间无效：起始日须不晚于截止日，且截止日不晚于今天")
RATING_STANDARD = "star-rating"

YES = {True, "true", "yes", "是", "有", "1"}
NO = {False, "false", "no", "否", "无", "0"}
NUMBER_MAX = Decimal(1_000_000)


def _applicable_items(version: StandardVersion, position: Position) -> list[StandardItem]:
    return [
        item
        for item in version.items.order_by("order", "pk")
        if item.applies_to(position.kind, position.centre_level or "")
    ]


def _answer(item: StandardItem, value) -> AssessmentAnswer:
    """The answer to one item from the value given, with whether it met the item."""
    if item.check_type == CheckType.YES_NO:
        key = value.strip().lower() if isinstance(value, str) else value
        if not isinstance(key, str | bool | int | Decimal) or (isinstance(key, Decimal) and not key.is_finite()):
            raise ApplicationError(YES_NO_EXPECTED.format(text=item.text), field=item.key)
        if key in YES:
            return AssessmentAnswer(item=item, yes=True, met=True)
        if key in NO:
            return AssessmentAnswer(item=item, yes=False, met=False)
        raise ApplicationError(YES_NO_EXPECTED.format(text=item.text), field=item.key)
    if item.check_type == CheckType.NUMBER:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError) as error:
            raise ApplicationError(NUMBER_EXPECTED.format(text=item.text), field=item.key) from error
        if isinstance(value, bool) or not number.is_finite() or number < 0 or number > NUMBER_MAX:
            raise ApplicationError(NUMBER_EXPECTED.format(text=item.text), field=item.key)
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return AssessmentAnswer(item=item, number=number, met=number >= item.minimum)
    if not isinstance(value, str) or value not in item.choices:
        raise ApplicationError(
            CHOICE_EXPECTED.format(text=item.text, choices=enumeration(item.choices)), field=item.key
        )
    return AssessmentAnswer(item=item, choice=value, met=value in item.passing_choices)


def _usable_version(position: Position, version_id: int, *, lock: bool = False) -> StandardVersion:
    """The version an assessment of `position` may use: published, of a standard of the position's
    own unit or a unit above it."""
    versions = StandardVersion.objects.select_related("standard__unit")
    version = (versions.select_for_update() if lock else versions).filter(pk=version_id).first()
    if version is None or not position.unit.path.startswith(version.standard.unit.path):
        raise ApplicationError(VERSION_NOT_FOUND, field="version")
    if version.state != VersionState.PUBLISHED:
        state = VersionState(version.state).label
        raise ApplicationError(VERSION_NOT_PUBLISHED.format(number=version.number, state=state), field="version")
    return version


@dataclass(frozen=True)
class FormItem:
    item: StandardItem
    known: object  # what the position's record already says (None: nothing), for the assessor to confirm


def _known(position: Position, item: StandardItem):
    facilities = set(position.facilities or [])
    if item.check_type == CheckType.YES_NO and item.key in Facility.values:
        return item.key in facilities
    if item.check_type == CheckType.NUMBER and item.key.endswith("_total") and position.floor_area is not None:
        return Decimal(position.floor_area)
    return None


def assessment_form(*, actor: Actor, position_id: int, version_id: int) -> tuple[Position, StandardVersion, list]:
    """The items an assessor fills for a position against a published version, each with what the
    position's record already knows (facilities present or not, the floor area for a centre's total
    area), which the form shows pre-filled for the assessor to confirm or correct."""
    require(actor, Action.CREATE, Assessment)
    position = get_for_actor(Position.objects.select_related("unit"), actor, pk=position_id)
    version = _usable_version(position, version_id)
    items = _applicable_items(version, position)
    if not items:
        raise ApplicationError(NOTHING_APPLICABLE, field="version")
    return position, version, [FormItem(item=item, known=_known(position, item)) for item in items]


@transaction.atomic
def assessment_record(
    *,
    actor: Actor,
    position: Position,
    version: StandardVersion,
    assessed_on: date,
    answers: Mapping[str, object],
    notes: Mapping[str, str] | None = None,
    note: str = "",
    correct_record: bool = False,
    photos: Mapping[str, bytes] | None = None,
) -> Assessment:
    """Record an assessment of `position` against the published `version` on `assessed_on`:
    `answers` maps each applicable item's key to the value found (yes/no, a number, a choice);
    every applicable item is answered. Stores the compliance rate (required items met ÷ required
    items applicable). A draft or superseded version, a standard of another federation, an item
    not applicable, a value out of range: refused, nothing written. With `correct_record`, what the
    assessor found of what the record knows (facilities, a centre's total floor area) corrects the
    position's record through `position_update`, in the same transaction. `photos` maps an item's
    key to a photo as its evidence (the positions' photo pipeline: JPEG, PNG or WebP within
    YIZHAN_PHOTO_MAX_BYTES, re-encoded without EXIF); evidence that is not an image is refused
    before anything is written."""
    require(actor, Action.CREATE, Assessment)
    position = get_for_actor(Position.objects.select_related("unit"), actor, pk=position.pk)
    version = _usable_version(position, version.pk, lock=True)
    if assessed_on > timezone.localdate():
        raise ApplicationError(DATE_IN_FUTURE, field="assessed_on")
    if assessed_on < settings.YIZHAN_EARLIEST_DATE:
        raise ApplicationError(DATE_TOO_EARLY.format(earliest=settings.YIZHAN_EARLIEST_DATE), field="assessed_on")
    items = _applicable_items(version, position)
    if not items:
        raise ApplicationError(NOTHING_APPLICABLE, field="version")
    unknown = sorted(set(answers) - {item.key for item in items})
    if unknown:
        raise ApplicationError(ANSWER_UNKNOWN.format(keys=enumeration(unknown)), field="answers")
    notes = notes or {}
    photos = {key: data for key, data in (photos or {}).items() if data}
    unknown = sorted(set(photos) - {item.key for item in items})
    if unknown:
        raise ApplicationError(ANSWER_UNKNOWN.format(keys=enumeration(unknown)), field="photos")
    encoded = {key: _evidence(key, data) for key, data in photos.items()}
    rows = []
    for item in items:
        if item.key not in answers or answers[item.key] in (None, ""):
            raise ApplicationError(ANSWER_MISSING.format(text=item.text), field=item.key)
        answer = _answer(item, answers[item.key])
        answer.note = str(notes.get(item.key, ""))[:300]
        rows.append(answer)
    required = [row for row in rows if row.item.required]
    met = sum(1 for row in required if row.met)
    compliance = (Decimal(met) / Decimal(len(required))).quantize(Decimal("0.0001")) if required else Decimal(1)
    assessment = Assessment(
        position=position,
        version=version,
        assessed_on=assessed_on,
        applicable=len(required),
        met=met,
        compliance=compliance,
        note=note,
    )
    assessment.save()
    for row in rows:
        row.assessment = assessment
        row.save()
    if correct_record:
        _correct_record(actor, position, rows)
    # Files last: a refusal above leaves no file behind.
    for row in rows:
        if row.item.key in encoded:
            jpeg, (width, height) = encoded[row.item.key]
            photo = AnswerPhoto(answer=row, uploaded_by=actor.user.get_username(), width=width, height=height)
            photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(jpeg), save=False)
            photo.save()
    return assessment


def _evidence(key: str, data: bytes) -> tuple[bytes, tuple[int, int]]:
    """A photo given as an item's evidence, re-encoded by the positions' pipeline (refused when over
    the size limit or not a JPEG, PNG or WebP image, naming the item)."""
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise ApplicationError(photos_pipeline.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field=key)
    try:
        return photos_pipeline.reencode(data)
    except ApplicationError as error:
        raise ApplicationError(error.message, field=key) from None


def _correct_record(actor: Actor, position: Position, rows: list[AssessmentAnswer]) -> None:
    """Correct the position's facilities and floor area from the answers, where they differ."""
    found = {row.item.key: row.yes for row in rows if row.yes is not None and row.item.key in Facility.values}
    areas = [row.number for row in rows if row.number is not None and row.item.key.endswith("_total")]
    changes = {}
    facilities = {f for f in position.facilities or [] if found.get(f) is not False}
    facilities |= {key for key, present in found.items() if present}
    if facilities != set(position.facilities or []):
        changes["facilities"] = [f for f in Facility.values if f in facilities]
    if areas and (position.floor_area is None or Decimal(position.floor_area) != areas[0]):
        changes["floor_area"] = areas[0]
    if changes:
        position_update(actor=actor, position=position, **changes)


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(value)
    return value


@transaction.atomic
def station_rate(
    *, actor: Actor, assessment: Assessment, period: int, date_from: date, date_to: date, periodic: bool = True
) -> StarRatingRecord:
    """Rate the station of `assessment` (an assessment against the star-rating standard) for
    `period`, from what the assessor found and the ledger over `date_from`–`date_to`, by its
    federation's policy. Keeps the rating with its arithmetic and writes the position's stars: a
    periodic rating sets them, an inspection's (`periodic=False`) only lowers them (spec §4).
    The one writer of `Position.star_rating` once ratings are made here (decision 13)."""
    require(actor, Action.CREATE, Assessment)
    assessment = get_for_actor(
        Assessment.objects.select_related("version__standard", "position__unit"), actor, pk=assessment.pk
    )
    position = Position.objects.select_for_update().select_related("unit").get(pk=assessment.position_id)
    if position.kind != PositionKind.STATION:
        raise ApplicationError(NOT_A_STATION, field="assessment")
    if position.state != PositionState.OPERATING:
        raise ApplicationError(NOT_OPERATING, field="assessment")
    if assessment.version.standard.code != RATING_STANDARD:
        raise ApplicationError(NOT_A_RATING_ASSESSMENT, field="assessment")
    if date_from > date_to or date_to > timezone.localdate():
        raise ApplicationError(PERIOD_INVALID, field="date_from")
    met = set(assessment.answers.filter(met=True).values_list("item__key", flat=True))
    policy, policy_version = rating_policy_for(unit=position.unit)
    inputs = rating_inputs(
        actor=actor,
        position=position,
        date_from=date_from,
        date_to=date_to,
        facilities=frozenset(met - set(MANAGEMENT_ITEMS)),
        management=frozenset(met & set(MANAGEMENT_ITEMS)),
    )
    result = rate(inputs, policy)
    before = position.stars
    review = after_result(current=before, result=result.stars, periodic=periodic)
    record = StarRatingRecord(
        position=position,
        period=period,
        assessment=assessment,
        policy=policy_version,
        date_from=date_from,
        date_to=date_to,
        inputs={name: _plain(value) for name, value in inputs.__dict__.items()},
        lines=result.arithmetic(),
        total=result.total,
        stars=result.stars,
        stars_before=before,
        stars_after=review.stars,
        rectification_required=result.rectification_required,
        periodic=periodic,
        verdict=f"{result.verdict}；{review.reason}",
    )
    record.save()
    if review.stars != before:
        position.star_rating = "" if review.stars is None else str(review.stars)
        position.star_rated_on = None if review.stars is None else assessment.assessed_on
        position.save()
    return record


# --- the periodic review: delisting (spec §4) -----------------------------------------------------


@dataclass(frozen=True)
class Delisting:
    position: Position
    reason: str


def ratings_review(*, actor: Actor, period: int, confirm: bool = False) -> list[Delisting]:
    """The review at the end of `period` (default yearly periods, numbered by the year): the
    operating and suspended stations in the actor's scope that the delisting rule of spec §4
    (`rating.delisting_due`) removes — an inspection found it cannot provide normal service in the
    period (`ServiceFailure`), or no star in the policy's number of consecutive periods. Each
    period counts the star level of its latest periodic rating; a period without one is unrated.
    Periods before the station's opening year (`opened_on`) do not count; a station with no opening
    date counts from its first rating. Lists them; with `confirm`, delists every one through the
    position's lifecycle (`position_transition`, with the reason), all or none."""
    require(actor, Action.CREATE, Assessment)
    stations = (
        Position.objects.restrict(actor)
        .filter(kind=PositionKind.STATION, state__in=(PositionState.OPERATING, PositionState.SUSPENDED))
        .select_related("unit")
        .order_by("code")
    )
    ratings: dict[int, dict[int, int | None]] = {}
    for position_id, rated_period, stars in (
        StarRatingRecord.objects.filter(position__in=stations, periodic=True, period__lte=period)
        .order_by("position_id", "period", "created_at", "pk")
        .values_list("position_id", "period", "stars")
    ):
        ratings.setdefault(position_id, {})[rated_period] = stars  # the latest of each period wins
    failures = ServiceFailure.objects.filter(position__in=stations, found_on__year=period)
    failing = set(failures.values_list("position_id", flat=True))
    due = []
    for station in stations:
        by_period = ratings.get(station.pk, {})
        first = station.opened_on.year if station.opened_on else min(by_period, default=period + 1)
        policy, _version = rating_policy_for(unit=station.unit)
        reason = delisting_due(
            period=period,
            stars_by_period=by_period,
            first_period=first,
            cannot_serve=station.pk in failing,
            policy=policy,
        )
        if reason:
            due.append(Delisting(position=station, reason=reason))
    if confirm and due:
        with transaction.atomic():
            for entry in due:
                position_transition(
                    actor=actor, position=entry.position, to_state=PositionState.DELISTED, reason=entry.reason
                )
    return due


SERVICE_FAILURE_DATE = _("发现日期不能晚于今天")


@transaction.atomic
def service_failure_record(
    *, actor: Actor, position: Position, found_on: date, source: str, note: str = ""
) -> ServiceFailure:
    """Record that an inspection (`source`, such as "inspection:12") found `position` unable to
    provide normal service on `found_on`: `ratings_review` of that year delists it (spec §4).
    Recording the same source twice keeps the first record."""
    require(actor, Action.CREATE, Assessment)
    position = get_for_actor(Position.objects.select_related("unit"), actor, pk=position.pk)
    if found_on > timezone.localdate():
        raise ApplicationError(SERVICE_FAILURE_DATE, field="found_on")
    existing = ServiceFailure.objects.filter(position=position, source=source).first()
    if existing is not None:
        return existing
    failure = ServiceFailure(position=position, found_on=found_on, source=source[:100], note=note[:300])
    failure.save()
    return failure
