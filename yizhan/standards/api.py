"""/api/v1/standards: a federation's standards and their versions (issue 16 §1), signed in.
Thin: each endpoint calls one service or selector; errors come from the API's one mapping."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require
from yizhan.standards import selectors, services
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Standard, StandardVersion
from yizhan.standards.ratings import rating_policy_for
from yizhan.standards.schemas import (
    DraftIn,
    ItemIn,
    ItemOut,
    ItemPatch,
    RatingPolicyIn,
    RatingPolicyOut,
    RatingPolicyVersionOut,
    StandardDetailOut,
    StandardOut,
    VersionOut,
)

router = Router(tags=["standards"])


def standard_out(standard: Standard) -> dict:
    numbers = {state: number for number, state in standard.versions.values_list("number", "state")}
    return {
        "id": standard.pk,
        "unit": standard.unit.code,
        "code": standard.code,
        "name": standard.name,
        "source": standard.source,
        "description": standard.description,
        "current_version": numbers.get(VersionState.PUBLISHED),
        "draft_version": numbers.get(VersionState.DRAFT),
    }


def version_out(actor: Actor, version: StandardVersion) -> dict:
    return {
        "id": version.pk,
        "standard": version.standard_id,
        "number": version.number,
        "state": version.state,
        "note": version.note,
        "published_at": version.published_at,
        "items": list(selectors.standard_items(actor=actor, version=version)),
    }


@router.get("", response=list[StandardOut], summary="建设标准列表")
def standard_list(request: HttpRequest):
    return [standard_out(s) for s in selectors.standard_list(actor=request.actor)]


@router.get("/{int:standard_id}", response=StandardDetailOut, summary="建设标准及其各版本")
def standard_detail(request: HttpRequest, standard_id: int):
    standard = selectors.standard_get(actor=request.actor, pk=standard_id)
    versions = selectors.standard_versions(actor=request.actor, standard=standard)
    return {**standard_out(standard), "versions": [version_out(request.actor, v) for v in versions]}


@router.post("/{int:standard_id}/drafts", response={201: VersionOut}, summary="建立下一版本的草稿（复制现行版本）")
def draft_create(request: HttpRequest, standard_id: int, payload: DraftIn):
    standard = selectors.standard_get(actor=request.actor, pk=standard_id, action=Action.CREATE)
    version = services.standard_draft_create(actor=request.actor, standard=standard, note=payload.note)
    return Status(201, version_out(request.actor, version))


@router.get("/versions/{int:version_id}", response=VersionOut, summary="标准版本及其条目")
def version_detail(request: HttpRequest, version_id: int):
    return version_out(request.actor, selectors.standard_version_get(actor=request.actor, pk=version_id))


@router.post("/versions/{int:version_id}/publish", response=VersionOut, summary="发布草稿为新版本")
def version_publish(request: HttpRequest, version_id: int):
    version = selectors.standard_version_get(actor=request.actor, pk=version_id, action=Action.UPDATE)
    version = services.standard_version_publish(actor=request.actor, version=version)
    return version_out(request.actor, version)


@router.post("/versions/{int:version_id}/items", response={201: ItemOut}, summary="在草稿中增加条目")
def item_add(request: HttpRequest, version_id: int, payload: ItemIn):
    version = selectors.standard_version_get(actor=request.actor, pk=version_id, action=Action.UPDATE)
    fields = payload.dict()
    if fields["order"] is None:
        del fields["order"]
    return Status(201, services.standard_item_add(actor=request.actor, version=version, **fields))


@router.patch("/items/{int:item_id}", response=ItemOut, summary="修改草稿中的条目")
def item_update(request: HttpRequest, item_id: int, payload: ItemPatch):
    item = selectors.standard_item_get(actor=request.actor, pk=item_id, action=Action.UPDATE)
    return services.standard_item_update(actor=request.actor, item=item, **payload.dict(exclude_unset=True))


@router.delete("/items/{int:item_id}", response={204: None}, summary="删除草稿中的条目")
def item_remove(request: HttpRequest, item_id: int):
    item = selectors.standard_item_get(actor=request.actor, pk=item_id, action=Action.UPDATE)
    services.standard_item_remove(actor=request.actor, item=item)
    return Status(204, None)


# --- the star-rating policy as versioned data (spec §4, decision 27) ----------------------------------


def policy_version_out(version) -> dict:
    return {
        "id": version.pk,
        "unit": version.unit.code,
        "number": version.number,
        "state": version.state,
        "note": version.note,
        "published_at": version.published_at,
        "data": version.data,
    }


@router.get("/rating-policy", response=RatingPolicyOut, summary="评星规则：执行中的规则及各版本")
def rating_policy(request: HttpRequest):
    actor = request.actor
    require(actor, Action.VIEW, Standard)
    policy, version = rating_policy_for(unit=actor.unit)
    return {
        "in_force": policy.to_data(),
        "in_force_version": version.number if version else None,
        "versions": [policy_version_out(v) for v in selectors.rating_policy_versions(actor=actor)],
    }


@router.put("/rating-policy/draft", response=RatingPolicyVersionOut, summary="保存本级评星规则的草稿（下一版本）")
def rating_policy_draft(request: HttpRequest, payload: RatingPolicyIn):
    draft = services.rating_policy_draft_save(
        actor=request.actor, unit=request.actor.unit, data=payload.data, note=payload.note
    )
    return policy_version_out(draft)


@router.post("/rating-policy/{int:version_id}/publish", response=RatingPolicyVersionOut, summary="发布评星规则草稿")
def rating_policy_publish(request: HttpRequest, version_id: int):
    version = selectors.rating_policy_version_get(actor=request.actor, pk=version_id)
    return policy_version_out(services.rating_policy_publish(actor=request.actor, version=version))
