"""Writes of the position registry (spec §2, §10; issue 3): create, update and the lifecycle.

A position is never deleted: delisting keeps it with its history. Every write checks the actor's
scope, converts coordinates to canonical GCJ-02, finds or checks the administrative area by
point-in-polygon, and refuses a point outside the owning unit's area unless a reason is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core import workflow
from yizhan.core.audit import audit_create_records, audit_write_many
from yizhan.core.bulk import bulk_insert, bulk_insert_rows
from yizhan.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yizhan.core.geo.crs import CRS, to_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.core.hours import ScheduleError, hours_unknown, validate_schedule
from yizhan.core.personal_data import masked_input_check
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require, require_in_scope
from yizhan.orgs.geo import region_at, region_contains
from yizhan.orgs.models import Region, Unit
from yizhan.positions import choices, rules
from yizhan.positions.choices import (
    POSITION_LIFECYCLE,
    BuildMode,
    PositionKind,
    PositionState,
)
from yizhan.positions.models import Position, PositionStateChange

DUPLICATE_RADIUS_M = 50
_STATES = frozenset(PositionState.values)  # Django rebuilds `values` (with every label) on each access
REGISTERED = "登记"  # the reason of a position's first history row

CODE_TAKEN = _("阵地编号“{code}”已被使用")
# A code held outside the actor's scope: refused (codes are unique everywhere) without a word on
# what holds it (spec §1: nobody learns what lies in another unit).
CODE_UNAVAILABLE = _("阵地编号“{code}”不可用，请换一个编号")
BAD_CRS = _("坐标系“{crs}”无效，应为 gcj02、wgs84 或 bd09")
BAD_COORDINATES = _("坐标无效：经度应在 -180～180，纬度应在 -90～90")
BAD_COORDINATES_SWAPPED = _("坐标无效：纬度应在 -90～90；经度和纬度似乎填反了")
NOT_IN_ANY_REGION = _("坐标（{lng:.6f}, {lat:.6f}）不在任何已导入的行政区划内，请检查坐标或坐标系")
NOT_IN_REGION = _("坐标不在所填行政区划“{region}”内")
OUTSIDE_UNIT_AREA = _("坐标不在所属单位“{unit}”的辖区“{area}”内；如确属跨区设点，请填写说明")
CENTRE_LEVEL_REQUIRED = _("职工服务中心须选择层级（区级、街道/乡镇/开发区、企业）")
PARENT_CENTRE_REQUIRED = _("工作站须选择所属的职工服务中心")
PARENT_NOT_A_CENTRE = _("所属服务中心“{name}”不是职工服务中心")
CO_BUILDER_REQUIRED = _("共建的阵地须填写共建单位")
STAR_ONLY_FOR_STATIONS = _("只有户外劳动者服务站点评定星级；职工服务中心和工作站不评星")
STAR_DATE_REQUIRED = _("填写星级时须填写评星日期")
DUPLICATE_NEARBY = _("{distance:.0f} 米内已有同名阵地“{name}”（编号 {code}）")
DUPLICATE_NEARBY_UNSEEN = _("{radius} 米内已有同名阵地，不能重复登记；请核对名称和坐标")
# The lifecycle's refusals: the workflow engine's words (core/workflow.py) and the table's guard.
TRANSITION_NOT_ALLOWED = workflow.TRANSITION_NOT_ALLOWED
REASON_MISSING = workflow.REASON_MISSING
REOPEN_ONLY_WHEN_SUSPENDED = choices.REOPEN_ONLY_WHEN_SUSPENDED
BAD_FLOOR_AREA = _("面积应为不小于 0 的数字")
UNKNOWN_FIELDS = _("不能修改字段：{fields}")
BOTH_COORDINATES_NEEDED = _("以 WGS-84 或 BD-09 修改坐标时须同时给出经度和纬度")
EDITED_MEANWHILE = _("此阵地在您打开后已被他人修改（现为第 {version} 版，{when}），您的修改未保存")

EDITABLE_FIELDS = (
    "code", "kind", "centre_level", "parent_centre", "official_name", "short_name", "unit", "region", "address",
    "lng", "lat", "area_override_reason", "construction_type", "build_mode", "co_builder", "build_nature",
    "floor_area", "manager_name", "manager_phone", "public_phone", "always_open", "weekly_hours", "facilities",
    "abilities", "services", "own_services", "served_groups", "entry_method", "no_app_needed", "verified_on",
    "signage_issued_on", "plaque_number", "opened_on", "star_rating", "star_rated_on", "hours_source_text",
)  # fmt: skip
_EDITABLE = frozenset(EDITABLE_FIELDS)


class RecordRefused(ApplicationError):
    """Every rule a record breaks, at once (issue 14 §4: a clerk fixes a row in one round): the
    first problem is the error's own message and field, so a form or the API answers as before;
    an import lists `problems`, each naming its field."""

    def __init__(self, problems: list[ApplicationError]):
        first = problems[0]
        super().__init__(first.message, field=first.field, extra=first.extra)
        self.problems = problems


class _Problems:
    """Collects the refusals of a record's independent rules (`check`), raising them together."""

    def __init__(self):
        self.found: list[ApplicationError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except (NotFoundError, PermissionDeniedError):
            raise  # out of scope, or not allowed: answered as such (404/403), never as a rule
        except RecordRefused as refused:
            self.found.extend(refused.problems)
        except ApplicationError as error:
            self.found.append(error)

    def add(self, message, field: str) -> None:
        self.found.append(ApplicationError(str(message), field=field))

    def on(self, *fields: str) -> bool:
        """Whether a rule has refused any of these fields."""
        return any(problem.field in fields for problem in self.found)

    def fields(self) -> set[str]:
        """The fields refused; a point is refused as a pair (a refused longitude's latitude too)."""
        fields = {problem.field for problem in self.found if problem.field}
        return fields | {"lng", "lat"} if fields & {"lng", "lat"} else fields

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise RecordRefused(self.found)


def errors_of(error: ApplicationError) -> list[ApplicationError]:
    """The problems an error stands for: each of a `RecordRefused`, or the error itself."""
    return list(error.problems) if isinstance(error, RecordRefused) else [error]


def _check_unit(actor: Actor, unit: Unit) -> Unit:
    unit = Unit.objects.get(pk=unit.pk)
    require_in_scope(actor, unit)
    return unit


def _place(position: Position, *, crs: str, given_region: Region | None) -> None:
    """Canonical coordinates, the administrative area, and the owning unit's area (spec §10)."""
    if crs not in CRS._value2member_map_:
        raise ApplicationError(BAD_CRS.format(crs=crs), field="crs")
    try:
        lng, lat = float(position.lng), float(position.lat)
    except (TypeError, ValueError):
        raise ApplicationError(str(BAD_COORDINATES), field="lng") from None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        swapped = -180 <= lat <= 180 and -90 <= lng <= 90
        raise ApplicationError(str(BAD_COORDINATES_SWAPPED if swapped else BAD_COORDINATES), field="lng")
    position.lng, position.lat = to_gcj02(lng, lat, crs)
    if given_region is None:
        found = region_at(position.lng, position.lat) or region_at(position.lng, position.lat, level="city")
        if found is None:
            raise ApplicationError(NOT_IN_ANY_REGION.format(lng=position.lng, lat=position.lat), field="lng")
        position.region = found
    else:
        if region_contains(given_region, position.lng, position.lat) is False:
            raise ApplicationError(NOT_IN_REGION.format(region=given_region.name), field="region")
        position.region = given_region
    # The prepared boundary is cached by area id: no need to load the area row unless it is refused.
    inside = region_contains(position.unit.region_id, position.lng, position.lat)
    position.area_override_reason = (position.area_override_reason or "").strip()
    if inside is False and not position.area_override_reason:
        area_name = Region.objects.values_list("name", flat=True).get(pk=position.unit.region_id)
        raise ApplicationError(
            OUTSIDE_UNIT_AREA.format(unit=position.unit.name, area=area_name), field="area_override_reason"
        )
    if inside is not False:
        position.area_override_reason = ""


class CheckedValues:
    """Values each field of a model has passed `full_clean` with in this run (an import), so that
    the same value is not checked again: a field's own checks (type, length, choices, validators)
    depend on its value alone. A value is remembered with its type, only when cleaning left it as it
    was (so skipping leaves the record exactly as cleaning would), and only for text, whole numbers,
    flags and lists of text; at most LIMIT values per field (codes and names all differ; kinds,
    phones and lists repeat)."""

    LIMIT = 2000

    def __init__(self, model: type[Position]):
        self.fields = [(f.name, f.attname) for f in model._meta.concrete_fields if not f.is_relation]
        self.passed: dict[str, set] = {name: set() for name, _attname in self.fields}

    @staticmethod
    def key(value):
        """The value with its type (True is not 1) for text, whole numbers, flags and lists of text;
        None for others (a schedule costs as much to compare as to check)."""
        kind = type(value)
        if kind in (str, bool, int):
            return kind, value
        if kind is list and all(type(item) is str for item in value):
            return kind, tuple(value)
        return None

    def split(self, obj) -> tuple[list[str], dict[str, tuple]]:
        """(fields whose value passed before, {other field: key of its value})."""
        known, pending = [], {}
        key_of, passed = self.key, self.passed
        for name, attname in self.fields:
            key = key_of(getattr(obj, attname))
            if key is not None and key in passed[name]:
                known.append(name)
            else:
                pending[name] = (attname, key)
        return known, pending

    def learn(self, obj, pending: dict[str, tuple]) -> None:
        """After `full_clean` passed: remember the values it left unchanged."""
        for name, (attname, key) in pending.items():
            passed = self.passed[name]
            if key is not None and len(passed) < self.LIMIT and self.key(getattr(obj, attname)) == key:
                passed.add(key)


class RecordLookups:
    """Where the rules of a record look up other records: here one query at a time (forms, API).
    An import subclasses it to answer from what it read once per file, so both run the same rules;
    it also remembers the field values already checked (`checked_values`)."""

    checked_values: CheckedValues | None = None

    def code_holder(self, code: str, *, exclude_pk: int | None = None) -> str | None:
        """The unit path of the position (other than `exclude_pk`) holding `code`, or None."""
        return Position.objects.filter(code=code).exclude(pk=exclude_pk).values_list("unit__path", flat=True).first()

    def centre(self, actor: Actor, position: Position) -> Position | None:
        """The work station's service centre as the actor sees it; None when none is given."""
        if position.parent_centre_id is None:
            return None
        centre = Position.objects.restrict(actor).filter(pk=position.parent_centre_id).first()
        if centre is None:
            raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
        return centre

    def namesakes(self, position: Position) -> list[tuple[str, str, float, str]]:
        """(official name, code, distance in m, unit path) of positions with the same name within
        DUPLICATE_RADIUS_M."""
        return [
            (other.official_name, other.code, distance, other.unit.path)
            for other, distance in nearby_namesakes(
                name=position.official_name, lng=position.lng, lat=position.lat, exclude_pk=position.pk
            )
        ]


DATABASE_LOOKUPS = RecordLookups()


def _check_record(
    actor: Actor,
    position: Position,
    lookups: RecordLookups = DATABASE_LOOKUPS,
    dates: tuple[str, ...] = rules.PAST_EVENT_DATES,
    problems: _Problems | None = None,
) -> None:
    """Rules of spec §2 for one record: kind and level, naming, lists, hours, co-builder, area;
    no masked personal value, no implausible date among `dates` (spec §11; an update checks the
    dates it changes, so a stored one from before the rule does not block other changes). Every
    rule is checked: the refusals are collected in `problems`, or raised together."""
    collected = problems if problems is not None else _Problems()
    with collected.check():
        masked_input_check(position)
    if position.kind == PositionKind.CENTRE and not position.centre_level:
        collected.add(CENTRE_LEVEL_REQUIRED, "centre_level")
    if position.kind != PositionKind.CENTRE:
        position.centre_level = ""
    centre_name = ""
    if position.kind == PositionKind.WORK_STATION:
        centre = lookups.centre(actor, position)  # out of scope: NotFoundError, as for any record
        if centre is None:
            collected.add(PARENT_CENTRE_REQUIRED, "parent_centre")
        elif centre.kind != PositionKind.CENTRE:
            collected.add(PARENT_NOT_A_CENTRE.format(name=centre.official_name), "parent_centre")
        else:
            centre_name = centre.official_name
    else:
        position.parent_centre = None
    position.official_name = rules.normalise_official_name(position.kind, position.official_name)
    problem = rules.official_name_problem(position.kind, position.official_name, centre_name)
    if problem:
        collected.add(problem, "official_name")
    position.search_initials = rules.pinyin_initials(position.official_name, position.short_name)
    for field in rules.LISTS:
        try:
            setattr(position, field, rules.clean_choice_list(field, getattr(position, field)))
        except ValueError as error:
            collected.add(error, field)
    position.own_services = [str(s).strip() for s in (position.own_services or []) if str(s).strip()]
    _check_hours(position, collected)
    if position.build_mode == BuildMode.CO_BUILT and not position.co_builder.strip():
        collected.add(CO_BUILDER_REQUIRED, "co_builder")
    if position.star_rating and position.kind != PositionKind.STATION:
        collected.add(STAR_ONLY_FOR_STATIONS, "star_rating")
    if position.star_rating and not position.star_rated_on:
        collected.add(STAR_DATE_REQUIRED, "star_rated_on")
    today = timezone.localdate()
    for name in dates:
        implausible = rules.record_date_problem(position, (name,), today=today)
        if implausible:
            collected.add(implausible[1], implausible[0])
    if position.floor_area not in (None, ""):
        try:
            position.floor_area = Decimal(str(position.floor_area)).quantize(Decimal("0.1"))
        except InvalidOperation:
            collected.add(BAD_FLOOR_AREA, "floor_area")
        else:
            if position.floor_area < 0:
                collected.add(BAD_FLOOR_AREA, "floor_area")
    if problems is None:
        collected.raise_any()


def _check_hours(position: Position, problems: _Problems) -> None:
    """The weekly schedule in canonical form; the source text of unknown hours kept only while they
    are unknown (issue 14 §4): hours given, round the clock or by the week, replace it."""
    try:
        position.weekly_hours = validate_schedule(position.weekly_hours or {})
    except ScheduleError as error:
        problems.add(error, "weekly_hours")
        return
    if hours_unknown(always_open=position.always_open, schedule=position.weekly_hours):
        position.hours_source_text = (position.hours_source_text or "").strip()
    else:
        position.hours_source_text = ""


def nearby_namesakes(
    *, name: str, lng: float, lat: float, exclude_pk: int | None = None
) -> list[tuple[Position, float]]:
    """Positions with the same official name within DUPLICATE_RADIUS_M (duplicate detection)."""
    delta = 0.001  # ~100 m of latitude: a box that surely holds the 50 m circle at Chinese latitudes
    candidates = Position.objects.select_related("unit").filter(
        official_name=name, lat__range=(lat - delta, lat + delta), lng__range=(lng - 2 * delta, lng + 2 * delta)
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for other in candidates:
        distance = distance_m(lng, lat, other.lng, other.lat)
        if distance <= DUPLICATE_RADIUS_M:
            found.append((other, distance))
    return found


def _check_duplicates(actor: Actor, position: Position, lookups: RecordLookups = DATABASE_LOOKUPS) -> None:
    """Refuse a second position of the same name within DUPLICATE_RADIUS_M, wherever it belongs
    (one place, one record); one in the actor's scope is named, any other is not (spec §1)."""
    found = sorted(lookups.namesakes(position), key=lambda namesake: not actor.covers_path(namesake[3]))
    for name, code, distance, unit_path in found:
        if actor.covers_path(unit_path):
            message = DUPLICATE_NEARBY.format(distance=distance, name=name, code=code)
        else:
            message = DUPLICATE_NEARBY_UNSEEN.format(radius=DUPLICATE_RADIUS_M)
        raise ApplicationError(message, field="official_name")


def code_refusal(actor: Actor, code: str, holder_unit_path: str) -> str:
    """Why `code`, held by a position of the unit at `holder_unit_path`, cannot be given to
    another: codes are unique across the registry (the public page /p/<code>/ and the QR posters
    use them), so the code is refused wherever it is held, but only a holder in the actor's scope
    is acknowledged; for any other the answer reveals nothing of it (spec §1)."""
    if actor.covers_path(holder_unit_path):
        return CODE_TAKEN.format(code=code)
    return CODE_UNAVAILABLE.format(code=code)


def _check_code(actor: Actor, code: str, *, exclude_pk: int | None = None, lookups: RecordLookups = DATABASE_LOOKUPS):
    holder = lookups.code_holder(code, exclude_pk=exclude_pk)
    if holder is not None:
        raise ApplicationError(code_refusal(actor, code, holder), field="code")


def _validate_fields(
    position: Position, lookups: RecordLookups = DATABASE_LOOKUPS, *, refused: set[str] = frozenset()
) -> None:
    """Field-level checks of the model (lengths, choices, validators). The check constraints are the
    rules `_check_record` has just applied in Python (and the database enforces them again);
    validating them here would cost four queries per save. The unique code is `_check_code`'s job.
    Values the lookups have seen pass before (an import's repeated kinds, phones, lists) are skipped,
    and so are the fields another rule has already `refused`; text longer than its column is
    refused naming the field and the limit (spec §11). Every field's problem is raised at once."""
    too_long = [(name, message) for name, message in rules.record_texts_too_long(position) if name not in refused]
    skipped = set(refused) | {name for name, _message in too_long}
    problems = _Problems()
    for name, message in too_long:
        problems.add(message, name)
    checked = lookups.checked_values
    known, pending = checked.split(position) if checked is not None else ((), {})
    try:
        position.full_clean(
            exclude=["unit", "region", "parent_centre", *known, *skipped],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            problems.add("；".join(errors), None if name == "__all__" else name)
    else:
        if checked is not None:
            checked.learn(position, {name: key for name, key in pending.items() if name not in skipped})
    problems.raise_any()


def _record_state(position: Position, actor: Actor | None, from_state: str, reason: str, effective_on: date) -> None:
    PositionStateChange(**_state_change(position, actor, from_state, reason, effective_on)).save()


def _state_change(position: Position, actor: Actor | None, from_state: str, reason: str, effective_on: date) -> dict:
    """The fields (attribute names) of the history row of a move of `position` to its current state."""
    return {
        "position_id": position.pk,
        "from_state": from_state,
        "to_state": position.state,
        "effective_on": effective_on,
        "reason": reason,
        "expected_reopen_on": position.expected_reopen_on,
        "actor_id": actor.user.pk if actor else None,
        "actor_name": actor.user.get_username() if actor else "命令行",
    }


@transaction.atomic
def position_create(
    *,
    actor: Actor,
    unit: Unit,
    crs: str = CRS.GCJ02,
    region: Region | None = None,
    state: str = PositionState.PLANNED,
    state_reason: str = "",
    **fields,
) -> Position:
    """Register a position. It starts `planned` unless an existing one is being recorded in another
    state (an import of operating stations); the first history row says so."""
    require(actor, Action.CREATE, Position)
    position = position_prepare(
        actor=actor,
        unit=_check_unit(actor, unit),
        crs=crs,
        region=region,
        state=state,
        state_reason=state_reason,
        **fields,
    )
    position.save()
    _record_state(position, actor, "", state_reason or REGISTERED, timezone.localdate())
    return position


def position_prepare(
    *,
    actor: Actor,
    unit: Unit,
    crs: str = CRS.GCJ02,
    region: Region | None = None,
    state: str = PositionState.PLANNED,
    state_reason: str = "",
    lookups: RecordLookups = DATABASE_LOOKUPS,
    **fields,
) -> Position:
    """A new position with every rule of a create applied, not yet saved: `position_create` saves
    one, `positions_create_many` saves a checked batch (an import). `unit` is a loaded record."""
    require_in_scope(actor, unit)
    unknown = fields.keys() - _EDITABLE
    if unknown:
        raise ApplicationError(UNKNOWN_FIELDS.format(fields=", ".join(sorted(unknown))))
    if state not in _STATES:
        raise ApplicationError(TRANSITION_NOT_ALLOWED.format(from_state="—", to_state=state), field="state")
    position = Position(unit=unit, state=state, state_reason=state_reason, **fields)
    problems = _Problems()
    with problems.check():
        _check_code(actor, position.code, lookups=lookups)
    _check_record(actor, position, lookups, problems=problems)
    _check_place(actor, position, crs=crs, region=region, lookups=lookups, problems=problems)
    with problems.check():
        _validate_fields(position, lookups, refused=problems.fields())
    problems.raise_any()
    return position


def _check_place(
    actor: Actor, position: Position, *, crs: str, region: Region | None, lookups: RecordLookups, problems: _Problems
) -> None:
    """The point and its areas (`_place`), then namesakes nearby, collecting the refusals: no
    duplicate check for a point that could not be read or a name already refused."""
    placed = _Problems()
    with placed.check():
        _place(position, crs=crs, given_region=region)
    problems.found.extend(placed.found)
    if not placed.on("crs", "lng", "lat") and not problems.on("official_name"):
        with problems.check():
            _check_duplicates(actor, position, lookups)


@transaction.atomic
def positions_create_many(*, actor: Actor, positions: list[Position]) -> None:
    """Save positions that `position_prepare` has checked, in bulk: the rows, their first history
    rows and their audit entries (the same entries one `save()` each would write). Service centres
    go first, so work stations of this batch can point at them."""
    require(actor, Action.CREATE, Position)
    if not positions:
        return
    ordered = sorted(positions, key=lambda p: p.kind != PositionKind.CENTRE)
    bulk_insert(ordered)
    today = timezone.localdate()
    history = [_state_change(p, actor, "", p.state_reason or REGISTERED, today) for p in ordered]
    bulk_insert_rows(PositionStateChange, tuple(history[0]), [tuple(row.values()) for row in history])
    audit_write_many(audit_create_records(ordered))


def _check_version(position: Position, expected_version: int | None) -> None:
    """Refuse a change based on an older version of the record than the stored one (optimistic
    concurrency: two people editing the same position). Called on the row read under the write
    lock, so the comparison and the save are one step; no version given means no check (imports)."""
    if expected_version is not None and expected_version != position.version:
        when = timezone.localtime(position.updated_at).strftime("%Y-%m-%d %H:%M:%S")
        raise ConflictError(
            EDITED_MEANWHILE.format(version=position.version, when=when), extra={"version": position.version}
        )


@transaction.atomic
def position_update(
    *,
    actor: Actor,
    position: Position,
    crs: str = CRS.GCJ02,
    region: Region | None = None,
    expected_version: int | None = None,
    **changes,
) -> Position:
    """Change a position's record (not its state: see `position_transition`). Coordinates given in
    `crs` are converted; a new point is checked against the area and the unit's area again.
    `expected_version` is the version the change was made on (a form, an API client): a record
    saved by someone else since then is not overwritten (`ConflictError`)."""
    require(actor, Action.UPDATE, Position)
    # Locks the row on PostgreSQL; on SQLite the transaction holds the write lock from its start
    # (BEGIN IMMEDIATE), so no other save can come between this read and the save below.
    position = Position.objects.select_for_update().get(pk=position.pk)
    require_in_scope(actor, position.unit)
    _check_version(position, expected_version)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(UNKNOWN_FIELDS.format(fields=", ".join(sorted(unknown))))
    if "unit" in changes:
        changes["unit"] = _check_unit(actor, changes["unit"])
    if "code" in changes:
        _check_code(actor, changes["code"], exclude_pk=position.pk)
    if crs != CRS.GCJ02 and ("lng" in changes) != ("lat" in changes):
        # A lone coordinate in another system cannot be paired with the stored GCJ-02 one.
        raise ApplicationError(str(BOTH_COORDINATES_NEEDED), field="lng")
    _apply_changes(actor, position, crs=crs, region=region, changes=changes).raise_any()
    position.save()
    return position


def _apply_changes(
    actor: Actor,
    position: Position,
    *,
    crs: str,
    region: Region | None,
    changes: dict,
    lookups: RecordLookups = DATABASE_LOOKUPS,
) -> _Problems:
    """Set `changes` on `position` (in memory) and check every rule of the changed record; the
    refusals, all of them, are returned, not raised."""
    moved = any(k in changes for k in ("lng", "lat", "unit")) or region is not None
    for field, value in changes.items():
        setattr(position, field, value)
    problems = _Problems()
    dates = tuple(name for name in rules.PAST_EVENT_DATES if name in changes)
    _check_record(actor, position, lookups, dates=dates, problems=problems)
    if moved or "area_override_reason" in changes:
        point_crs = crs if any(k in changes for k in ("lng", "lat")) else CRS.GCJ02
        _check_place(actor, position, crs=point_crs, region=region, lookups=lookups, problems=problems)
    elif not problems.on("official_name"):
        with problems.check():
            _check_duplicates(actor, position, lookups)
    with problems.check():
        _validate_fields(position, lookups, refused=problems.fields())
    return problems


def position_update_problems(
    *,
    actor: Actor,
    position: Position,
    crs: str = CRS.GCJ02,
    region: Region | None = None,
    lookups: RecordLookups = DATABASE_LOOKUPS,
    **changes,
) -> list[ApplicationError]:
    """What `position_update` would refuse of these changes to a stored position (read for the
    actor), without writing anything: every problem, for an import that reports a row's cell
    errors and its rule errors in one round (issue 14 §4). `position` is changed in memory only."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        return [ApplicationError(UNKNOWN_FIELDS.format(fields=", ".join(sorted(unknown))))]
    return _apply_changes(actor, position, crs=crs, region=region, changes=changes, lookups=lookups).found


def allowed_transitions(position: Position) -> list[str]:
    """The states `position` may move to from its current one, in the states' order."""
    return POSITION_LIFECYCLE.targets(position.state)


def position_transition(
    *,
    actor: Actor,
    position: Position,
    to_state: str,
    reason: str = "",
    effective_on: date | None = None,
    expected_reopen_on: date | None = None,
) -> Position:
    """Move a position along its lifecycle (spec §2; the table is `choices.POSITION_LIFECYCLE`):
    only the allowed moves, suspensions and delistings with a reason, an expected reopening only
    when suspending, `opened_on` dated by the first opening; one history row and one audit entry
    per move (the workflow engine, core/workflow.py)."""
    return workflow.transition(
        workflow=POSITION_LIFECYCLE,
        actor=actor,
        obj=position,
        to=to_state,
        reason=reason,
        effective_on=effective_on,
        expected_reopen_on=expected_reopen_on,
    )


def positions_transition(
    *,
    actor: Actor,
    positions: list[Position],
    to_state: str,
    reason: str = "",
    effective_on: date | None = None,
    expected_reopen_on: date | None = None,
) -> int:
    """The same move for many positions at once: all of them or none (bulk state change)."""
    return workflow.transition_many(
        workflow=POSITION_LIFECYCLE,
        actor=actor,
        objs=positions,
        to=to_state,
        reason=reason,
        effective_on=effective_on,
        expected_reopen_on=expected_reopen_on,
    )
