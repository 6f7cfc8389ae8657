"""Inspections, spot-check draws and rectifications (spec §5, issue 16 §4): business rules as
plain functions taking the actor, each in one transaction (refused: nothing written)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core import workflow
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, get_for_actor, require
from yizhan.core.wording import enumeration
from yizhan.inspections import draw as sampling
from yizhan.inspections.choices import (
    INSPECTION_FLOW,
    NO_EVIDENCE,
    NOT_ASSIGNED,
    RECTIFICATION_FLOW,
    WINDOW_PASSED,
    InspectionKind,
    InspectionState,
    RectificationState,
)
from yizhan.inspections.models import (
    Inspection,
    InspectionAssignment,
    InspectionFinding,
    Rectification,
    RectificationEvidence,
    SpotCheckDraw,
)
from yizhan.inspections.selectors import eligible_positions
from yizhan.orgs.models import Membership, Unit
from yizhan.positions.choices import PositionKind, PositionState
from yizhan.positions.models import Position
from yizhan.positions.photos import PHOTO_TOO_LARGE, reencode
from yizhan.standards.assessments import (
    RATING_STANDARD,
    _answer,
    assessment_record,
    service_failure_record,
    station_rate,
)
from yizhan.standards.choices import VersionState
from yizhan.standards.models import StandardVersion

VERSION_UNUSABLE = _("检查须按现行（已发布）的标准版本进行，且标准须适用于被检查的阵地")
NOTHING_APPLICABLE = _("该标准没有适用于该阵地的条目，请选择适用的标准")
DATES_INVALID = _("检查截止日期不能早于开始日期，也不能早于今天")
DATE_TOO_EARLY = _("日期不能早于 {earliest}")
POSITION_NOT_OPERATING = _("只检查运营中或暂停服务的阵地")
MUTUAL_NEEDS_SIBLING = _("互检须由同一上级单位下的另一单位检查：所选检查单位与被检查阵地不属于同级单位")
MUTUAL_NEEDS_INSPECTORS = _("互检须指派至少一名检查单位的检查人员")
INSPECTOR_NOT_OF_UNIT = _("检查人员 {username} 不是检查单位“{unit}”的管理员")
INSPECTING_UNIT_OUT_OF_SCOPE = _("检查单位不存在或不在您的管辖范围内")
NOT_UNDER_WAY = _("只有检查中的检查才能填写检查结果")
DRAW_SIZE_OR_RATE = _("请填写抽取数量或抽取比例（二者选一）")
DRAW_SIZE_INVALID = _("抽取数量须为正整数")
DRAW_RATE_INVALID = _("抽取比例须大于 0 且不超过 1")
DRAW_TOO_LARGE = _("抽取数量 {wanted} 超过符合条件的阵地数 {eligible}，请减少抽取数量或放宽条件")
DRAW_NO_UNITS = _("请选择至少一个单位")
DRAW_UNITS_OVERLAP = _("所选单位“{inner}”属于“{outer}”，请不要重复选择上下级单位")
DRAW_DAYS_INVALID = _("排除天数须在 0 至 3650 之间")
DRAW_SEED_INVALID = _("随机种子须为 0 至 2^53 之间的整数")
FINDING_NOT_FAILING = _("只有不达标的检查发现才能开具整改")
FINDING_HAS_RECTIFICATION = _("该检查发现已开具整改")
INSPECTION_NOT_DONE = _("检查提交后才能开具整改")
DEADLINE_PAST = _("整改期限不能早于今天")
OWNER_UNIT_INVALID = _("整改责任单位须为被检查阵地的所属单位或其上级，且在您的管辖范围内")
OWNER_USER_INVALID = _("整改责任人须为整改责任单位的人员")
REQUIREMENT_MISSING = _("请填写整改要求")
EVIDENCE_NOT_OPEN = _("只有待整改的整改才能上传证据")
NOTE_TOO_LONG = _("说明不能超过 300 个字")

SEED_LIMIT = 2**53  # seeds are shown and sent as JSON numbers: exact in every client
MAX_RECENT_DAYS = 3650
RATING_DAYS = 365


# --- small checks ----------------------------------------------------------------------------


def _usable_version(version_id: int, unit: Unit) -> StandardVersion:
    version = StandardVersion.objects.select_related("standard__unit").filter(pk=version_id).first()
    if (
        version is None
        or version.state != VersionState.PUBLISHED
        or not unit.path.startswith(version.standard.unit.path)
    ):
        raise ApplicationError(VERSION_UNUSABLE, field="version")
    return version


def _check_dates(starts_on: date, ends_on: date) -> None:
    if starts_on < settings.YIZHAN_EARLIEST_DATE:
        raise ApplicationError(DATE_TOO_EARLY.format(earliest=settings.YIZHAN_EARLIEST_DATE), field="starts_on")
    if ends_on < starts_on or ends_on < timezone.localdate():
        raise ApplicationError(DATES_INVALID, field="ends_on")


def _inspectors(users: Iterable, unit: Unit) -> list:
    """The users given as inspectors, each an admin of the inspecting unit itself."""
    found = []
    for user in users:
        held = Membership.objects.filter(
            user=user, unit=unit, role__in=(Role.UNIT_ADMIN, Role.FEDERATION_ADMIN), user__is_active=True
        ).exists()
        if not held:
            raise ApplicationError(
                INSPECTOR_NOT_OF_UNIT.format(username=user.get_username(), unit=unit.name), field="inspectors"
            )
        if user not in found:
            found.append(user)
    return found


def _is_sibling_branch(inspecting: Unit, position_unit: Unit) -> bool:
    """Whether `position_unit` lies under a sibling of `inspecting` (same parent, other branch)."""
    if inspecting.depth < 2:
        return False
    parent_path = inspecting.path[: -Unit.steplen]
    return (
        position_unit.path.startswith(parent_path)
        and position_unit.path != parent_path
        and not position_unit.path.startswith(inspecting.path)
    )


def _assign(inspection: Inspection, users: Sequence) -> None:
    for user in users:
        InspectionAssignment(inspection=inspection, user=user).save()


# --- inspections -------------------------------------------------------------------------------


@transaction.atomic
def inspection_create(
    *,
    actor: Actor,
    position: Position,
    version: StandardVersion,
    kind: str = InspectionKind.PLANNED,
    starts_on: date | None = None,
    ends_on: date,
    inspectors: Sequence = (),
    inspecting_unit: Unit | None = None,
) -> Inspection:
    """Plan an inspection of `position` (in the actor's scope) against a published `version`.
    A planned inspection or a spot check is carried out by the actor's unit; a mutual check (互检)
    by `inspecting_unit`, a unit in the actor's scope beside the position's branch under the same
    parent, whose assigned `inspectors` then read exactly this position until the inspection
    ends (their grant: `InspectionAssignment`)."""
    require(actor, Action.CREATE, Inspection)
    position = get_for_actor(Position.objects.select_related("unit"), actor, pk=position.pk)
    if position.state not in (PositionState.OPERATING, PositionState.SUSPENDED):
        raise ApplicationError(POSITION_NOT_OPERATING, field="position")
    version = _usable_version(version.pk, position.unit)
    if not any(item.applies_to(position.kind, position.centre_level or "") for item in version.items.all()):
        raise ApplicationError(NOTHING_APPLICABLE, field="version")
    starts_on = starts_on or timezone.localdate()
    _check_dates(starts_on, ends_on)
    if kind not in InspectionKind.values:
        raise ApplicationError(str(_("检查类型无效")), field="kind")
    if kind == InspectionKind.MUTUAL:
        if inspecting_unit is None:
            raise ApplicationError(MUTUAL_NEEDS_SIBLING, field="inspecting_unit")
        unit = Unit.objects.filter(pk=inspecting_unit.pk).first()
        if unit is None or not actor.covers_unit(unit):
            raise ApplicationError(INSPECTING_UNIT_OUT_OF_SCOPE, field="inspecting_unit")
        if not _is_sibling_branch(unit, position.unit):
            raise ApplicationError(MUTUAL_NEEDS_SIBLING, field="inspecting_unit")
        if not inspectors:
            raise ApplicationError(MUTUAL_NEEDS_INSPECTORS, field="inspectors")
    else:
        unit = actor.unit
    users = _inspectors(inspectors, unit)
    inspection = Inspection(
        unit=unit,
        kind=kind,
        position=position,
        version=version,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor.user.get_username(),
    )
    inspection.save()
    _assign(inspection, users)
    return inspection


def _require_worker(actor: Actor, inspection: Inspection) -> None:
    """The mutual-check rule of the workflow's guard for work on the findings."""
    if inspection.kind != InspectionKind.MUTUAL or actor.unit.path != inspection.unit.path:
        return
    if not inspection.assignments.filter(user=actor.user).exists():
        raise PermissionDeniedError(NOT_ASSIGNED)
    if timezone.localdate() > inspection.ends_on:
        raise ApplicationError(WINDOW_PASSED.format(ends_on=inspection.ends_on), field="findings")


@transaction.atomic
def inspection_findings_save(
    *,
    actor: Actor,
    inspection: Inspection,
    answers: Mapping[str, object],
    notes: Mapping[str, str] | None = None,
    cannot_serve: bool | None = None,
    summary: str | None = None,
) -> Inspection:
    """Record findings of an inspection under way: `answers` maps item keys of the inspection's
    standard version (those applicable to the position) to the value found; given items replace
    their earlier finding, others are kept, so the form may be saved as the inspector goes. Also
    whether the position cannot provide normal service, and the summary. A value out of range or
    an unknown item: refused, nothing written."""
    inspection = get_for_actor(
        Inspection.objects.select_for_update(of=("self",)).select_related("position", "version"),
        actor,
        Action.UPDATE,
        pk=inspection.pk,
    )
    _require_worker(actor, inspection)
    if inspection.state != InspectionState.IN_PROGRESS:
        raise ApplicationError(NOT_UNDER_WAY, field="state")
    items = {item.key: item for item in inspection.applicable_items()}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise ApplicationError(
            str(_("条目代码 {keys} 不属于该检查的标准或不适用于该阵地")).format(keys=enumeration(unknown)),
            field="answers",
        )
    notes = notes or {}
    for key, note in notes.items():
        if len(str(note)) > 300:
            raise ApplicationError(NOTE_TOO_LONG, field=key)
    rows = []
    for key, value in answers.items():
        if value in (None, ""):
            continue
        answer = _answer(items[key], value)  # the standards' own reading of a value (refuses bad ones)
        rows.append((items[key], answer))
    existing = {f.item_id: f for f in inspection.findings.all()}
    for item, answer in rows:
        finding = existing.get(item.pk) or InspectionFinding(inspection=inspection, item=item)
        finding.met, finding.yes, finding.number, finding.choice = answer.met, answer.yes, answer.number, answer.choice
        finding.note = str(notes.get(item.key, finding.note or ""))
        finding.save()
    changed = False
    if cannot_serve is not None and inspection.cannot_serve != bool(cannot_serve):
        inspection.cannot_serve, changed = bool(cannot_serve), True
    if summary is not None and inspection.summary != summary.strip():
        inspection.summary, changed = summary.strip(), True
    if changed:
        inspection.save()
    return inspection


def inspection_transition(*, actor: Actor, inspection: Inspection, to_state: str, reason: str = "") -> Inspection:
    """Move an inspection along its table (choices.INSPECTION_FLOW): start, submit (every
    applicable item answered), send back, confirm (the findings become an assessment and feed the
    rating and delisting rules), cancel."""
    get_for_actor(Inspection.objects.all(), actor, pk=inspection.pk)  # the mutual-check rule of scope
    return workflow.transition(workflow=INSPECTION_FLOW, actor=actor, obj=inspection, to=to_state, reason=reason)


def inspection_results_record(*, actor: Actor, inspection: Inspection) -> None:
    """On confirmation (the move's `apply`, in its transaction): the findings recorded as an
    assessment of the position (`standards.assessments.assessment_record`); for the star-rating
    standard at an operating station, a rating that only ever lowers the stars
    (`station_rate(periodic=False)`, spec §4); "cannot provide normal service" recorded for the
    delisting rule (`service_failure_record`)."""
    findings = list(inspection.findings.select_related("item"))
    position = Position.objects.select_related("unit").get(pk=inspection.position_id)
    day = inspection.inspected_on or timezone.localdate()
    version = StandardVersion.objects.select_related("standard").get(pk=inspection.version_id)
    assessment = assessment_record(
        actor=actor,
        position=position,
        version=version,
        assessed_on=day,
        answers={f.item.key: f.value for f in findings},
        notes={f.item.key: f.note for f in findings if f.note},
        note=str(_("检查 #{pk}：{summary}")).format(pk=inspection.pk, summary=inspection.summary)[:1000],
    )
    inspection.assessment = assessment
    if (
        version.standard.code == RATING_STANDARD
        and position.kind == PositionKind.STATION
        and position.state == PositionState.OPERATING
    ):
        station_rate(
            actor=actor,
            assessment=assessment,
            period=day.year,
            date_from=max(day - timedelta(days=RATING_DAYS - 1), settings.YIZHAN_EARLIEST_DATE),
            date_to=day,
            periodic=False,
        )
    if inspection.cannot_serve:
        service_failure_record(
            actor=actor,
            position=position,
            found_on=day,
            source=f"inspection:{inspection.pk}",
            note=inspection.summary[:300],
        )


# --- the spot-check draw -----------------------------------------------------------------------


def _draw_size(size, rate, eligible: int) -> tuple[int, int | None, Decimal | None]:
    if (size in (None, "")) == (rate in (None, "")):
        raise ApplicationError(DRAW_SIZE_OR_RATE, field="size")
    if size not in (None, ""):
        try:
            size = int(size)
        except (TypeError, ValueError):
            raise ApplicationError(DRAW_SIZE_INVALID, field="size") from None
        if isinstance(size, bool) or size < 1:
            raise ApplicationError(DRAW_SIZE_INVALID, field="size")
        return size, size, None
    try:
        rate = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        raise ApplicationError(DRAW_RATE_INVALID, field="rate") from None
    if not rate.is_finite() or rate <= 0 or rate > 1:
        raise ApplicationError(DRAW_RATE_INVALID, field="rate")
    rate = rate.quantize(Decimal("0.0001"))
    if rate <= 0:
        raise ApplicationError(DRAW_RATE_INVALID, field="rate")
    return sampling.size_from_rate(rate, eligible), None, rate


@transaction.atomic
def spot_check_draw(
    *,
    actor: Actor,
    units: Sequence[Unit],
    version: StandardVersion,
    ends_on: date,
    size: int | None = None,
    rate: Decimal | str | None = None,
    seed: int | None = None,
    recent_days: int = 90,
    include_recent: bool = False,
    kinds: Sequence[str] = (),
    inspectors: Sequence = (),
    within: Iterable[int] | None = None,
    source: str = "",
) -> SpotCheckDraw:
    """Draw positions for a spot check (随机抽查) from `units` (each in the actor's scope, one
    stratum each), `size` of them or `rate` of the eligible ones: operating positions of those
    units' subtrees (of `kinds`, all when empty), leaving out any inspected (or planned) in the
    last `recent_days` days unless `include_recent`. `seed` (a new random one when None) is
    recorded: the same seed over the same eligible positions draws the same ones. Plans one spot
    check per position drawn, carried out by the actor's unit until `ends_on`. A draw larger
    than the eligible set is refused with the numbers, nothing written. `within` (position ids)
    narrows the eligible positions — a campaign's honoured ones, drawn after the self-evaluation
    (spec §7) — and `source` ("campaign:3") records what the draw was for."""
    require(actor, Action.CREATE, SpotCheckDraw)
    require(actor, Action.CREATE, Inspection)
    if not units:
        raise ApplicationError(DRAW_NO_UNITS, field="units")
    chosen = []
    for unit in units:
        found = Unit.objects.filter(pk=unit.pk).first()
        if found is None or not actor.covers_unit(found):
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
        if found not in chosen:
            chosen.append(found)
    chosen.sort(key=lambda u: u.path)
    for outer in chosen:
        for inner in chosen:
            if inner != outer and inner.path.startswith(outer.path):
                raise ApplicationError(DRAW_UNITS_OVERLAP.format(inner=inner.name, outer=outer.name), field="units")
    if isinstance(recent_days, bool) or not isinstance(recent_days, int) or not 0 <= recent_days <= MAX_RECENT_DAYS:
        raise ApplicationError(DRAW_DAYS_INVALID, field="recent_days")
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise ApplicationError(DRAW_SEED_INVALID, field="seed")
    version = _usable_version(version.pk, actor.unit)
    today = timezone.localdate()
    _check_dates(today, ends_on)
    users = _inspectors(inspectors, actor.unit)
    # Only positions of the kinds the standard has items for (an item without kinds applies to all).
    item_kinds = [set(k or ()) for k in version.items.values_list("kinds", flat=True)]
    covered = None if any(not k for k in item_kinds) else set().union(*item_kinds)
    wanted_kinds = [str(k) for k in kinds] or (sorted(covered) if covered is not None else [])
    if covered is not None:
        wanted_kinds = [k for k in wanted_kinds if k in covered]
    pools = eligible_positions(
        actor=actor,
        units=chosen,
        kinds=wanted_kinds,
        recent_days=None if include_recent else recent_days,
        within=None if within is None else set(within),
    )
    if covered is not None and not wanted_kinds:
        pools = {u.pk: [] for u in chosen}
    eligible = sum(len(p) for p in pools.values())
    wanted, size, rate = _draw_size(size, rate, eligible)
    try:
        strata = sampling.draw({u.pk: pools[u.pk] for u in chosen}, wanted, seed)
    except sampling.DrawTooLarge as error:
        raise ApplicationError(
            DRAW_TOO_LARGE.format(wanted=error.wanted, eligible=error.eligible), field="size" if size else "rate"
        ) from None
    by_unit = {u.pk: u for u in chosen}
    record = SpotCheckDraw(
        unit=actor.unit,
        version=version,
        strata=[
            {
                "unit": s.key,
                "code": by_unit[s.key].code,
                "name": by_unit[s.key].name,
                "eligible": len(s.eligible),
                "picked": list(s.picked),
            }
            for s in strata
        ],
        size=size,
        rate=rate,
        seed=seed,
        recent_days=recent_days,
        include_recent=include_recent,
        kinds=[str(k) for k in kinds],
        eligible=eligible,
        picked=wanted,
        drawn_on=today,
        ends_on=ends_on,
        drawn_by=actor.user.get_username(),
        source=(source or "")[:60],
    )
    record.save()
    positions = Position.objects.select_related("unit").in_bulk([pk for s in strata for pk in s.picked])
    for stratum in strata:
        for pk in stratum.picked:
            position = positions[pk]
            # The standard must apply to each drawn position too (it does when it is the
            # organiser's or above: positions lie in the organiser's subtree).
            inspection = Inspection(
                unit=actor.unit,
                kind=InspectionKind.SPOT_CHECK,
                position=position,
                version=version,
                draw=record,
                starts_on=today,
                ends_on=ends_on,
                created_by=actor.user.get_username(),
            )
            inspection.save()
            _assign(inspection, users)
    return record


# --- rectifications ------------------------------------------------------------------------------


@transaction.atomic
def rectification_open(
    *,
    actor: Actor,
    finding: InspectionFinding,
    deadline: date,
    requirement: str,
    owner_unit: Unit | None = None,
    owner_user=None,
) -> Rectification:
    """Open a rectification (整改) on a failing finding of a submitted or confirmed inspection:
    what must be put right (`requirement`), by `deadline`, owned by `owner_unit` (the position's
    unit or one above it in the actor's scope; the position's unit when None) and optionally a
    named user of it. One rectification per finding. Opened by those who cover the position."""
    require(actor, Action.CREATE, Rectification)
    finding = (
        InspectionFinding.objects.select_related("inspection__position__unit", "item").filter(pk=finding.pk).first()
    )
    if finding is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    inspection = get_for_actor(Inspection.objects.all(), actor, pk=finding.inspection_id)
    position = get_for_actor(Position.objects.select_related("unit"), actor, pk=inspection.position_id)
    if inspection.state not in (InspectionState.SUBMITTED, InspectionState.CONFIRMED):
        raise ApplicationError(INSPECTION_NOT_DONE, field="finding")
    if finding.met:
        raise ApplicationError(FINDING_NOT_FAILING, field="finding")
    if Rectification.objects.filter(finding=finding).exists():
        raise ApplicationError(FINDING_HAS_RECTIFICATION, field="finding")
    requirement = (requirement or "").strip()
    if not requirement:
        raise ApplicationError(REQUIREMENT_MISSING, field="requirement")
    if len(requirement) > 300:
        raise ApplicationError(str(_("整改要求不能超过 300 个字")), field="requirement")
    if deadline < timezone.localdate():
        raise ApplicationError(DEADLINE_PAST, field="deadline")
    owner = position.unit if owner_unit is None else Unit.objects.filter(pk=owner_unit.pk).first()
    if owner is None or not position.unit.path.startswith(owner.path) or not actor.covers_unit(owner):
        raise ApplicationError(OWNER_UNIT_INVALID, field="owner_unit")
    if owner_user is not None and not Membership.objects.filter(user=owner_user, unit=owner).exists():
        raise ApplicationError(OWNER_USER_INVALID, field="owner_user")
    rectification = Rectification(
        inspection=inspection,
        finding=finding,
        position=position,
        owner_unit=owner,
        owner_user=owner_user,
        requirement=requirement,
        deadline=deadline,
        created_by=actor.user.get_username(),
    )
    rectification.save()
    return rectification


@transaction.atomic
def rectification_submit(
    *, actor: Actor, rectification: Rectification, photos: Sequence[bytes], note: str = ""
) -> Rectification:
    """The owner closes a rectification with evidence: at least one photo (type and size checked,
    re-encoded as JPEG without EXIF), kept with the round, and the move to 待验收. Without a
    photo, or with a file that is not an image: refused, nothing written."""
    rectification = get_for_actor(
        Rectification.objects.select_related("owner_unit", "inspection__unit"),
        actor,
        Action.OPERATE,
        pk=rectification.pk,
    )
    if rectification.state != RectificationState.OPEN:
        raise ApplicationError(EVIDENCE_NOT_OPEN, field="state")
    note = (note or "").strip()
    if len(note) > 300:
        raise ApplicationError(NOTE_TOO_LONG, field="note")
    photos = [p for p in photos if p]
    if not photos and not rectification.evidence.filter(round=rectification.round).exists():
        raise ApplicationError(NO_EVIDENCE, field="evidence")
    # Check every photo before writing any row or file.
    encoded = []
    for data in photos:
        limit = settings.YIZHAN_PHOTO_MAX_BYTES
        if len(data) > limit:
            raise ApplicationError(PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="evidence")
        try:
            encoded.append(reencode(data))
        except ApplicationError as error:
            raise ApplicationError(error.message, field="evidence") from None
    written = []
    try:
        for jpeg, (width, height) in encoded:
            evidence = RectificationEvidence(
                rectification=rectification,
                round=rectification.round,
                width=width,
                height=height,
                note=note,
                uploaded_by=actor.user.get_username(),
            )
            evidence.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(jpeg), save=False)
            written.append(evidence.image)
            evidence.save()
        return workflow.transition(
            workflow=RECTIFICATION_FLOW,
            actor=actor,
            obj=rectification,
            to=RectificationState.SUBMITTED,
            reason=note,
        )
    except Exception:
        for image in written:
            image.storage.delete(image.name)
        raise


def rectification_transition(
    *, actor: Actor, rectification: Rectification, to_state: str, reason: str = ""
) -> Rectification:
    """Move a rectification along its table (choices.RECTIFICATION_FLOW): the inspecting unit
    accepts a submitted one or sends it back (a new round, reason required), or reopens an
    accepted one. Submitting goes through `rectification_submit` (evidence)."""
    if to_state == RectificationState.SUBMITTED:
        return rectification_submit(actor=actor, rectification=rectification, photos=[])
    return workflow.transition(workflow=RECTIFICATION_FLOW, actor=actor, obj=rectification, to=to_state, reason=reason)
