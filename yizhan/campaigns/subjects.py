"""What a campaign selects (issue 17: one engine that, configured differently, runs the other
selections of the sources; issue 19 C4: the yearly excellent-project selection).

`Subject.POSITION` (default) selects service positions: eligibility by kind, state and stars,
quotas weighed by operating + 5★ stations. `Subject.PROJECT` selects social-organisation service
projects (spec §9, source 004): eligibility by `project_refusal`, quotas weighed by the eligible
projects of each unit, approval gives the city honour and its subsidy (`projects.services`).

A new subject (model service centres, say) adds a value here, a nullable foreign key on
`Nomination` and `Honour` (with their exactly-one check constraints), its eligibility and its
weight below; the steps, review group, notice, objections and approval stay the engine's.

This module imports no model at import time (`models.py` imports `Subject`)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    POSITION = "position", _("服务阵地")
    PROJECT = "project", _("社会组织服务项目")


PROJECT_NOT_ARCHIVED = _("“{project}”尚未完成结项评估并归档（现为“{state}”），不能推荐")
PROJECT_WRONG_YEAR = _("“{project}”完成于 {completed_on}，只有 {first} 年或 {last} 年完成的项目可以推荐")
PROJECT_NOT_QUALIFIED = _("“{project}”的承接组织“{organisation}”资格不符：{reason}")
PROJECT_NO_SHEET = _("“{project}”还没有经评审确认的优秀项目评分表，不能推荐")
PROJECT_LOW_SCORE = _("“{project}”评分 {total} 分，须达到 {minimum} 分才能推荐")
PROJECT_PAID_TWICE = _("“{project}”已获市级优秀项目补助（{day}），不能重复推荐补助")
PROJECT_ALREADY_HIGHER = _("“{project}”已按更高荣誉足额补助（已发 {paid} 元），不再推荐市级优秀项目")
WRONG_SUBJECT = _("本活动推荐的是{subject}，不能推荐{other}")


def project_years(campaign) -> tuple[int, int]:
    """The completion years a project may have to be nominated: the campaign's year or the one before."""
    return campaign.year - 1, campaign.year


def eligible_projects(campaign):
    """Projects that may be nominated in `campaign` as far as one query can tell (archived,
    completed in the campaign's year or the previous, a confirmed score sheet at or above the
    minimum, no city subsidy yet); the organisation's qualification is checked per row
    (`project_refusal`)."""
    from yizhan.projects.choices import ProjectState
    from yizhan.projects.models import ServiceProject

    first, last = project_years(campaign)
    rows = ServiceProject.objects.filter(
        state=ProjectState.ARCHIVED,
        completed_on__year__gte=first,
        completed_on__year__lte=last,
        score_sheet__isnull=False,
        unit__path__startswith=campaign.federation.path,
    ).filter(subsidies__isnull=True)
    if campaign.min_score:
        rows = rows.filter(score_sheet__total__gte=campaign.min_score)
    return rows


def project_refusal(campaign, project, on: dt.date | None = None) -> str | None:
    """Why `project` may not be nominated in `campaign` (None when it may): archived, completed
    in the campaign's year or the previous, its organisation qualified on `on` (registered, two
    full years, certificate valid), a confirmed score sheet at or above the campaign's minimum,
    and no city subsidy paid before (pay once; a provincial or national honour already paid in
    full leaves nothing to top up)."""
    from yizhan.grants.money import fen_to_yuan
    from yizhan.projects.choices import HonourLevel, ProjectState
    from yizhan.projects.models import ScoreSheet, SubsidyPayment
    from yizhan.projects.services import organisation_qualification
    from yizhan.projects.subsidies import subsidy_due

    name = project.title
    if project.state != ProjectState.ARCHIVED or project.completed_on is None:
        return PROJECT_NOT_ARCHIVED.format(project=name, state=project.get_state_display())
    first, last = project_years(campaign)
    if not first <= project.completed_on.year <= last:
        return PROJECT_WRONG_YEAR.format(
            project=name, completed_on=project.completed_on.isoformat(), first=first, last=last
        )
    application = project.selected_application
    if application is not None:
        verdict = organisation_qualification(application.organisation, on=on or timezone.localdate())
        if not verdict.qualified:
            return PROJECT_NOT_QUALIFIED.format(
                project=name, organisation=application.organisation.name, reason=verdict.reason
            )
    sheet = ScoreSheet.objects.filter(project=project).first()
    if sheet is None:
        return PROJECT_NO_SHEET.format(project=name)
    if campaign.min_score and sheet.total < campaign.min_score:
        return PROJECT_LOW_SCORE.format(project=name, total=sheet.total, minimum=campaign.min_score)
    payments = list(SubsidyPayment.objects.filter(project=project))
    city = next((p for p in payments if p.level == HonourLevel.CITY), None)
    if city is not None:
        return PROJECT_PAID_TWICE.format(project=name, day=city.paid_on.isoformat())
    if subsidy_due(level=HonourLevel.CITY, paid_fen=[p.amount_fen for p in payments]) == 0:
        return PROJECT_ALREADY_HIGHER.format(project=name, paid=fen_to_yuan(sum(p.amount_fen for p in payments)))
    return None


