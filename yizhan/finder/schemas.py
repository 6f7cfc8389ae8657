"""API shapes of the public finder. Only public fields: never a manager's name or phone (spec §11)."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel, model_validator

from yizhan.core.geo.crs import CRS
from yizhan.finder.params import (
    DEFAULT_LIMIT,
    DEFAULT_RADIUS_M,
    MAX_LIMIT,
    MAX_QUERY_LENGTH,
    MAX_RADIUS_M,
    parse_crs,
    parse_nearby_params,
    parse_place_params,
)
from yizhan.positions.choices import Ability, EntryMethod, Facility, PositionKind, PositionState, ServedGroup

CRS_DESCRIPTION = "坐标系：wgs84（手机 GPS、天地图，默认）、gcj02（高德、腾讯）、bd09（百度）"


class PublicErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的参数")


class NearbyQuery(BaseModel):
    """The nearby query. A plain pydantic model, not a ninja Schema: Schema hands validators a
    wrapped object, and the parser must see the raw values."""

    lat: float = Field(..., ge=-90, le=90, description="纬度（crs 所指坐标系）")
    lng: float = Field(..., ge=-180, le=180, description="经度（crs 所指坐标系）")
    crs: CRS = Field(CRS.WGS84, description=CRS_DESCRIPTION)
    radius: float = Field(DEFAULT_RADIUS_M, gt=0, le=MAX_RADIUS_M, description="搜索半径（米，直线距离）")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="最多返回几个")
    facility: list[Facility] = Field([], description="须具备的设施（可重复，全部具备）")
    ability: list[Ability] = Field([], description="须具备的六能（可重复，全部具备）")
    kind: PositionKind | None = Field(None, description="阵地类型")
    group: ServedGroup | None = Field(None, description="服务对象")
    open_now: bool = Field(False, description="只要此刻开放的（按上海时间、每周时间和日期例外）")
    include_suspended: bool = Field(True, description="是否包括暂停服务的阵地（灰色显示，附原因）")

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data):
        # Raw query values are checked here, so a bad one answers a 400 naming the parameter in
        # Chinese (ApplicationError) instead of pydantic's 422; the fields above document them.
        # An API call's empty parameter is refused, not read as absent (params.py).
        return parse_nearby_params(data, strict=True) if isinstance(data, Mapping) else data


class DetailQuery(BaseModel):
    crs: CRS = Field(CRS.WGS84, description=CRS_DESCRIPTION)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data):
        return {"crs": parse_crs(data.get("crs"), strict=True)} if isinstance(data, Mapping) else data


class PublicPositionBase(Schema):
    id: int
    code: str = Field(..., description="阵地编号（公众页面 /p/<code>/ 和二维码海报用它）")
    name: str = Field(..., description="规范名称")
    short_name: str
    kind: PositionKind
    state: PositionState = Field(..., description="operating 运营中，或 suspended 暂停服务（灰色显示）")
    state_reason: str | None = Field(None, description="暂停服务的原因")
    expected_reopen_on: date | None = Field(None, description="暂停服务时的预计恢复日期")
    address: str
    lng: float = Field(..., description="经度（请求的 crs）")
    lat: float = Field(..., description="纬度（请求的 crs）")
    is_open: bool = Field(..., description="此刻是否开放（上海时间）")
    closes_at: datetime | None = Field(None, description="开放中：本时段结束时间（24 小时开放时为空）")
    opens_at: datetime | None = Field(None, description="未开放：一周内下次开放时间")
    hours_unknown: bool = Field(
        False, description="开放时间待核实：未登记每周开放时间、也非 24 小时开放，且今天无日期例外；不表示关闭"
    )
    always_open: bool
    facilities: list[str]
    abilities: list[str] = Field(..., description="六能")
    public_phone: str = Field(..., description="对外联系电话")
    entry_method: EntryMethod
    no_app_needed: bool
    stars: int | None = Field(None, description="星级 3–5（户外劳动者服务站点；未评星或非站点时为空）")
    stars_rated_on: date | None = Field(None, description="星级的评定日期（未评星时为空）")


class NearbyItemOut(PublicPositionBase):
    distance_m: int = Field(..., description="直线距离（米）")
    walk_minutes: int = Field(
        ..., description="步行分钟数（近似：直线距离 × 绕行系数，按步行速度，向上取整；非路网步行时间）"
    )
    reported_closed: list[Literal["closed", "locked"]] = Field(
        [],
        description=(
            "有职工反映、尚未核实处理的问题：closed 开放时间没开门，locked 门锁着进不去；这样的阵地排在其他阵地"
            "之后（或按配置不列出）"
        ),
    )


class NearbyOut(Schema):
    crs: CRS
    radius: float
    count: int
    results: list[NearbyItemOut]


class PlaceQuery(BaseModel):
    """The place search's query (issue 14 §5), parsed like the nearby query (400 in Chinese)."""

    q: str = Field(
        ...,
        max_length=MAX_QUERY_LENGTH,
        description="地点：区县、开发区等区域名称（如 西岗区），驿站名称或拼音首字母，地址或地标（如 二七广场）",
    )
    lat: float | None = Field(None, ge=-90, le=90, description="您的位置的纬度（可选，与 lng 同时给出）")
    lng: float | None = Field(None, ge=-180, le=180, description="您的位置的经度（可选，与 lat 同时给出）")
    crs: CRS = Field(CRS.WGS84, description=CRS_DESCRIPTION)
    radius: float = Field(
        DEFAULT_RADIUS_M, gt=0, le=MAX_RADIUS_M, description="地点不是区域时的搜索半径（米，直线距离）"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="最多返回几个")
    facility: list[Facility] = Field([], description="须具备的设施（可重复，全部具备）")
    ability: list[Ability] = Field([], description="须具备的六能（可重复，全部具备）")
    kind: PositionKind | None = Field(None, description="阵地类型")
    group: ServedGroup | None = Field(None, description="服务对象")
    open_now: bool = Field(False, description="只要此刻开放的（按上海时间、每周时间和日期例外）")
    include_suspended: bool = Field(True, description="是否包括暂停服务的阵地（灰色显示，附原因）")

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data):
        return parse_place_params(data, strict=True) if isinstance(data, Mapping) else data


