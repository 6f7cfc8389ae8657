"""API shapes of the position registry."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from yizhan.core.geo.crs import CRS
from yizhan.core.personal_data import shown
from yizhan.orgs.schemas import context_actor
from yizhan.positions.choices import (
    BuildMode,
    BuildNature,
    CentreLevel,
    ConstructionType,
    EntryMethod,
    PositionKind,
    PositionState,
    StarRating,
)


class OpeningOut(Schema):
    is_open: bool
    closes_at: datetime | None
    opens_at: datetime | None


class PositionOut(Schema):
    id: int
    code: str
    kind: PositionKind
    centre_level: str
    parent_centre_id: int | None
    official_name: str
    short_name: str
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    region_adcode: str = Field(..., alias="region.adcode")
    region_name: str = Field(..., alias="region.name")
    address: str
    lng: float = Field(..., description="GCJ-02 longitude")
    lat: float = Field(..., description="GCJ-02 latitude")
    area_override_reason: str
    construction_type: ConstructionType
    build_mode: BuildMode
    co_builder: str
    build_nature: BuildNature
    floor_area: float | None
    manager_name: str = Field(..., description="masked (张**); in full through POST /{id}/reveal")
    manager_phone: str = Field(..., description="masked (138****5678); in full through POST /{id}/reveal")
    public_phone: str
    always_open: bool
    weekly_hours: dict[str, list[list[str]]]
    hours_unknown: bool = Field(..., description="开放时间待核实：既非 24 小时开放也无每周开放时间（不表示关闭）")
    hours_source_text: str = Field(..., description="开放时间待核实时，来源登记的原文")
    needs_verification: bool = Field(..., description="在待核实清单中：开放时间或建设类型待核实")
    facilities: list[str]
    abilities: list[str]
    services: list[str]
    own_services: list[str]
    served_groups: list[str]
    entry_method: EntryMethod
    no_app_needed: bool
    verified_on: date | None
    signage_issued_on: date | None
    plaque_number: str
    opened_on: date | None
    star_rating: StarRating | Literal[""] = Field(..., description="3, 4 or 5; empty when unrated")
    star_rated_on: date | None
    state: PositionState
    state_reason: str
    expected_reopen_on: date | None
    version: int = Field(..., description="raised by every change; send it with PATCH to refuse overwriting others")

    # Spec §11: the manager's own data masked, as on every staff page (core/personal_data.py).
    @staticmethod
    def resolve_manager_name(obj, context) -> str:
        return shown(context_actor(context), obj, "manager_name")

    @staticmethod
    def resolve_manager_phone(obj, context) -> str:
        return shown(context_actor(context), obj, "manager_phone")


class ManagerOut(Schema):
    """A position manager's full name and phone (an audited reveal, spec §11)."""

    manager_name: str
    manager_phone: str


def _fits(limit: int) -> dict:
    """A text field's column length, documented and left to the service to enforce: over-long text
    answers 400 naming the field and the limit in Chinese (rules.text_too_long), as a form and an
    import say it, rather than pydantic's English 422."""
    return {"maxLength": limit}


