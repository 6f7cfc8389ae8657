"""The 工作台 (issue 21 §6): what needs doing today for the signed-in role, in panels that the
apps provide for what they own, registered at start-up as permissions and job kinds are (the
kernel knows no domain app):

    register_dashboard_panel(DashboardPanel(
        name="positions",          # one name, one panel
        order=20,                  # panels in this order
        build=positions_panel,     # build(actor) -> Panel | None (None: nothing for this role)
    ))

A panel holds figures; each figure is a count with the URL of the rows that add up to it, read
by the same selector and filter as the list behind the link, so the figure and the rows it leads to
never disagree (the apps' tests follow every link and compare). A figure marked `todo` is work to
do: the page gathers those above zero at the top as 今日待办. A panel may say something instead of
(or beside) its figures, such as whom to ask when the actor's unit has nothing yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yizhan.core.scoping import Actor

PANEL_TWICE = "dashboard panel {name} is registered twice"


@dataclass(frozen=True)
class Figure:
    """A count and the link to its rows."""

    label: str
    count: int
    url: str
    todo: bool = False  # work to do while above zero
    hint: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Panel:
    """One card of the 工作台: a title, figures, and optionally a sentence and further links."""

    title: str
    figures: tuple[Figure, ...] = ()
    notice: str = ""
    links: tuple[Link, ...] = field(default_factory=tuple)
    # A name for tests and for the page's anchors (the provider's name when left empty).
    name: str = ""

    @property
    def todo(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.todo and figure.count]


@dataclass(frozen=True)
class DashboardPanel:
    name: str
    order: int
    build: Callable[[Actor], Panel | None]


_panels: dict[str, DashboardPanel] = {}


def register_dashboard_panel(panel: DashboardPanel) -> None:
    """Offer a panel (apps call it from their AppConfig.ready()); one name, one panel."""
    if _panels.get(panel.name) == panel:
        return  # the same panel again: AppConfig.ready() may run twice (Django's docs)
    if panel.name in _panels:
        raise ValueError(PANEL_TWICE.format(name=panel.name))
    _panels[panel.name] = panel


def unregister_dashboard_panel(name: str) -> None:
    """For tests that register a panel of their own."""
    _panels.pop(name, None)


@dataclass(frozen=True)
class Dashboard:
    panels: list[Panel]
    # The figures that are work to do today (todo, above zero), in panel order.
    todo: list[Figure]
    # Whether any panel counts work to do at all (an auditor's do not): "nothing to do" is news
    # only where there could have been something.
    counts_todo: bool


def dashboard_for(*, actor: Actor) -> Dashboard:
    """The 工作台 of `actor`: the panels it is shown, in order (each provider decides from the
    actor's role and scope, through its app's selectors, whether it has one), and today's work."""
    panels = []
    for provider in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        panel = provider.build(actor)
        if panel is not None:
            panels.append(panel if panel.name else replace(panel, name=provider.name))
    return Dashboard(
        panels=panels,
        todo=[figure for panel in panels for figure in panel.todo],
        counts_todo=any(figure.todo for panel in panels for figure in panel.figures),
    )