class PlaceOut(Schema):
    label: str = Field(..., description="找到的地点名称")
    kind: Literal["region", "position", "geocoded", "address"] = Field(
        ...,
        description=(
            "region 区域（按区域边界搜索其中的阵地）；position 按名称找到的阵地；"
            "geocoded 地址查询服务找到的地址或地标；"
            "address 按本会阵地地址找到的地点（未配置或无法使用地址查询服务时）"
        ),
    )
    lng: float = Field(..., description="地点的经度（请求的 crs；区域为区域内的一点）")
    lat: float = Field(..., description="地点的纬度（请求的 crs）")
    adcode: str | None = Field(None, description="区域的区划代码（自定义区域以 X 开头）")
    address: str = Field("", description="地址查询服务或所匹配阵地给出的地址")


class PlaceSearchOut(Schema):
    q: str
    crs: CRS
    place: PlaceOut
    scope: Literal["area", "radius"] = Field(
        ...,
        description="area：区域内的阵地，离您的位置（未给出时离区域内一点）由近到远；radius：地点周围 radius 米内",
    )
    radius: float | None = Field(None, description="scope 为 radius 时的搜索半径（米）")
    notice: str | None = Field(None, description="地址查询服务未配置或无法使用时的说明（此时只在本会数据中查找）")
    count: int
    results: list[NearbyItemOut]


class PublicHoursExceptionOut(Schema):
    start: date
    end: date
    closed: bool
    intervals: list[list[str]]


class PublicPositionOut(PublicPositionBase):
    crs: CRS
    weekly_hours: dict[str, list[list[str]]]
    hours_source_text: str = Field("", description="开放时间待核实时，登记的开放时间原文")
    hours_exceptions: list[PublicHoursExceptionOut] = Field(..., description="今天及以后的开放时间例外")
    services: list[str]
    own_services: list[str]
    served_groups: list[str]
    verified_on: date | None = Field(None, description="最近现场核实日期")
    opened_on: date | None
