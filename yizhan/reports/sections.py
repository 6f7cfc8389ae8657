"""The sections of the annual report that read data of apps that register nothing themselves
(positions, campaigns, grants, the ledger): plain reads through those apps' models and selectors,
restricted to the reading actor and the report's federation subtree. Other apps (targets, centres)
register their own sections (registry.py)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.reports.registry import ReportSection, SectionContent, Table


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{(Decimal(part * 100) / Decimal(whole)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def positions_section(actor: Actor, federation, year: int) -> SectionContent | None:
    from yizhan.positions.choices import PositionKind, PositionState, StarRating
    from yizhan.positions.models import Position, PositionStateChange

    if not actor.can(Action.VIEW, Position):
        return None
    positions = Position.objects.restrict(actor).filter(unit__path__startswith=federation.path)
    by_kind_state = {
        (row["kind"], row["state"]): row["n"]
        for row in positions.order_by().values("kind", "state").annotate(n=Count("pk"))
    }
    states = list(PositionState)
    kind_rows = []
    for kind in PositionKind:
        counts = [by_kind_state.get((kind.value, state.value), 0) for state in states]
        kind_rows.append([str(kind.label), *counts, sum(counts)])
    totals = [sum(row[i + 1] for row in kind_rows) for i in range(len(states))]
    kind_rows.append([_("合计"), *totals, sum(totals)])
    stars = dict(
        positions.filter(kind=PositionKind.STATION)
        .exclude(star_rating="")
        .order_by()
        .values_list("star_rating")
        .annotate(n=Count("pk"))
    )
    changes = PositionStateChange.objects.filter(position__in=positions.values("pk"), effective_on__year=year)
    registered = changes.filter(from_state="").values("position_id").distinct().count()
    opened = changes.filter(to_state=PositionState.OPERATING).values("position_id").distinct().count()
    delisted = changes.filter(to_state=PositionState.DELISTED).values("position_id").distinct().count()
    return SectionContent(
        title=_("服务阵地"),
        paragraphs=[
            _(
                "现有服务阵地 {n} 个。{year} 年新登记 {registered} 个，投入运营 {opened} 个，摘牌 {delisted} 个。"
            ).format(n=sum(totals), year=year, registered=registered, opened=opened, delisted=delisted)
        ],
        tables=[
            Table(
                headers=[_("类型"), *[str(s.label) for s in states], _("合计")],
                rows=kind_rows,
                caption=_("按类型和状态（当前）"),
            ),
            Table(
                headers=[_("星级"), _("站点数")],
                rows=[[str(s.label), stars.get(s.value, 0)] for s in StarRating],
                caption=_("户外劳动者服务站点星级（当前）"),
            ),
        ],
    )


def _subject(honour) -> str:
    return honour.position.display_name if honour.position_id else honour.project.title


def campaigns_section(actor: Actor, federation, year: int) -> SectionContent | None:
    from yizhan.campaigns.models import Honour

    if not actor.can(Action.VIEW, Honour):
        return None
    # A position's honour belongs to the position's unit, a project's to the union that ran it.
    in_federation = Q(position__unit__path__startswith=federation.path) | Q(
        project__unit__path__startswith=federation.path
    )
    honours = (
        Honour.objects.restrict(actor)
        .filter(in_federation, awarded_on__year=year)
        .select_related("position", "position__unit", "project", "project__unit")
        .order_by("title", "pk")
    )
    title = _("推树活动荣誉")
    rows = [[h.title, _subject(h), h.subject_unit.name, h.awarded_on.isoformat()] for h in honours]
    if not rows:
        return SectionContent(title=title, paragraphs=[_("本年度没有命名的荣誉。")])
    return SectionContent(
        title=title,
        paragraphs=[_("本年度命名荣誉 {n} 项。").format(n=len(rows))],
        tables=[Table(headers=[_("荣誉称号"), _("服务阵地或项目"), _("单位"), _("命名日期")], rows=rows)],
    )


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def grants_section(actor: Actor, federation, year: int) -> SectionContent | None:
    from yizhan.grants.models import Grant, GrantUse

    if not actor.can(Action.VIEW, Grant):
        return None
    grants = Grant.objects.restrict(actor).filter(unit__path__startswith=federation.path, awarded_on__year=year)
    sums = grants.order_by().aggregate(n=Count("pk"), amount=Sum("amount_fen"))
    used = (
        GrantUse.objects.filter(grant__in=Grant.objects.restrict(actor).filter(unit__path__startswith=federation.path))
        .filter(used_on__year=year)
        .order_by()
        .aggregate(amount=Sum("amount_fen"))
    )
    return SectionContent(
        title=_("补助资金"),
        tables=[
            Table(
                headers=[_("项目"), _("数值")],
                rows=[
                    [_("本年度核定补助（笔）"), sums["n"] or 0],
                    [_("本年度核定金额（元）"), _yuan(sums["amount"] or 0)],
                    [_("本年度使用金额（元）"), _yuan(used["amount"] or 0)],
                ],
            )
        ],
    )


def ledger_section(actor: Actor, federation, year: int) -> SectionContent | None:
    from yizhan.ledger import selectors as ledger
    from yizhan.ledger.models import DailyLedger, Feedback

    if not actor.can(Action.VIEW, DailyLedger):
        return None
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    totals = ledger.ledger_totals(actor=actor, unit=federation, date_from=start, date_to=end)
    rows = [
        [_("台账天数"), totals.get("days", 0)],
        [_("服务人次"), totals.get("visits_total", 0)],
        [_("服务项目人次"), totals.get("services_total", 0)],
    ]
    if actor.can(Action.VIEW, Feedback):
        s = ledger.satisfaction(actor=actor, unit=federation, date_from=start, date_to=end)
        rows.append([_("满意度评价（条）"), s.responses])
        rows.append([_("满意率"), _percent(s.satisfied, s.responses) if s.enough else _("评价不足，不计算")])
    return SectionContent(title=_("服务台账与满意度"), tables=[Table(headers=[_("项目"), _("数值")], rows=rows)])


SECTIONS = (
    ReportSection(name="positions", order=10, build=positions_section),
    ReportSection(name="campaigns", order=30, build=campaigns_section),
    ReportSection(name="grants", order=50, build=grants_section),
    ReportSection(name="ledger", order=60, build=ledger_section),
)
