"""Schemas of /api/v1/grants. Money leaves as integer fen and as a yuan string with two decimals;
it comes in as a yuan string (parsed with Decimal, never float)."""

from datetime import date

from ninja import Field, Schema

from yizhan.grants.choices import EvidenceKind, GrantState, ReportState, UsePurpose
from yizhan.grants.money import fen_to_yuan


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的字段")
    missing: list[str] | None = Field(None, description="报告不完整时：尚未填写的字段")


class GrantOut(Schema):
    id: int
    position_id: int
    position_name: str = Field(..., alias="position.display_name")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    title: str
    source: str
    state: GrantState
    amount_fen: int
    spent_fen: int
    balance_fen: int
    amount_yuan: str
    balance_yuan: str
    awarded_on: date
    disbursed_on: date | None
    disbursement_reference: str

    @staticmethod
    def resolve_amount_yuan(obj) -> str:
        return fen_to_yuan(obj.amount_fen)

    @staticmethod
    def resolve_balance_yuan(obj) -> str:
        return fen_to_yuan(obj.balance_fen)


class UnitBalanceOut(Schema):
    unit_id: int
    unit_name: str
    grants: int
    amount_fen: int
    spent_fen: int
    balance_fen: int


class EvidenceOut(Schema):
    id: int
    kind: EvidenceKind
    caption: str
    url: str


class GrantUseOut(Schema):
    id: int
    grant_id: int
    amount_fen: int
    amount_yuan: str
    purpose: UsePurpose
    used_on: date
    description: str

    @staticmethod
    def resolve_amount_yuan(obj) -> str:
        return fen_to_yuan(obj.amount_fen)


class GrantUseIn(Schema):
    amount: str = Field(..., max_length=20, description='金额，以元为单位，最多两位小数，如 "1200.50"')
    purpose: UsePurpose = Field(..., description="用途：rebuilding 改造提升、upgrade 软硬件升级、operation 日常运营")
    used_on: date
    description: str = Field(..., max_length=500, description="使用说明")


class DisburseIn(Schema):
    disbursed_on: date
    reference: str = Field("", max_length=100, description="拨付凭证号")


class ReportRequestIn(Schema):
    source: str = Field(..., max_length=60, description="资金来源，如 campaign:3")
    title: str = Field(..., max_length=200)
    due_on: date


class ReportPatchIn(Schema):
    """Any subset of the fields; a draft may leave them empty (submission requires all)."""

    targets: str | None = Field(None, max_length=2000, description="绩效目标")
    target_completion: str | None = Field(None, max_length=2000, description="目标完成情况")
    funds_use: str | None = Field(None, max_length=2000, description="资金使用情况")
    outputs: str | None = Field(None, max_length=2000, description="产出与效益")
    score: int | None = Field(None, ge=0, le=100, description="自评得分（0–100）")
    problems: str | None = Field(None, max_length=2000, description="存在的问题")
    rectification: str | None = Field(None, max_length=2000, description="整改措施")


class ReportOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    source: str
    title: str
    due_on: date
    overdue: bool
    state: ReportState
    targets: str
    target_completion: str
    funds_use: str
    outputs: str
    score: int | None
    problems: str
    rectification: str
    awarded_fen: int
    spent_fen: int
    submitted_on: date | None
