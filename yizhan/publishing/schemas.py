"""Schemas of the partners' staff API (issue 20 §3)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class PartnerIn(Schema):
    unit: str = Field(..., description="可访问范围：单位代码（该单位及其下级单位的公开阵地）")
    name: str = Field(..., max_length=100)
    contact_name: str = Field(..., max_length=50)
    contact_phone: str = Field(..., max_length=30)
    contact_email: str = Field("", max_length=254)
    rate_per_minute: int = Field(120, ge=1, le=6000, description="每个密钥每分钟请求上限")


class PartnerPatch(Schema):
    unit: str | None = None
    name: str | None = Field(None, max_length=100)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)
    contact_email: str | None = Field(None, max_length=254)
    rate_per_minute: int | None = Field(None, ge=1, le=6000)
    active: bool | None = None


class KeyOut(Schema):
    id: int
    prefix: str
    label: str
    issued_by: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_by: str


class UsageOut(Schema):
    day: date
    key: str
    requests: int
    refused: int
    last_at: datetime


class PartnerOut(Schema):
    id: int
    unit: str = Field(..., description="可访问范围的单位代码")
    unit_name: str
    name: str
    contact_name: str = Field(..., description="联系人（按个人信息规则打码）")
    contact_phone: str
    contact_email: str
    rate_per_minute: int
    active: bool
    created_at: datetime


class PartnerDetailOut(PartnerOut):
    keys: list[KeyOut]
    usage: list[UsageOut] = Field(..., description="近 30 天每个密钥每天的请求数")


class KeyIssueIn(Schema):
    label: str = Field("", max_length=60)


class KeyIssuedOut(Schema):
    id: int
    prefix: str
    key: str = Field(..., description="完整密钥，仅此一次显示；平台只保存其摘要")


class WebhookIn(Schema):
    url: str = Field("", max_length=500, description="推送地址（http/https，公网地址）；空字符串：停止推送")


class WebhookOut(Schema):
    url: str
    secret: str = Field(..., description="签名密钥（HMAC-SHA256），仅此一次显示")


class ErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")
    field: str | None = Field(None, description="出错的参数")


# The answers of every /api/v1/hsds operation besides its 200 (a JSON object as HSDS's OpenAPI
# document shapes it; publishing/data/hsds/openapi.json).
HSDS_ANSWERS = {
    304: None,
    400: ErrorOut,
    401: ErrorOut,
    429: ErrorOut,
}


class HsdsListQuery(Schema):
    """The list parameters of HSDS's OpenAPI document, documented as text: the view reads and
    checks them itself, so that a bad value answers 400 with the parameter named."""

    search: str | None = Field(None, description="全文检索（编号、名称、简称、地址）")
    page: str | None = Field(None, description="页码，从 1 开始")
    per_page: str | None = Field(None, description="每页条数，1–1000，默认 50")
    modified_after: str | None = Field(None, description="只列出此时刻（ISO 8601 日期或时间）及以后发布的")


class HsdsServicesQuery(HsdsListQuery):
    minimal: str | None = Field(
        None, description="true：只含 id、name、status、last_modified，不分页时一次流式返回全部"
    )
    organization_id: str | None = Field(None, description="只列出该机构（单位）的服务")


class HsdsFeedQuery(Schema):
    since: str | None = Field(None, description="上次返回的 cursor；不给则从头开始")
    limit: str | None = Field(None, description="本次最多返回的变更条数，1–1000，默认 1000")
