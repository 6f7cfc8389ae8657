"""Schemas of /api/v1/centres. Rates leave as exact per cent strings cut to two places and as
their counts; money leaves as integer fen and comes in as a yuan string (Decimal, never float)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from yizhan.centres.choices import ApplicationState, Method
from yizhan.centres.grading import percent


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的字段")


class RoundIn(Schema):
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1, description="组织单位（总工会）；默认为当前单位")
    year: int = Field(..., ge=2000, le=2100)
    deadline: date
    title: str = Field("", max_length=200)
    review_ends_on: date | None = None


class RoundOut(Schema):
    id: int
    unit_id: int
    year: int
    title: str
    deadline: date
    review_ends_on: date | None


class ApplicationIn(Schema):
    round_id: int = Field(..., ge=1, le=2**31 - 1)
    centre_id: int = Field(..., ge=1, le=2**31 - 1)
    large_state_owned: bool = False  # an enterprise centre of a large state-owned enterprise (≥ 200 m²)


class ItemOut(Schema):
    key: str
    part: str
    group: str
    text: str
    required: bool
    check_type: str
    minimum: Decimal | None
    unit_label: str
    self_met: bool | None
    self_number: Decimal | None
    self_note: str
    review_met: bool | None
    review_number: Decimal | None
    review_methods: list[str]
    review_note: str


class ApplicationOut(Schema):
    id: int
    round_id: int
    centre_id: int
    centre_name: str = Field(..., alias="centre.official_name")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    centre_level: str
    large_state_owned: bool
    state: ApplicationState
    filed_on: date | None
    grade: str
    graded_on: date | None
    reward: str
    reward_fen: int | None


class ApplicationDetailOut(ApplicationOut):
    self_report: str
    review_summary: str
    questionnaire_responses: int | None
    questionnaire_satisfied: int | None
    ledger_responses: int | None
    ledger_satisfied: int | None
    explanation: list[str]
    rates: dict[str, str]
    self_rates: dict[str, str]
    items: list[ItemOut]

    @staticmethod
    def resolve_rates(obj) -> dict[str, str]:
        return {k: percent(v, 2) for k, v in obj.rates().items()}

    @staticmethod
    def resolve_self_rates(obj) -> dict[str, str]:
        return {k: percent(v, 2) for k, v in obj.rates(review=False).items()}

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class AnswerIn(Schema):
    met: bool | None = None
    number: Decimal | None = Field(None, ge=0, lt=10**10)
    note: str = Field("", max_length=300)


class SelfCheckIn(Schema):
    answers: dict[str, AnswerIn] = Field(default_factory=dict)
    self_report: str | None = Field(None, max_length=4000)


class ReviewAnswerIn(AnswerIn):
    methods: list[Method] = Field(default_factory=list, max_length=3)
    note: str = Field("", max_length=500)


class ReviewIn(Schema):
    answers: dict[str, ReviewAnswerIn] = Field(default_factory=dict)
    questionnaire_responses: int | None = Field(None, ge=0, le=10**7)
    questionnaire_satisfied: int | None = Field(None, ge=0, le=10**7)
    use_ledger: bool = Field(False, description="计入本年度台账中的职工评价（4–5 分为满意）")
    summary: str | None = Field(None, max_length=4000)


class TransitionIn(Schema):
    to_state: str = Field(..., max_length=20)
    reason: str = Field("", max_length=255)


class RewardIn(Schema):
    reward: str = Field(..., max_length=200)
    amount: Decimal | None = Field(None, gt=0, le=10**10, decimal_places=2)


class ResultOut(Schema):
    unit: str
    centre: str
    level: str
    hardware: str
    mechanism: str
    satisfaction: str
    grade: str
    grade_label: str
    reward: str
    graded_on: date | None
