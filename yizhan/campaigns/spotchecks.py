"""Random checks after the self-evaluation (随机抽查, spec §7, source 000 §六; issue 17 §9): once a
unit has submitted its performance self-evaluation report on a campaign's grants, the federation
draws, from a recorded seed, a number or a share of that unit's honoured positions and checks them
through the inspection feature — one spot-check inspection each (`inspections.services.
spot_check_draw`, its draw recorded with `source="campaign:<id>"` and audited like every draw). The
campaign's page lists the draws and their inspections with their results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.campaigns import rules
from yizhan.campaigns.choices import CampaignState, StepKind
from yizhan.campaigns.models import Campaign, Honour
from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, Actor, require, require_in_scope
from yizhan.orgs.models import Unit

NOT_APPROVED = _("活动审批通过后才能抽查命名阵地")
NO_REPORTS = _("还没有单位提交绩效自评报告：单位提交自评报告后，才能抽查其命名阵地")
NOTHING_TO_CHECK = _("已提交自评报告的单位没有可抽查的命名阵地（须为运营中）")
VERSION_MISSING = _("请选择检查标准")


def campaign_source(campaign: Campaign) -> str:
    """The source string of the campaign's grants, reports and random checks."""
    return f"campaign:{campaign.pk}"


def reported_units(campaign: Campaign) -> list[Unit]:
    """The units whose self-evaluation report on the campaign's grants is submitted."""
    from yizhan.grants.choices import ReportState
    from yizhan.grants.models import SelfEvaluation

    reports = SelfEvaluation.objects.filter(source=campaign_source(campaign), state=ReportState.SUBMITTED)
    return list(Unit.objects.filter(pk__in=reports.values("unit")).order_by("path"))


def candidates(campaign: Campaign) -> list[int]:
    """Ids of the campaign's honoured positions managed by a unit that has submitted its report."""
    paths = [u.path for u in reported_units(campaign)]
    honours = Honour.objects.filter(campaign=campaign, position__isnull=False).select_related("position__unit")
    return sorted({h.position_id for h in honours if any(h.position.unit.path.startswith(path) for path in paths)})


def _strata(federation: Unit, positions: list[int]) -> list[Unit]:
    """One stratum per unit directly below the federation holding a candidate (the federation
    itself when one of them is its own)."""
    from yizhan.positions.models import Position

    paths = set(Position.objects.filter(pk__in=positions).values_list("unit__path", flat=True))
    if any(path == federation.path for path in paths):
        return [federation]
    steplen = Unit.steplen
    heads = {path[: len(federation.path) + steplen] for path in paths}
    return list(Unit.objects.filter(path__in=heads).order_by("path"))


@transaction.atomic
def spot_checks_draw(
    *,
    actor: Actor,
    campaign: Campaign,
    version,
    ends_on: dt.date,
    size: int | None = None,
    rate: Decimal | str | None = None,
    seed: int | None = None,
):
    """The federation draws `size` (or `rate` of) the honoured positions of the units that have
    submitted their self-evaluation report, stratified by the units below it, from `seed` (a new
    one when None, recorded either way: the same seed over the same positions draws the same
    ones); one spot-check inspection each against `version`, due by `ends_on`. Positions checked
    recently are not left out (the check is of the grant). Refused with nothing written."""
    from yizhan.inspections.services import spot_check_draw

    require(actor, Action.UPDATE, Campaign)
    campaign = Campaign.objects.select_for_update().select_related("federation").get(pk=campaign.pk)
    if actor.role != Role.FEDERATION_ADMIN:
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    require_in_scope(actor, campaign.federation)
    if campaign.state != CampaignState.APPROVED:
        raise ApplicationError(str(NOT_APPROVED))
    if version is None:
        raise ApplicationError(str(VERSION_MISSING), field="version")
    if not reported_units(campaign):
        raise ApplicationError(str(NO_REPORTS))
    positions = candidates(campaign)
    strata = _strata(campaign.federation, positions) if positions else []
    if not strata:
        raise ApplicationError(str(NOTHING_TO_CHECK))
    draw = spot_check_draw(
        actor=actor,
        units=strata,
        version=version,
        ends_on=ends_on,
        size=size,
        rate=rate,
        seed=seed,
        include_recent=True,
        within=positions,
        source=campaign_source(campaign),
    )
    if draw.eligible == 0:
        raise ApplicationError(str(NOTHING_TO_CHECK))
    rules._complete_step(campaign, StepKind.SPOT_CHECKS)
    return draw


@dataclass(frozen=True)
class CheckRow:
    inspection: object
    result: str


def campaign_draws(*, actor: Actor, campaign: Campaign) -> list[tuple]:
    """The campaign's random-check draws in the actor's scope, each with its inspections and their
    results (state, date, the share of items met, whether the position could not serve)."""
    from yizhan.inspections.models import Inspection, SpotCheckDraw

    draws = list(SpotCheckDraw.objects.restrict(actor).filter(source=campaign_source(campaign)).order_by("pk"))
    inspections = (
        Inspection.objects.restrict(actor)
        .filter(draw__in=draws)
        .select_related("position", "assessment")
        .order_by("position__code")
    )
    by_draw: dict[int, list[CheckRow]] = {d.pk: [] for d in draws}
    for inspection in inspections:
        by_draw[inspection.draw_id].append(CheckRow(inspection, _result(inspection)))
    return [(draw, by_draw[draw.pk]) for draw in draws]


def _result(inspection) -> str:
    if inspection.cannot_serve:
        return str(_("不能正常提供服务"))
    if inspection.assessment is not None:
        share = (inspection.assessment.compliance * 100).quantize(Decimal("1"))
        return str(_("达标 {met}/{applicable} 项（{share}%）")).format(
            met=inspection.assessment.met, applicable=inspection.assessment.applicable, share=share
        )
    if inspection.inspected_on:
        return str(_("已检查，待确认"))
    return "—"


def applicable_versions(versions, campaign: Campaign) -> list:
    """The standard versions with an item for the campaign's kind of position (an item without
    kinds applies to every kind): a draw against another finds nothing to check."""
    return [
        v
        for v in versions.prefetch_related("items")
        if any(not item.kinds or campaign.position_kind in item.kinds for item in v.items.all())
    ]


def default_ends_on() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)