class PositionFields(Schema):
    """Fields shared by create and update (update takes any subset). Unknown fields (such as
    `state`, which changes only through a transition) are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")

    kind: PositionKind | None = None
    centre_level: CentreLevel | None = None
    parent_centre_id: int | None = None
    official_name: str | None = Field(None, min_length=1, json_schema_extra=_fits(200))
    short_name: str | None = Field(None, json_schema_extra=_fits(60))
    unit_id: int | None = None
    region_adcode: str | None = Field(None, pattern=r"^\d{6}$")
    address: str | None = Field(None, min_length=1, json_schema_extra=_fits(255))
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: CRS = CRS.GCJ02
    area_override_reason: str | None = Field(None, json_schema_extra=_fits(255))
    construction_type: ConstructionType | None = None
    build_mode: BuildMode | None = None
    co_builder: str | None = Field(None, json_schema_extra=_fits(200))
    build_nature: BuildNature | None = None
    floor_area: float | None = Field(None, ge=0, le=999999)
    manager_name: str | None = Field(None, json_schema_extra=_fits(50))
    manager_phone: str | None = Field(None, json_schema_extra=_fits(20))
    public_phone: str | None = Field(None, json_schema_extra=_fits(20))
    always_open: bool | None = None
    weekly_hours: dict[str, list[list[str]]] | None = None
    hours_source_text: str | None = Field(
        None, description="开放时间待核实时保留的来源原文（填写开放时间后清空）", json_schema_extra=_fits(200)
    )
    facilities: list[str] | None = Field(None, max_length=30)
    abilities: list[str] | None = Field(None, max_length=10)
    services: list[str] | None = Field(None, max_length=10)
    own_services: list[str] | None = Field(None, max_length=20)
    served_groups: list[str] | None = Field(None, max_length=20)
    entry_method: EntryMethod | None = None
    no_app_needed: bool | None = None
    verified_on: date | None = None
    signage_issued_on: date | None = None
    plaque_number: str | None = Field(None, json_schema_extra=_fits(40))
    opened_on: date | None = None
    # No star_rating/star_rated_on: written only by the rating service (decision 13); sent, refused.


class PositionCreateIn(PositionFields):
    code: str = Field(..., min_length=1, json_schema_extra=_fits(40))
    kind: PositionKind
    official_name: str = Field(..., min_length=1, json_schema_extra=_fits(200))
    unit_id: int
    address: str = Field(..., min_length=1, json_schema_extra=_fits(255))
    lng: float = Field(..., ge=-180, le=180)
    lat: float = Field(..., ge=-90, le=90)
    construction_type: ConstructionType
    state: PositionState = PositionState.PLANNED
    state_reason: str = Field("", json_schema_extra=_fits(255))


class PositionUpdateIn(PositionFields):
    code: str | None = Field(None, min_length=1, json_schema_extra=_fits(40))
    version: int | None = Field(
        None,
        ge=1,
        description="the version the change is based on (from GET); 409 when the record has changed since",
    )


class TransitionIn(Schema):
    to_state: PositionState
    reason: str = Field("", max_length=255)
    effective_on: date | None = None
    expected_reopen_on: date | None = None


class BulkTransitionIn(TransitionIn):
    ids: list[int] = Field(..., min_length=1, max_length=1000)


class BulkTransitionOut(Schema):
    changed: int


class StateChangeOut(Schema):
    from_state: str
    to_state: str
    effective_on: date
    reason: str
    expected_reopen_on: date | None
    actor_name: str
    created_at: datetime


class ErrorOut(Schema):
    detail: str


class ConflictOut(ErrorOut):
    version: int = Field(..., description="the stored version")


# One "HH:MM" [start, end] pair; its format is the service's to check (with a message naming it).
Interval = list[Annotated[str, Field(max_length=10)]]


class HoursExceptionOut(Schema):
    id: int
    position_id: int
    start: date
    end: date
    closed: bool
    intervals: list[list[str]] = Field(..., description='"HH:MM" [start, end]; an end before its start ends next day')
    reason: str


class HoursExceptionIn(Schema):
    """A dated exception to the weekly hours, from `start` to `end` inclusive: closed all day (no
    intervals) or open at `intervals`."""

    model_config = ConfigDict(extra="forbid")

    start: date
    end: date
    closed: bool = True
    intervals: list[Interval] = Field(default_factory=list, max_length=24)
    reason: str = Field(..., max_length=1000)


class HoursExceptionUpdateIn(Schema):
    """Any subset of an exception's fields; `closed: true` alone drops the intervals."""

    model_config = ConfigDict(extra="forbid")

    start: date | None = None
    end: date | None = None
    closed: bool | None = None
    intervals: list[Interval] | None = Field(None, max_length=24)
    reason: str | None = Field(None, max_length=1000)
