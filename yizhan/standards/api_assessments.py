"""/api/v1/assessments: assessments of positions against published standard versions (issue 16
§2), signed in. Thin: each endpoint calls one service or selector."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.positions.models import Position
from yizhan.standards import assessments, selectors
from yizhan.standards.models import Assessment, StandardVersion, StarRatingRecord
from yizhan.standards.schemas import (
    AssessmentDetailOut,
    AssessmentFormOut,
    AssessmentIn,
    AssessmentOut,
    NotFoundOut,
    RateIn,
    RatingOut,
    ReviewIn,
    ReviewOut,
)

router = Router(tags=["assessments"])


def assessment_out(assessment: Assessment) -> dict:
    return {
        "id": assessment.pk,
        "position": assessment.position_id,
        "position_name": assessment.position.display_name,
        "standard": assessment.version.standard.code,
        "version": assessment.version_id,
        "version_number": assessment.version.number,
        "assessed_on": assessment.assessed_on,
        "applicable": assessment.applicable,
        "met": assessment.met,
        "compliance": assessment.compliance,
        "note": assessment.note,
    }


def assessment_detail_out(actor: Actor, assessment: Assessment) -> dict:
    photos = selectors.answer_photos(actor=actor, assessment=assessment)
    answers = [
        {
            "item": a.item.key,
            "text": a.item.text,
            "required": a.item.required,
            "met": a.met,
            "yes": a.yes,
            "number": a.number,
            "choice": a.choice,
            "note": a.note,
            "photos": [photo.image.url for photo in photos.get(a.pk, [])],
        }
        for a in selectors.assessment_answers(actor=actor, assessment=assessment)
    ]
    return {**assessment_out(assessment), "answers": answers}


@router.get("", response=list[AssessmentOut], summary="评估列表")
def assessment_list(request: HttpRequest, position: int | None = None):
    return [assessment_out(a) for a in selectors.assessment_list(actor=request.actor, position_id=position)]


@router.get("/form", response={200: AssessmentFormOut, 404: NotFoundOut}, summary="评估表：适用的条目及档案中的预填值")
def assessment_form(request: HttpRequest, position: int, version: int):
    found, used, items = assessments.assessment_form(actor=request.actor, position_id=position, version_id=version)
    return {
        "position": found.pk,
        "position_name": found.display_name,
        "standard": used.standard.code,
        "version": used.pk,
        "version_number": used.number,
        "items": [
            {
                "key": f.item.key,
                "group": f.item.group,
                "text": f.item.text,
                "check_type": f.item.check_type,
                "minimum": f.item.minimum,
                "unit_label": f.item.unit_label,
                "choices": f.item.choices,
                "required": f.item.required,
                "points": f.item.points,
                "known": f.known,
            }
            for f in items
        ],
    }


@router.post("", response={201: AssessmentDetailOut, 404: NotFoundOut}, summary="录入评估（按现行标准版本逐条填写）")
def assessment_create(request: HttpRequest, payload: AssessmentIn):
    require(request.actor, Action.CREATE, Assessment)
    position = Position(pk=payload.position)
    version = StandardVersion.objects.filter(pk=payload.version).first()
    if version is None:
        raise ApplicationError(assessments.VERSION_NOT_FOUND, field="version")
    assessment = assessments.assessment_record(
        actor=request.actor,
        position=position,
        version=version,
        assessed_on=payload.assessed_on,
        answers=payload.answers,
        notes=payload.notes,
        note=payload.note,
        correct_record=payload.correct_record,
    )
    return Status(201, assessment_detail_out(request.actor, assessment))


@router.get("/{int:assessment_id}", response=AssessmentDetailOut, summary="评估详情（逐条结果）")
def assessment_detail(request: HttpRequest, assessment_id: int):
    assessment = selectors.assessment_get(actor=request.actor, pk=assessment_id)
    return assessment_detail_out(request.actor, assessment)


def rating_out(record: StarRatingRecord) -> dict:
    return {
        "id": record.pk,
        "position": record.position_id,
        "period": record.period,
        "assessment": record.assessment_id,
        "policy_version": record.policy.number if record.policy_id else None,
        "date_from": record.date_from,
        "date_to": record.date_to,
        "total": record.total,
        "stars": record.stars,
        "stars_before": record.stars_before,
        "stars_after": record.stars_after,
        "rectification_required": record.rectification_required,
        "periodic": record.periodic,
        "lines": record.lines,
        "verdict": record.verdict,
        "created_at": record.created_at,
    }


@router.post("/{int:assessment_id}/rate", response={201: RatingOut}, summary="依据评估与台账评定星级")
def assessment_rate(request: HttpRequest, assessment_id: int, payload: RateIn):
    assessment = selectors.assessment_get(actor=request.actor, pk=assessment_id, action=Action.CREATE)
    record = assessments.station_rate(actor=request.actor, assessment=assessment, **payload.dict())
    return Status(201, rating_out(record))


@router.get("/positions/{int:position_id}/ratings", response=list[RatingOut], summary="站点的星级评定记录")
def rating_history(request: HttpRequest, position_id: int):
    require(request.actor, Action.VIEW, Assessment)
    position = get_for_actor(Position.objects.all(), request.actor, pk=position_id)
    return [rating_out(r) for r in selectors.star_rating_history(actor=request.actor, position_id=position.pk)]


@router.post("/review", response=ReviewOut, summary="年度复核：列出将被摘牌的站点，confirm 为 true 时摘牌")
def ratings_review(request: HttpRequest, payload: ReviewIn):
    """Spec §4's delisting rules over the actor's scope at the end of `period`; lists first, and
    changes only with `confirm` (the page's button and `yizhan ratings-review` do the same)."""
    due = assessments.ratings_review(actor=request.actor, period=payload.period, confirm=payload.confirm)
    return {
        "period": payload.period,
        "confirmed": payload.confirm,
        "delistings": [
            {"position": d.position.pk, "code": d.position.code, "name": d.position.official_name, "reason": d.reason}
            for d in due
        ],
    }
