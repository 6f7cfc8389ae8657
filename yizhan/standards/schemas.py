"""Shapes of /api/v1/standards."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class StandardOut(Schema):
    id: int
    unit: str = Field(..., description="所属单位代码")
    code: str
    name: str
    source: str
    description: str
    current_version: int | None = Field(None, description="现行版本号")
    draft_version: int | None = Field(None, description="草稿的版本号")


class ItemOut(Schema):
    id: int
    order: int
    key: str
    group: str
    text: str
    kinds: list[str]
    centre_levels: list[str]
    check_type: str
    minimum: Decimal | None
    unit_label: str
    choices: list[str]
    passing_choices: list[str]
    required: bool
    points: Decimal


class VersionOut(Schema):
    id: int
    standard: int
    number: int
    state: str
    note: str
    published_at: datetime | None
    items: list[ItemOut]


class StandardDetailOut(StandardOut):
    versions: list[VersionOut]


class DraftIn(Schema):
    note: str = Field("", max_length=300)


class RatingPolicyIn(Schema):
    data: dict = Field(
        ...,
        description="评星规则（RatingPolicy.to_data 的格式：各项分值、星级门槛、摘牌周期数；未给出的键取现行默认值）",
    )
    note: str = Field("", max_length=300)


class RatingPolicyVersionOut(Schema):
    id: int
    unit: str = Field(..., description="所属单位代码")
    number: int
    state: str
    note: str
    published_at: datetime | None
    data: dict


class RatingPolicyOut(Schema):
    in_force: dict = Field(..., description="当前单位所执行的规则（本级或上级已发布的版本，否则为默认规则）")
    in_force_version: int | None = Field(None, description="所执行版本的编号（默认规则时为空）")
    versions: list[RatingPolicyVersionOut]


class ItemIn(Schema):
    key: str = Field(..., max_length=60)
    text: str = Field(..., max_length=300)
    order: int | None = None
    group: str = Field("", max_length=50)
    kinds: list[str] = []
    centre_levels: list[str] = []
    check_type: str = "yes_no"
    minimum: Decimal | None = None
    unit_label: str = Field("", max_length=20)
    choices: list[str] = []
    passing_choices: list[str] = []
    required: bool = True
    points: Decimal = Decimal(0)


class ItemPatch(Schema):
    key: str | None = Field(None, max_length=60)
    text: str | None = Field(None, max_length=300)
    order: int | None = None
    group: str | None = Field(None, max_length=50)
    kinds: list[str] | None = None
    centre_levels: list[str] | None = None
    check_type: str | None = None
    minimum: Decimal | None = None
    unit_label: str | None = Field(None, max_length=20)
    choices: list[str] | None = None
    passing_choices: list[str] | None = None
    required: bool | None = None
    points: Decimal | None = None


class AssessmentIn(Schema):
    position: int = Field(..., description="服务阵地编号（id）")
    version: int = Field(..., description="标准版本编号（id），须为现行版本")
    assessed_on: date
    answers: dict[str, bool | Decimal | str] = Field(..., description="条目代码 → 是/否、数值或选项")
    notes: dict[str, str] = Field(default_factory=dict, description="条目代码 → 说明（佐证）")
    note: str = Field("", max_length=2000)
    correct_record: bool = Field(False, description="以评估所见更正服务阵地档案（设施、中心面积）")


class AnswerOut(Schema):
    item: str = Field(..., description="条目代码")
    text: str
    required: bool
    met: bool
    yes: bool | None
    number: Decimal | None
    choice: str
    note: str
    photos: list[str] = Field(default_factory=list, description="佐证照片的地址（已去除 EXIF 的 JPEG）")


class AssessmentOut(Schema):
    id: int
    position: int
    position_name: str
    standard: str = Field(..., description="标准代码")
    version: int = Field(..., description="标准版本编号（id）")
    version_number: int
    assessed_on: date
    applicable: int
    met: int
    compliance: Decimal = Field(..., description="达标率（0–1）：必备条目达标数 ÷ 适用的必备条目数")
    note: str


class AssessmentDetailOut(AssessmentOut):
    answers: list[AnswerOut]


class RateIn(Schema):
    period: int = Field(..., ge=2000, le=2100, description="评定周期（默认按年，如 2026）")
    date_from: date = Field(..., description="服务量与满意率的统计起始日")
    date_to: date = Field(..., description="统计截止日（不晚于今天）")
    periodic: bool = Field(True, description="周期评定（是）或检查（否：只降不升）")


class RatingOut(Schema):
    id: int
    position: int
    period: int
    assessment: int
    policy_version: int | None = Field(None, description="评星规则版本号（空：默认规则）")
    date_from: date
    date_to: date
    total: Decimal
    stars: int | None
    stars_before: int | None
    stars_after: int | None
    rectification_required: bool
    periodic: bool
    lines: list[str] = Field(..., description="计算过程，逐行")
    verdict: str
    created_at: datetime


class FormItemOut(Schema):
    key: str
    group: str
    text: str
    check_type: str
    minimum: Decimal | None
    unit_label: str
    choices: list[str]
    required: bool
    points: Decimal
    known: bool | Decimal | None = Field(None, description="服务阵地档案中已有的值（预填，由评估人确认或更正）")


class AssessmentFormOut(Schema):
    position: int
    position_name: str
    standard: str
    version: int
    version_number: int
    items: list[FormItemOut]


class NotFoundOut(Schema):
    detail: str = Field(..., description="中文错误说明：服务阵地不存在或不在您的管辖范围内")


class ReviewIn(Schema):
    period: int = Field(..., ge=1900, le=9999, description="评定周期（默认按年编号）")
    confirm: bool = Field(False, description="为 true 时按所列名单摘牌；否则只列出")


class DelistingOut(Schema):
    position: int
    code: str
    name: str
    reason: str


class ReviewOut(Schema):
    period: int
    confirmed: bool
    delistings: list[DelistingOut]
