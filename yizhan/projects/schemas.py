"""Schemas of /api/v1/projects. Money leaves as integer fen and a yuan string; it comes in as a
yuan string (Decimal, never float)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from yizhan.grants.money import fen_to_yuan
from yizhan.projects.choices import ApplicationState, Category, HonourLevel, ProjectState


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的字段")


Text = Field("", max_length=2000)


class OrganisationIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**31 - 1)
    name: str = Field(..., max_length=200)
    registration_number: str = Field("", max_length=40)
    registered_on: date | None = None
    certificate_valid_from: date | None = None
    certificate_valid_to: date | None = None
    union_approved_on: date | None = None
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class OrganisationPatch(Schema):
    name: str | None = Field(None, max_length=200)
    registration_number: str | None = Field(None, max_length=40)
    registered_on: date | None = None
    certificate_valid_from: date | None = None
    certificate_valid_to: date | None = None
    union_approved_on: date | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)


class QualificationOut(Schema):
    on: date
    qualified: bool
    reasons: list[str]


class OrganisationOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    name: str
    registration_number: str
    registered_on: date | None
    certificate_valid_from: date | None
    certificate_valid_to: date | None
    union_approved_on: date | None
    has_signboard_photo: bool
    contact_name: str
    contact_phone: str

    @staticmethod
    def resolve_has_signboard_photo(obj) -> bool:
        return bool(obj.signboard_photo)


class ProjectIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**31 - 1)
    title: str = Field(..., max_length=200)
    category: Category
    needs: str = Text
    requirements: str = Text
    budget: Decimal = Field(Decimal(0), ge=0, le=10**10, decimal_places=2, description="预算（元）")
    apply_by: date | None = None


class ProjectPatch(Schema):
    title: str | None = Field(None, max_length=200)
    category: Category | None = None
    needs: str | None = Field(None, max_length=2000)
    requirements: str | None = Field(None, max_length=2000)
    budget: Decimal | None = Field(None, ge=0, le=10**10, decimal_places=2, description="预算（元）")
    apply_by: date | None = None


class ProjectOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    title: str
    category: Category
    needs: str
    requirements: str
    budget_fen: int
    budget_yuan: str
    apply_by: date | None
    state: ProjectState
    selected_application_id: int | None
    selection_reason: str
    agreement_signed_on: date | None
    agreement_starts_on: date | None
    agreement_ends_on: date | None
    agreement_amount_fen: int | None
    deliverables: str
    completed_on: date | None
    satisfaction_rate: Decimal | None
    survey_respondents: int | None
    evaluation_summary: str

    @staticmethod
    def resolve_budget_yuan(obj) -> str:
        return fen_to_yuan(obj.budget_fen)


class TransitionIn(Schema):
    to_state: ProjectState
    reason: str = Field("", max_length=255)


class SelectIn(Schema):
    application_id: int = Field(..., ge=1, le=2**31 - 1)
    reason: str = Field(..., max_length=255)


class AgreementIn(Schema):
    signed_on: date
    starts_on: date
    ends_on: date
    amount: Decimal = Field(..., gt=0, le=10**10, decimal_places=2, description="协议金额（元）")
    deliverables: str = Field(..., max_length=2000)


class ArchiveIn(Schema):
    completed_on: date
    satisfaction_rate: Decimal = Field(..., ge=0, le=100, decimal_places=2)
    respondents: int = Field(..., ge=1, le=10**6)
    summary: str = Text


class HistoryOut(Schema):
    from_state: str
    to_state: str
    reason: str
    actor_name: str
    created_at: str

    @staticmethod
    def resolve_created_at(obj) -> str:
        return obj.created_at.isoformat()


class ApplicationIn(Schema):
    organisation_id: int = Field(..., ge=1, le=2**31 - 1)
    proposal: str = Field(..., max_length=2000)
    amount: Decimal = Field(..., gt=0, le=10**10, decimal_places=2, description="申请金额（元）")


class ApplicationOut(Schema):
    id: int
    project_id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    proposal: str
    amount_fen: int
    state: ApplicationState
    checked_on: date | None
    qualification_reason: str


class CheckIn(Schema):
    on: date | None = Field(None, description="审查日期，默认今天")


class ReportIn(Schema):
    reported_on: date
    content: str = Field(..., max_length=2000)
    workers_served: int = Field(0, ge=0, le=10**7)


class ReportOut(Schema):
    id: int
    project_id: int
    organisation_id: int
    reported_on: date
    content: str
    workers_served: int


class ScoreSheetIn(Schema):
    nominated_on: date
    study: bool = False
    activity_materials: bool = False
    certificate: bool = False
    signboard: bool = False
    union_approval: bool = False
    union_work: bool = False
    union_activities: bool = False
    documents: int = Field(0, ge=0, le=1000)
    media_city: int = Field(0, ge=0, le=1000)
    media_provincial: int = Field(0, ge=0, le=1000)
    media_national: int = Field(0, ge=0, le=1000)
    exchanges_city: int = Field(0, ge=0, le=1000)
    exchanges_provincial: int = Field(0, ge=0, le=1000)
    exchanges_national: int = Field(0, ge=0, le=1000)
    adjustments: dict[str, int] = Field(default_factory=dict, description="评审人调整的分项得分（不超过上限）")


class ScoreSheetOut(Schema):
    project_id: int
    nominated_on: date
    points: dict[str, int]
    total: int
    confirmed_by: str


class SubsidyIn(Schema):
    level: HonourLevel
    paid_on: date


class SubsidyOut(Schema):
    id: int
    project_id: int
    level: HonourLevel
    amount_fen: int
    amount_yuan: str
    paid_on: date

    @staticmethod
    def resolve_amount_yuan(obj) -> str:
        return fen_to_yuan(obj.amount_fen)
