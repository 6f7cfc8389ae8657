"""/api/v1/partners: partners and their keys for the federation admin (issue 20 §3), signed in.
Thin: each endpoint calls one service or selector; errors come from the API's one mapping."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from yizhan.core.errors import NotFoundError
from yizhan.core.personal_data import shown
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require, require_in_scope
from yizhan.orgs.models import Unit
from yizhan.publishing import selectors, services, webhooks
from yizhan.publishing.models import Partner
from yizhan.publishing.schemas import (
    ErrorOut,
    KeyIssuedOut,
    KeyIssueIn,
    KeyOut,
    PartnerDetailOut,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    WebhookIn,
    WebhookOut,
)

router = Router(tags=["partners"])


def unit_by_code(actor: Actor, code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    require_in_scope(actor, unit)
    return unit


def partner_out(actor: Actor, partner: Partner) -> dict:
    return {
        "id": partner.pk,
        "unit": partner.unit.code,
        "unit_name": partner.unit.name,
        "name": partner.name,
        "contact_name": shown(actor, partner, "contact_name"),
        "contact_phone": shown(actor, partner, "contact_phone"),
        "contact_email": shown(actor, partner, "contact_email"),
        "rate_per_minute": partner.rate_per_minute,
        "active": partner.active,
        "created_at": partner.created_at,
    }


def partner_detail_out(actor: Actor, partner: Partner) -> dict:
    return {
        **partner_out(actor, partner),
        "keys": list(selectors.api_key_list(actor=actor, partner=partner)),
        "usage": selectors.partner_usage(actor=actor, partner=partner),
    }


@router.get("", response=list[PartnerOut], summary="合作方列表")
def partner_list(request: HttpRequest):
    return [partner_out(request.actor, p) for p in selectors.partner_list(actor=request.actor)]


@router.post("", response={201: PartnerDetailOut, 404: ErrorOut}, summary="登记合作方")
def partner_create(request: HttpRequest, payload: PartnerIn):
    require(request.actor, Action.CREATE, Partner)
    data = payload.dict()
    unit = unit_by_code(request.actor, data.pop("unit"))
    partner = services.partner_create(actor=request.actor, unit=unit, **data)
    return Status(201, partner_detail_out(request.actor, partner))


@router.get("/{int:partner_id}", response=PartnerDetailOut, summary="合作方详情（密钥与用量）")
def partner_detail(request: HttpRequest, partner_id: int):
    return partner_detail_out(request.actor, selectors.partner_get(actor=request.actor, pk=partner_id))


@router.patch("/{int:partner_id}", response=PartnerDetailOut, summary="修改合作方")
def partner_update(request: HttpRequest, partner_id: int, payload: PartnerPatch):
    partner = selectors.partner_get(actor=request.actor, pk=partner_id, action=Action.UPDATE)
    changes = payload.dict(exclude_unset=True)
    if "unit" in changes:
        changes["unit"] = unit_by_code(request.actor, changes["unit"])
    partner = services.partner_update(actor=request.actor, partner=partner, **changes)
    return partner_detail_out(request.actor, partner)


@router.post("/{int:partner_id}/keys", response={201: KeyIssuedOut}, summary="签发接口密钥（仅显示一次）")
def key_issue(request: HttpRequest, partner_id: int, payload: KeyIssueIn):
    partner = selectors.partner_get(actor=request.actor, pk=partner_id, action=Action.UPDATE)
    issued = services.api_key_issue(actor=request.actor, partner=partner, label=payload.label)
    return Status(201, {"id": issued.key.pk, "prefix": issued.key.prefix, "key": issued.secret})


@router.post("/{int:partner_id}/keys/{int:key_id}/revoke", response=KeyOut, summary="吊销接口密钥")
def key_revoke(request: HttpRequest, partner_id: int, key_id: int):
    partner = selectors.partner_get(actor=request.actor, pk=partner_id)
    key = selectors.api_key_get(actor=request.actor, partner=partner, pk=key_id, action=Action.UPDATE)
    return services.api_key_revoke(actor=request.actor, key=key)


@router.post("/{int:partner_id}/webhook", response=WebhookOut, summary="设置推送地址（返回签名密钥，仅显示一次）")
def webhook_set(request: HttpRequest, partner_id: int, payload: WebhookIn):
    partner = selectors.partner_get(actor=request.actor, pk=partner_id, action=Action.UPDATE)
    secret = webhooks.partner_webhook_set(actor=request.actor, partner=partner, url=payload.url)
    return {"url": payload.url.strip(), "secret": secret}