def score_items(subject: str) -> tuple[tuple[str, str, int], ...]:
    """The verification's score sheet of a subject, as (key, label, maximum) rows summing to 100:
    a position's the six conditions and four fields of merit (`choices.SCORE_ITEMS`, source 000);
    a project's the excellent-project standard (百分评估标准, source 004, `projects.scoring.ITEMS`),
    which the review group checks on site against the confirmed sheet."""
    from yizhan.campaigns.choices import SCORE_ITEMS

    if subject != Subject.PROJECT:
        return SCORE_ITEMS
    from yizhan.projects.scoring import ITEMS

    return tuple((item.key, item.label, item.cap) for item in ITEMS)


def project_form(project) -> dict:
    """The nomination form of a project, filled from its record and score sheet when nominated."""
    from yizhan.projects.models import ScoreSheet

    application = project.selected_application
    organisation = application.organisation if application is not None else None
    sheet = ScoreSheet.objects.filter(project=project).first()
    return {
        "official_name": project.title,
        "project_title": project.title,
        "category": str(project.get_category_display()),
        "unit": project.unit.name,
        "organisation": organisation.name if organisation else "",
        "registration_number": organisation.registration_number if organisation else "",
        "manager_name": organisation.contact_name if organisation else "",
        "manager_phone": organisation.contact_phone if organisation else "",
        "agreement_amount_fen": project.agreement_amount_fen,
        "completed_on": project.completed_on.isoformat() if project.completed_on else "",
        "satisfaction_rate": str(project.satisfaction_rate) if project.satisfaction_rate is not None else "",
        "score": sheet.total if sheet else None,
        "address": "",
    }


def eligible_project_counts(campaign, units) -> dict[int, int]:
    """Per unit (its subtree), the projects `project_refusal` would let it nominate: the weights
    of a project campaign's quotas (Hamilton on these counts, as positions on theirs)."""
    today = timezone.localdate()
    rows = list(eligible_projects(campaign).select_related("unit", "selected_application__organisation", "score_sheet"))
    counts = {unit.pk: 0 for unit in units}
    for project in rows:
        if project_refusal(campaign, project, on=today) is not None:
            continue
        for unit in units:
            if project.unit.path.startswith(unit.path):
                counts[unit.pk] += 1
                break
    return counts


def project_candidates(campaign, actor, nominations) -> list:
    """The projects the actor's unit may still nominate in a project campaign (the page's list):
    in the actor's scope, not nominated yet (withdrawn ones may come back), nothing against them."""
    from yizhan.campaigns.choices import NominationState

    taken = {n.project_id for n in nominations if n.state != NominationState.WITHDRAWN}
    rows = (
        eligible_projects(campaign)
        .restrict(actor)
        .select_related("unit", "selected_application__organisation", "score_sheet")
        .order_by("title")[:500]
    )
    today = timezone.localdate()
    return [p for p in rows if p.pk not in taken and project_refusal(campaign, p, on=today) is None]
