"""/api/v1/centres: acceptance rounds, applications with their self-check, filing, the working
group's review, the grade, rewards and the results. Thin: each endpoint calls one service or
selector; outside the actor's scope everything answers 404."""

from ninja import Router, Status
from ninja.pagination import paginate

from yizhan.centres import selectors, services
from yizhan.centres.choices import ApplicationState
from yizhan.centres.grading import Grade
from yizhan.centres.schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationOut,
    ErrorOut,
    FieldErrorOut,
    ResultOut,
    ReviewIn,
    RewardIn,
    RoundIn,
    RoundOut,
    SelfCheckIn,
    TransitionIn,
)
from yizhan.core.errors import NotFoundError
from yizhan.core.pagination import KeysFirstPagination
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, get_for_actor
from yizhan.orgs.models import Unit
from yizhan.positions.models import Position

router = Router(tags=["centres"])
ERRORS = {400: FieldErrorOut, 403: ErrorOut, 404: ErrorOut}


def _answers(answers) -> dict[str, dict]:
    return {key: answer.dict() for key, answer in answers.items()}


@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="考核验收批次")
@paginate(KeysFirstPagination)
def round_list(request):
    return selectors.round_list(actor=request.actor)


@router.post("/rounds", response={201: RoundOut, **ERRORS}, summary="建立考核验收批次（总工会）")
def round_create(request, payload: RoundIn):
    data = payload.dict()
    unit_id = data.pop("unit_id")
    unit = request.actor.unit if unit_id is None else get_for_actor(Unit.objects.all(), request.actor, pk=unit_id)
    return Status(201, services.round_create(actor=request.actor, unit=unit, **data))


@router.get("", response={200: list[ApplicationOut], **ERRORS}, summary="验收申报列表")
@paginate(KeysFirstPagination)
def application_list(
    request,
    round_id: int | None = None,
    state: ApplicationState | None = None,
    grade: Grade | None = None,
    overdue: bool = False,
):
    return selectors.application_list(
        actor=request.actor, round_id=round_id, state=state or "", grade=grade or "", overdue=overdue
    )


@router.post("", response={201: ApplicationDetailOut, **ERRORS}, summary="开始自查（建立验收申报）")
def application_create(request, payload: ApplicationIn):
    actor = request.actor
    acceptance_round = selectors.round_get(actor=actor, pk=payload.round_id)
    centre = Position.objects.restrict(actor).filter(pk=payload.centre_id).first()
    if centre is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    created = services.application_create(
        actor=actor, acceptance_round=acceptance_round, centre=centre, large_state_owned=payload.large_state_owned
    )
    return Status(201, created)


@router.get("/results", response={200: list[ResultOut], **ERRORS}, summary="验收结果（已评定）")
def results(request, round_id: int):
    acceptance_round = selectors.round_get(actor=request.actor, pk=round_id)
    return selectors.acceptance_results(acceptance_round.unit, acceptance_round.year, actor=request.actor)


@router.get("/{int:application_id}", response={200: ApplicationDetailOut, **ERRORS}, summary="验收申报详情")
def application_detail(request, application_id: int):
    return selectors.application_get(actor=request.actor, pk=application_id)


@router.put("/{int:application_id}/self-check", response={200: ApplicationDetailOut, **ERRORS}, summary="保存自查")
def self_check(request, application_id: int, payload: SelfCheckIn):
    application = selectors.application_get(actor=request.actor, pk=application_id, action=Action.UPDATE)
    services.self_check_save(
        actor=request.actor,
        application=application,
        answers=_answers(payload.answers),
        self_report=payload.self_report,
    )
    return selectors.application_get(actor=request.actor, pk=application_id)


@router.post("/{int:application_id}/file", response={200: ApplicationDetailOut, **ERRORS}, summary="提交验收申报")
def application_file(request, application_id: int):
    application = selectors.application_get(actor=request.actor, pk=application_id, action=Action.OPERATE)
    services.application_file(actor=request.actor, application=application)
    return selectors.application_get(actor=request.actor, pk=application_id)


@router.put(
    "/{int:application_id}/review",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="工作组考核（看、查、谈，满意度）",
)
def review(request, application_id: int, payload: ReviewIn):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.UPDATE)
    ledger = services.ledger_satisfaction_for(actor=actor, application=application) if payload.use_ledger else None
    services.review_save(
        actor=actor,
        application=application,
        answers={key: {**a.dict(), "methods": [str(m) for m in a.methods]} for key, a in payload.answers.items()},
        questionnaire_responses=payload.questionnaire_responses,
        questionnaire_satisfied=payload.questionnaire_satisfied,
        ledger_satisfaction=ledger,
        summary=payload.summary,
    )
    return selectors.application_get(actor=actor, pk=application_id)


@router.post(
    "/{int:application_id}/transition",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="退回修改、完成考核、重新考核",
)
def application_transition(request, application_id: int, payload: TransitionIn):
    application = selectors.application_get(actor=request.actor, pk=application_id, action=Action.OPERATE)
    services.application_transition(actor=request.actor, application=application, **payload.dict())
    return selectors.application_get(actor=request.actor, pk=application_id)


@router.post("/{int:application_id}/grade", response={200: ApplicationDetailOut, **ERRORS}, summary="评定等次")
def grade(request, application_id: int):
    application = selectors.application_get(actor=request.actor, pk=application_id, action=Action.OPERATE)
    services.application_grade(actor=request.actor, application=application)
    return selectors.application_get(actor=request.actor, pk=application_id)


@router.post("/{int:application_id}/reward", response={200: ApplicationDetailOut, **ERRORS}, summary="登记奖励")
def reward(request, application_id: int, payload: RewardIn):
    application = selectors.application_get(actor=request.actor, pk=application_id, action=Action.UPDATE)
    amount = int(payload.amount * 100) if payload.amount is not None else None
    services.reward_record(actor=request.actor, application=application, reward=payload.reward, amount_fen=amount)
    return selectors.application_get(actor=request.actor, pk=application_id)
