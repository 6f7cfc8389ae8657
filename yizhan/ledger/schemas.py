"""API shapes of feedback (the public submission, the staff's reading of it with the phone masked)
and of the daily ledger."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import BaseModel, field_validator
from pydantic import Field as PydanticField

from yizhan.ledger.choices import ActivityKind, FeedbackSource, FeedbackStatus, ProblemKind, ProblemStatus
from yizhan.ledger.models import DailyLedger, Feedback, ProblemReport

# A record's number as a query parameter: SQLite cannot bind an integer over 2**63 - 1, so a larger
# one is refused as input (422) rather than failing on the server.
RecordId = Annotated[int, PydanticField(ge=1, le=2**63 - 1)]


class FeedbackIn(BaseModel):
    """公众提交的意见：评分和意见内容至少一项，联系电话选填。"""

    # Types only: the values' rules (range, length, phone format) are the service's, answered
    # with 400 and the field; a wrong type answers 422.

    position_id: int = Field(..., description="服务阵地编号（公众接口 /public/nearby 返回的 id）", examples=[1024])
    rating: int | None = Field(
        None, description="评分 1–5（5 为最满意）。可不填，但评分和意见内容至少要有一项", examples=[5]
    )
    text: str | None = Field(
        "", description="意见内容，最多 500 字（去掉首尾空白和控制字符后计算）", examples=["饮水机没有热水了"]
    )
    phone: str | None = Field(
        "", description="联系电话（选填，仅用于回复）：手机 11 位或座机如 0411-82345678", examples=["13800000000"]
    )

    @field_validator("position_id", "rating", mode="before")
    @classmethod
    def _no_booleans(cls, value):
        # JSON true/false would otherwise pass as 1/0.
        if isinstance(value, bool):
            raise ValueError("boolean")
        return value


class FeedbackCreatedOut(Schema):
    id: int = Field(..., description="意见编号")
    created_at: datetime = Field(..., description="提交时间")


class PublicErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的字段")


class LimitedOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    retry_after: int = Field(..., description="多少秒后可以再提交（同 Retry-After 响应头）")


class FeedbackOut(Schema):
    """Feedback as staff lists read it: the phone masked (138****0000), never the client key."""

    id: int
    position_id: int
    position_name: str
    rating: int | None
    text: str
    phone: str = Field(..., description="联系电话（隐去中间几位；完整号码见 POST /feedback/{id}/phone）")
    source: FeedbackSource
    status: FeedbackStatus
    hidden: bool = Field(..., description="内容因不当言论已隐藏（text 为提示语，原文保留在审计日志中）")
    created_at: datetime

    @staticmethod
    def resolve_position_name(obj: Feedback) -> str:
        return obj.position.official_name

    @staticmethod
    def resolve_phone(obj: Feedback) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_text(obj: Feedback) -> str:
        return str(obj.shown_text)


class PhoneOut(Schema):
    phone: str = Field(..., description="完整联系电话；每次查看记入审计日志")


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的字段（to_state：不允许的处理；reason：缺少处理说明）")


class FeedbackTransitionIn(Schema):
    """一次处理：未读 → 已读（标记已读）；未读/已读 → 已处理（须填写处理说明，如回复内容或处理情况）；
    已处理 → 已读（重新打开，须说明原因）。"""

    to_state: FeedbackStatus = Field(..., description="处理后的状态：read 已读、resolved 已处理")
    reason: str = Field("", max_length=255, description="处理说明或重新打开的原因；变为已处理、重新打开时必填")


class FeedbackStatusChangeOut(Schema):
    from_state: str = Field(..., description="原状态（new、read、resolved）")
    to_state: str = Field(..., description="新状态")
    reason: str = Field(..., description="处理说明或原因")
    actor_name: str = Field(..., description="处理人")
    created_at: datetime


# --- the daily ledger ---------------------------------------------------------------------------


class LedgerDayIn(Schema):
    """一天的台账：各项人次（字段名见 GET /ledger/figures；未给出的为 0），特色服务人次，
    以及更正时所依据的版本。"""

    figures: dict[str, int | str | None] = Field(
        default_factory=dict,
        description="各项人次：visits_<服务对象>、ability_<六能>、service_<六服务>，不小于 0 的整数",
        examples=[{"visits_delivery": 12, "visits_sanitation": 8, "ability_drink": 15, "ability_rest": 20}],
    )
    own_items: dict[str, int | str | None] = Field(
        default_factory=dict, description="该阵地登记的特色服务及人次", examples=[{"理发": 3}]
    )
    version: int | None = Field(
        None, description="更正已录入的一天时：读取时的版本号（version）；首次录入不填。版本不符返回 409"
    )
    reason: str = Field("", description="更正说明（选填，最多 255 字）")


class LedgerDayOut(Schema):
    id: int
    position_id: int
    position_code: str
    day: date
    figures: dict[str, int] = Field(..., description="各项人次")
    own_items: dict[str, int] = Field(..., description="特色服务人次")
    visits_total: int = Field(..., description="服务人次合计（各服务对象之和）")
    services_total: int = Field(..., description="服务项目人次合计（六能、六服务与特色服务之和）")
    version: int = Field(..., description="版本号：首次录入为 1，每次更正加 1")
    entered_by_name: str = Field(..., description="最后录入或更正的账号")
    updated_at: datetime

    @staticmethod
    def resolve_position_code(obj: DailyLedger) -> str:
        return obj.position.code

    @staticmethod
    def resolve_figures(obj: DailyLedger) -> dict[str, int]:
        return obj.figures()


class LedgerSavedOut(LedgerDayOut):
    outcome: str = Field(..., description="created 已录入、corrected 已更正、unchanged 数字未变")


class LedgerRevisionOut(Schema):
    version: int = Field(..., description="被更正的版本")
    figures: dict[str, int] = Field(..., description="更正前的各项人次")
    own_items: dict[str, int]
    reason: str
    actor_name: str = Field(..., description="更正人")
    created_at: datetime


class LedgerFigureOut(Schema):
    name: str = Field(..., description="字段名")
    label: str = Field(..., description="中文名称")
    group: str = Field(..., description="visits 服务对象、ability 六能、service 六服务")


class LedgerConflictOut(Schema):
    detail: str = Field(..., description="中文说明：谁在何时已录入该日")
    version: int = Field(..., description="现存的版本号")
    id: int = Field(..., description="现存台账的编号")


class ProblemOut(Schema):
    field: str | None
    message: str


class LedgerErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明（第一处）")
    field: str | None = Field(None, description="出错的字段")
    problems: list[ProblemOut] = Field(default_factory=list, description="所有出错之处")


class LedgerTotalsOut(Schema):
    days: int = Field(..., description="台账天数（阵地 × 日）")
    visits_total: int
    services_total: int
    figures: dict[str, int] = Field(..., description="各项人次合计")


class LedgerImportErrorOut(Schema):
    row: int
    column: str | None
    message: str


class LedgerImportOut(Schema):
    created: int
    corrected: int
    unchanged: int
    errors: list[LedgerImportErrorOut]


# --- problem reports ----------------------------------------------------------------------------


class ProblemReportIn(BaseModel):
    """公众反映阵地的问题：一项问题，补充说明选填。"""

    position_id: int = Field(..., description="服务阵地编号（公众接口 /public/nearby 返回的 id）", examples=[1024])
    kind: str = Field(
        ...,
        description="问题：closed 开放时间没开门、locked 门锁着进不去、no_water 没有饮用水、broken 设备坏了、"
        "wrong_location 位置不对",
        examples=["locked"],
    )
    text: str | None = Field("", description="补充说明，最多 200 字（选填）", examples=["早上 6 点门还锁着"])

    @field_validator("position_id", mode="before")
    @classmethod
    def _no_booleans(cls, value):
        if isinstance(value, bool):
            raise ValueError("boolean")
        return value


class ProblemReportCreatedOut(Schema):
    id: int = Field(..., description="反映编号")
    created_at: datetime
    due_on: date = Field(..., description="工作人员核实期限")


class ProblemNoticeOut(Schema):
    kind: str = Field(..., description="问题")
    label: str = Field(..., description="问题的中文说法")
    day: date = Field(..., description="最近一次反映的日期")


class ProblemReportOut(Schema):
    """A problem report as staff read it (the sender's address key never)."""

    id: int
    position_id: int
    position_name: str
    kind: ProblemKind
    text: str
    status: ProblemStatus
    due_on: date
    settled_on: date | None
    settled_on_site: bool
    created_at: datetime
    photo_url: str | None = Field(None, description="反映人附的照片（已去除 EXIF），没有时为 null")

    @staticmethod
    def resolve_position_name(obj: ProblemReport) -> str:
        return obj.position.official_name

    @staticmethod
    def resolve_photo_url(obj: ProblemReport) -> str | None:
        return obj.photo.url if obj.photo else None


class ProblemTransitionIn(Schema):
    """一次处理：待核实 → 已解决 / 经核实无此问题（须填写处理说明）；已处理 → 待核实（重新打开，须说明原因）。
    on_site 为现场核实：同时把阵地的“最近现场核实日期”记为今天。"""

    to_state: ProblemStatus = Field(..., description="处理后的状态：resolved、unfounded、open")
    reason: str = Field("", max_length=255, description="处理说明或重新打开的原因（必填）")
    on_site: bool = Field(False, description="是否现场核实（是则更新阵地的最近现场核实日期）")


class ProblemStateChangeOut(Schema):
    from_state: str
    to_state: str
    reason: str
    on_site: bool
    actor_name: str
    created_at: datetime


class QueueEntryOut(Schema):
    position_id: int
    position_code: str
    position_name: str
    verified_on: date | None = Field(..., description="最近现场核实日期")
    stale: bool = Field(..., description="超过 YIZHAN_VERIFIED_STALE_DAYS 天（默认 180）未现场核实，或从未核实")
    due_on: date | None = Field(..., description="未处理的问题反映中最早的核实期限")
    overdue: bool
    reports: list[int] = Field(..., description="未处理的问题反映编号")


class FeedbackRecordIn(Schema):
    """员工录入的意见（意见箱、登记簿、问卷）：评分和意见内容至少一项。"""

    position_id: int = Field(..., description="服务阵地编号（id）")
    source: str = Field(..., description="来源：box 意见箱、register 意见登记簿、questionnaire 问卷")
    rating: int | None = Field(None, description="评分 1–5，可不填")
    text: str = Field("", description="意见内容，最多 500 字")
    phone: str = Field("", description="联系电话（选填，仅用于回复）")


class FeedbackModerateIn(Schema):
    hidden: bool = Field(..., description="true 隐藏不当内容，false 恢复显示")
    reason: str = Field("", max_length=255, description="隐藏原因（隐藏时必填）")


class SatisfactionOut(Schema):
    responses: int = Field(..., description="评分条数")
    satisfied: int = Field(..., description="4–5 分的条数")
    minimum: int = Field(..., description="给出满意率所需的最少评分条数（YIZHAN_SATISFACTION_MIN_RESPONSES）")
    enough: bool = Field(..., description="评分条数是否足够")
    rate: float | None = Field(..., description="满意率（4–5 分所占比例，0–1）；评分不足时为 null")


# --- activities ---------------------------------------------------------------------------------


class ActivityIn(Schema):
    """一项活动：举办单位（及举办的服务阵地）、名称、类型、日期、参与人次、简介。"""

    unit_id: int = Field(..., description="举办单位编号（id）；在阵地举办时为阵地所属单位")
    position_id: int | None = Field(None, description="举办活动的服务阵地编号（id），选填")
    title: str = Field(..., description="活动名称，最多 100 字")
    kind: ActivityKind = Field(..., description="活动类型")
    held_on: date = Field(..., description="举办日期，不能晚于今天")
    participants: int = Field(0, description="参与人次，不小于 0")
    description: str = Field("", description="活动简介，最多 500 字")


class ActivityPatchIn(Schema):
    position_id: int | None = None
    title: str | None = None
    kind: ActivityKind | None = None
    held_on: date | None = None
    participants: int | None = None
    description: str | None = None


class ActivityPhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int
    caption: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.image.url


class ActivityOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    position_id: int | None
    title: str
    kind: ActivityKind
    held_on: date
    participants: int
    description: str

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


class UsageClassOut(Schema):
    label: str = Field(..., description="图例文字，如“13–40”或“无服务人次”")
    low: int = Field(..., description="该类服务人次下限（含）")
    high: int = Field(..., description="该类服务人次上限（含）")
    colour: str = Field(..., description="颜色（#rrggbb）")
    count: int = Field(..., description="该类阵地数")


class UsagePointOut(Schema):
    id: int
    code: str
    name: str
    x: float = Field(..., description="经度（crs 所指坐标系）")
    y: float = Field(..., description="纬度（crs 所指坐标系）")
    visits: int = Field(..., description="期间内服务人次")
    cls: int = Field(..., description="所属类别（classes 中的序号）")
    url: str = Field(..., description="构成该数字的台账列表")


class UsageMapOut(Schema):
    """单位（含下级单位）各阵地期间内的服务人次，按分位数分类着色，供看板地图使用。"""

    crs: str = Field(..., description="坐标系（与地图底图一致：gcj02 或 wgs84）")
    date_from: date
    date_to: date
    classes: list[UsageClassOut]
    points: list[UsagePointOut] = Field(..., description="阵地（最多 5000 个，服务人次多的在前）")
    truncated: bool = Field(..., description="是否有阵地因数量上限未列出")


class StatOut(Schema):
    label: str = Field(..., description="项目")
    value: int | float | None = Field(..., description="数值（评分不足时满意率为 null）")
    url: str = Field(..., description="构成该数字的记录列表（员工页面）")
    note: str = Field("", description="说明")


class DashboardOut(Schema):
    """单位（含下级单位）看板的全部数字，与页面、Excel 和 PDF 报告相同。"""

    unit_id: int
    unit_name: str
    date_from: date
    date_to: date
    trend_by: str = Field(..., description="趋势的粒度：day、week 或 month")
    by_state: list[StatOut] = Field(..., description="阵地状态")
    by_kind: list[StatOut] = Field(..., description="阵地类型")
    by_construction: list[StatOut] = Field(..., description="建设类型")
    by_star: list[StatOut] = Field(..., description="星级")
    ledger: list[StatOut] = Field(..., description="台账合计")
    trend: list[StatOut] = Field(..., description="服务人次趋势")
    top: list[StatOut] = Field(..., description="服务人次最多的阵地")
    work: list[StatOut] = Field(..., description="待办与成效")
