"""Schemas of /api/v1/campaigns."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的字段")


class StepOut(Schema):
    id: int
    kind: str
    label: str
    deadline: dt.date
    original_deadline: dt.date
    extension_reason: str
    completed_on: dt.date | None
    overdue_units: list[str] = Field(default_factory=list, description="逾期未报送的单位（单位步骤）")
    overdue: bool


class CampaignOut(Schema):
    id: int
    federation: str
    name: str
    year: int
    subject: str
    min_score: int | None
    position_kind: str
    honour_title: str
    total_quota: int
    grant_fen: int
    eligible_states: list[str]
    min_star_rating: str
    state: str
    state_label: str
    quotas_published_on: dt.date | None
    notice_starts_on: dt.date | None
    notice_ends_on: dt.date | None
    approved_on: dt.date | None


class CampaignDetailOut(CampaignOut):
    steps: list[StepOut]


class CampaignIn(Schema):
    federation: str | None = Field(None, max_length=32, description="主办总工会的单位代码（默认本单位）")
    name: str = Field(..., max_length=200)
    year: int = Field(..., ge=2000, le=2100)
    honour_title: str = Field(..., max_length=100)
    total_quota: int = Field(..., ge=1, le=100_000)
    grant_fen: int = Field(0, ge=0, le=10**12, description="每个入选阵地的补助（分）")
    subject: str = Field("position", max_length=20, description="推树对象：position 阵地 / project 社会组织服务项目")
    min_score: int | None = Field(None, ge=0, le=100, description="推荐项目的最低评分（仅 project）")
    position_kind: str = "station"
    eligible_states: list[str] = Field(default_factory=lambda: ["operating"])
    min_star_rating: str = Field("5", max_length=1)
    deadlines: dict[str, dt.date] = Field(default_factory=dict, description="步骤 → 截止日期")


class CampaignTransitionIn(Schema):
    to_state: str = Field(..., max_length=20)
    reason: str = Field("", max_length=255)
    notice_starts_on: dt.date | None = None
    notice_ends_on: dt.date | None = None


class StateChangeOut(Schema):
    from_state: str
    to_state: str
    reason: str
    actor_name: str
    created_at: dt.datetime


class StepExtendIn(Schema):
    deadline: dt.date
    reason: str = Field(..., max_length=255)


class QuotaOut(Schema):
    id: int
    unit: str
    unit_code: str
    operating_count: int
    five_star_count: int
    weight: int
    exact_share: str
    computed: int
    quota: int
    adjust_reason: str
    submitted_on: dt.date | None


class QuotaAdjustIn(Schema):
    quota: int = Field(..., ge=0, le=100_000)
    reason: str = Field(..., max_length=255)


class MemberIn(Schema):
    unit: str = Field(..., max_length=32, description="所在单位代码")
    name: str = Field(..., max_length=50)
    job_title: str = Field(..., max_length=100)
    phone: str = Field(..., max_length=20)
    gender: str = Field("", max_length=10)
    conflicts: str = Field("", max_length=500)
    conflict_positions: list[str] = Field(default_factory=list, max_length=100)


class MemberOut(Schema):
    id: int
    unit: str
    name: str
    gender: str
    job_title: str
    phone: str
    group_role: str
    confirmed: bool
    conflicts: str
    conflict_positions: list[str]


class MemberConfirmIn(Schema):
    group_role: str = Field("member", max_length=10)


class ConflictsIn(Schema):
    conflicts: str = Field("", max_length=500)
    conflict_positions: list[str] = Field(default_factory=list, max_length=100)


class NominationIn(Schema):
    position: int | None = Field(None, ge=1, le=2**62, description="阵地 ID（推树对象为服务阵地时）")
    project: int | None = Field(None, ge=1, le=2**62, description="服务项目 ID（推树对象为社会组织服务项目时）")
    statement: str = Field(..., max_length=2000)


class StatementIn(Schema):
    statement: str = Field(..., max_length=2000)


class NominationOut(Schema):
    id: int
    campaign: int
    unit: str
    position: int | None
    project: int | None
    position_name: str
    organisation: str
    score: int | None
    statement: str
    form: dict
    state: str
    state_label: str
    sealed: bool
    decision_reason: str
    meeting: int | None


class NominationTransitionIn(Schema):
    to_state: str = Field(..., max_length=20)
    reason: str = Field("", max_length=255)
    meeting: int | None = Field(None, ge=1, le=2**62)


class AssignIn(Schema):
    member: int = Field(..., ge=1, le=2**62)


class AssignmentOut(Schema):
    id: int
    nomination: int
    position_name: str
    member: str
    scores: dict
    total: int | None
    result: str
    notes: str
    verified_on: dt.date | None


class RecordIn(Schema):
    scores: dict[str, int]
    result: str = Field(..., max_length=20)
    notes: str = Field("", max_length=1000)
    verified_on: dt.date | None = None


class PhotoOut(Schema):
    id: int
    caption: str
    width: int
    height: int


class MeetingIn(Schema):
    held_on: dt.date
    place: str = Field("", max_length=200)
    attendees: str = Field("", max_length=500)
    minutes: str = Field("", max_length=5000)


class MeetingOut(Schema):
    id: int
    held_on: dt.date
    place: str
    attendees: str


class ObjectionIn(Schema):
    text: str = Field(..., max_length=1000)
    contact: str = Field("", max_length=50)
    nomination: int | None = Field(None, ge=1, le=2**62)


class ObjectionReceiptOut(Schema):
    id: int
    status: str


class ObjectionOut(Schema):
    id: int
    nomination: int | None
    text: str
    contact: str
    status: str
    outcome: str
    answer: str
    resolved_on: dt.date | None
    created_at: dt.datetime


class ResolveIn(Schema):
    outcome: str = Field(..., max_length=10)
    answer: str = Field(..., max_length=1000)


class PlaqueIn(Schema):
    plaque_number: str = Field(..., max_length=40)
    issued_on: dt.date | None = None


class HonourOut(Schema):
    id: int
    position: int | None
    project: int | None
    position_name: str
    title: str
    awarded_on: dt.date
    plaque_issued_on: dt.date | None
    plaque_number: str


class NoticeRowOut(Schema):
    nomination: int
    unit: str
    position_name: str
    address: str


class NoticeOut(Schema):
    id: int
    name: str
    federation: str
    notice_starts_on: dt.date
    notice_ends_on: dt.date
    open: bool
    rows: list[NoticeRowOut]
