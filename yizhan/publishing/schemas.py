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
