"""Schemas of /api/v1/targets. Values leave as decimal strings (exact: a count, or a percentage for
a share metric) and come in as strings or numbers parsed with Decimal, never float."""

from datetime import date

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的字段")


class MetricOut(Schema):
    code: str
    label: str
    share: bool = Field(..., description="比例类指标（目标值为百分数，不超过 100）")
    reported: bool = Field(..., description="由单位填报（系统无法统计）")


class ForecastOut(Schema):
    window_start: date = Field(..., description="推算起点")
    start_value: str
    rate_per_day: str = Field(..., description="每天的建设速度（保留 4 位小数）")
    at_due: str = Field(..., description="预计到期值")
    reached_on: date | None = Field(None, description="按此速度完成目标的日期")


class ProgressOut(Schema):
    as_of: date
    achieved: str | None
    ratio: str | None = Field(None, description="已完成 ÷ 目标，精确分数 a/b")
    percent: str | None = Field(None, description="完成率（%），保留 1 位小数")
    status: str = Field(..., description="met 已完成、on_track 进度正常、behind 进度滞后、unknown 无法预测")
    past_due: bool
    forecast: ForecastOut | None = Field(None, description="无历史数据时为空")


class TargetOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    metric: str
    metric_label: str
    value: str
    start_on: date | None
    due_on: date
    basis: str
    set_by: str
    progress: ProgressOut | None


class TargetIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**31 - 1)
    metric: str = Field(..., max_length=40)
    value: str = Field(..., max_length=20, description="目标值：计数为整数，比例为百分数（≤ 100）")
    due_on: date
    start_on: date | None = None
    basis: str = Field("", max_length=200)


class TargetBulkIn(Schema):
    unit_ids: list[int] = Field(..., max_length=500, description="同一目标设定给这些单位（全部成功或全部不设）")
    metric: str = Field(..., max_length=40)
    value: str = Field(..., max_length=20)
    due_on: date
    start_on: date | None = None
    basis: str = Field("", max_length=200)


class TargetUpdateIn(Schema):
    value: str = Field(..., max_length=20)
    due_on: date
    start_on: date | None = None
    basis: str = Field("", max_length=200)


class FigureIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**31 - 1)
    metric: str = Field(..., max_length=40)
    value: str = Field(..., max_length=20)
    as_of: date
    source: str = Field(..., max_length=200)


class FigureOut(Schema):
    id: int
    unit_id: int
    metric: str
    value: str
    as_of: date
    source: str
    recorded_by: str
