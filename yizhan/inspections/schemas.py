"""Shapes of /api/v1/inspections."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import Field as PydanticField

# A record's id as input: bounded, so that no value reaches the database that SQLite cannot bind.
RecordId = Annotated[int, PydanticField(ge=1, le=2**63 - 1)]


class ErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")


class FindingOut(Schema):
    item: str = Field(..., description="条目代码")
    text: str
    required: bool
    met: bool
    yes: bool | None
    number: Decimal | None
    choice: str
    note: str
    rectification: int | None = Field(None, description="已开具的整改编号")


class InspectionOut(Schema):
    id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    unit: str = Field(..., description="检查单位代码")
    position: int
    position_name: str
    standard: str = Field(..., description="标准代码")
    version: int
    draw: int | None
    starts_on: date
    ends_on: date
    inspected_on: date | None
    cannot_serve: bool
    summary: str
    assessment: int | None = Field(None, description="确认后形成的评估编号")


class InspectionDetailOut(InspectionOut):
    inspectors: list[str] = Field(..., description="指派的检查人员（用户名）")
    findings: list[FindingOut]
    moves: list[str] = Field(..., description="当前可执行的状态变更（目标状态）")


class InspectionIn(Schema):
    position: RecordId = Field(..., description="服务阵地编号（id）")
    version: RecordId = Field(..., description="标准版本编号（id），须为现行版本")
    kind: str = Field("planned", description="planned（计划检查）、spot_check（随机抽查）或 mutual（互检）")
    starts_on: date | None = None
    ends_on: date
    inspecting_unit: RecordId | None = Field(None, description="互检：检查单位编号（id），被检查阵地所属单位的同级单位")
    inspectors: list[str] = Field(default_factory=list, description="指派的检查人员（用户名），须为检查单位的管理员")


class FormItemOut(Schema):
    key: str
    group: str
    text: str
    check_type: str
    minimum: Decimal | None
    unit_label: str
    choices: list[str]
    required: bool
    found: bool | Decimal | str | None = Field(None, description="已填写的检查结果")
    note: str


class PositionBriefOut(Schema):
    id: int
    code: str
    name: str
    address: str
    unit: str
    lng: float | None
    lat: float | None


class InspectionFormOut(Schema):
    inspection: int
    position: PositionBriefOut
    items: list[FormItemOut]


class FindingsIn(Schema):
    answers: dict[str, bool | Decimal | str] = Field(default_factory=dict, description="条目代码 → 是/否、数值或选项")
    notes: dict[str, str] = Field(default_factory=dict, description="条目代码 → 说明")
    cannot_serve: bool | None = Field(None, description="发现不能正常提供服务")
    summary: str | None = Field(None, max_length=2000)


class TransitionIn(Schema):
    to_state: str
    reason: str = Field("", max_length=255)


class HistoryOut(Schema):
    from_state: str
    to_state: str
    reason: str
    actor_name: str
    created_at: datetime


class DrawIn(Schema):
    units: list[RecordId] = Field(..., description="抽取范围：各单位编号（id），每个单位为一层")
    version: RecordId = Field(..., description="检查标准版本编号（id）")
    ends_on: date
    size: int | None = Field(None, description="抽取数量（与抽取比例二选一）")
    rate: Decimal | None = Field(None, description="抽取比例，0 至 1（与抽取数量二选一）")
    seed: int | None = Field(None, description="随机种子；不填则随机生成并记录")
    recent_days: int = Field(90, description="排除最近多少天内已检查的阵地")
    include_recent: bool = False
    kinds: list[str] = Field(default_factory=list)
    inspectors: list[str] = Field(default_factory=list)


class StratumOut(Schema):
    unit: int
    code: str
    name: str
    eligible: int
    picked: list[int]


class DrawOut(Schema):
    id: int
    unit: str
    version: int
    size: int | None
    rate: Decimal | None
    seed: int
    recent_days: int
    include_recent: bool
    eligible: int
    picked: int
    drawn_on: date
    ends_on: date
    strata: list[StratumOut]
    inspections: list[int]


class RectificationOut(Schema):
    id: int
    inspection: int
    position: int
    position_name: str
    item: str
    item_text: str
    requirement: str
    owner_unit: str
    owner_user: str | None
    deadline: date
    overdue: bool
    state: str
    state_label: str
    round: int
    submitted_on: date | None
    closed_on: date | None


class EvidenceOut(Schema):
    id: int
    round: int
    url: str
    width: int
    height: int
    note: str
    uploaded_by: str
    created_at: datetime


class RectificationDetailOut(RectificationOut):
    evidence: list[EvidenceOut]
    moves: list[str]


class RectificationIn(Schema):
    inspection: RecordId
    item: str = Field(..., description="不达标的条目代码")
    requirement: str = Field(..., max_length=300)
    deadline: date
    owner_unit: RecordId | None = Field(None, description="整改责任单位编号（id）；不填为阵地所属单位")
    owner_user: str | None = Field(None, description="整改责任人（用户名）")
