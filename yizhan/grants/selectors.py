"""Reads of grants, uses and self-evaluation reports, always through the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor
from yizhan.grants.choices import ReportState
from yizhan.grants.models import Grant, GrantEvidence, GrantUse, SelfEvaluation


def grant_list(*, actor: Actor, source: str = "", unit_id: int | None = None) -> QuerySet[Grant]:
    """The grants in the actor's scope, newest first; optionally of one source or managing unit."""
    grants = Grant.objects.restrict(actor).select_related("position", "unit")
    if source:
        grants = grants.filter(source=source)
    if unit_id:
        grants = grants.filter(unit_id=unit_id)
    return grants


def grant_sources(*, actor: Actor) -> list[tuple[str, str]]:
    """The sources of the grants in scope with a title each ("campaign:3", "2022 年度…补助资金")."""
    rows = Grant.objects.restrict(actor).order_by("source", "pk").values_list("source", "title")
    titles: dict[str, str] = {}
    for source, title in rows:
        titles.setdefault(source, title)
    return [(source, f"{title}（{source}）") for source, title in titles.items()]


def grant_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Grant:
    return get_for_actor(Grant.objects.select_related("position", "unit"), actor, action, pk=pk)


def grant_uses(*, actor: Actor, grant: Grant) -> QuerySet[GrantUse]:
    """A grant's uses the actor may read, with their evidence."""
    return GrantUse.objects.restrict(actor).filter(grant=grant).prefetch_related("evidence")


def grant_use_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> GrantUse:
    return get_for_actor(GrantUse.objects.select_related("grant__unit"), actor, action, pk=pk)


def grant_evidence_get(*, actor: Actor, pk: int) -> GrantEvidence:
    return get_for_actor(GrantEvidence.objects.all(), actor, Action.VIEW, pk=pk)


@dataclass(frozen=True)
class UnitBalance:
    unit_id: int
    unit_name: str
    grants: int
    amount_fen: int
    spent_fen: int

    @property
    def balance_fen(self) -> int:
        return self.amount_fen - self.spent_fen


def grant_balances_by_unit(*, actor: Actor, source: str = "") -> list[UnitBalance]:
    """Per managing unit: how many grants, their total, what was used and what remains."""
    rows = (
        grant_list(actor=actor, source=source)
        .order_by()
        .values("unit_id", "unit__name", "unit__path")
        .annotate(grants=Count("pk"), amount=Sum("amount_fen"), spent=Sum("spent_fen"))
        .order_by("unit__path")
    )
    return [UnitBalance(r["unit_id"], r["unit__name"], r["grants"], r["amount"], r["spent"]) for r in rows]


def self_evaluation_list(*, actor: Actor, state: str = "", overdue: bool = False) -> QuerySet[SelfEvaluation]:
    """Reports in scope; `overdue`: still in draft after their due date (Asia/Shanghai)."""
    reports = SelfEvaluation.objects.restrict(actor).select_related("unit")
    if state:
        reports = reports.filter(state=state)
    if overdue:
        reports = reports.filter(state=ReportState.DRAFT, due_on__lt=timezone.localdate())
    return reports


def self_evaluation_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> SelfEvaluation:
    return get_for_actor(SelfEvaluation.objects.select_related("unit"), actor, action, pk=pk)
