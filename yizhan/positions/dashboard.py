"""The registry's panel of the 工作台 (issue 21 §6, §5): positions by state, the 待核实 queue and
the suspensions past their expected reopening date, each a link to the list filtered to exactly
those rows (the same selector and filters count them); and, where the actor's scope holds no
position yet, what to do about it instead of an empty list."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.core.wording import enumeration
from yizhan.orgs import selectors as org_selectors
from yizhan.positions import selectors
from yizhan.positions.choices import PositionState
from yizhan.positions.imports.views import running_imports
from yizhan.positions.models import Position
from yizhan.positions.selectors import PositionFilters

TITLE = _("服务阵地")
NEEDS_VERIFICATION = _("待核实的阵地")
NEEDS_VERIFICATION_HINT = _("开放时间或建设类型待核实")
SUSPENSION_OVERDUE = _("暂停服务已过恢复日期")
SUSPENSION_OVERDUE_HINT = _("请确认是否已恢复运营，或更新预计恢复日期")
ALL_POSITIONS = _("全部阵地")
NONE_YET_ADMIN = _("还没有登记服务阵地：可以逐个登记，也可以导入 Excel 表格。")
NONE_YET_ASK = _("“{unit}”还没有服务阵地。阵地由单位管理员登记，请联系“{admin_unit}”的单位管理员：{names}。")
NONE_YET_ASK_ANYONE = _("“{unit}”还没有服务阵地。阵地由单位管理员登记，请联系上级工会的单位管理员。")
IMPORTS_RUNNING = _("进行中的 Excel 导入")
IMPORTS_RUNNING_HINT = _("您上传的大文件在后台导入，完成后可查看结果")
IMPORT_PROGRESS = _("导入进度：{name}")
CREATE = _("登记阵地")
IMPORT = _("导入 Excel")

# The queue of overdue suspensions lists the longest overdue first.
OVERDUE_SORT = "reopen"


def list_url(**query) -> str:
    """The staff list filtered by `query` (the list form's GET parameters)."""
    return reverse("positions:list") + (f"?{urlencode(query)}" if query else "")


def none_yet_notice(actor: Actor) -> str:
    """What an actor whose scope holds no position is told: an admin may register them; anyone
    else is told whom to ask (`orgs.selectors.admins_to_ask`)."""
    if actor.can(Action.CREATE, Position):
        return str(NONE_YET_ADMIN)
    ask = org_selectors.admins_to_ask(actor=actor)
    if ask is None:
        return str(NONE_YET_ASK_ANYONE.format(unit=actor.unit.name))
    return str(NONE_YET_ASK.format(unit=actor.unit.name, admin_unit=ask.unit.name, names=enumeration(ask.names)))


def positions_panel(actor: Actor) -> Panel | None:
    """Positions in the actor's scope by state, and the two queues of work on them: work to do for
    the roles that can do it (confirming a suspension is changing the state; settling 待核实 is
    editing the record), figures for the roles that only read."""
    if not actor.can(Action.VIEW, Position):
        return None
    counts = selectors.position_counts_by_state(actor=actor)
    imports, import_links = imports_in_progress(actor)
    if not any(counts.values()):  # the first positions may be on their way in an import
        links = (Link(CREATE, reverse("positions:create")), Link(IMPORT, reverse("positions:import")))
        return Panel(
            title=TITLE,
            notice=none_yet_notice(actor),
            figures=imports,
            links=(*import_links, *links) if actor.can(Action.CREATE, Position) else (),
        )

    def count(**filters) -> int:
        return selectors.position_list(actor=actor, filters=PositionFilters(**filters)).count()

    todo = (
        Figure(
            SUSPENSION_OVERDUE,
            count(suspension_overdue=True),
            list_url(suspension_overdue="on", sort=OVERDUE_SORT),
            todo=actor.can(Action.OPERATE, Position),
            hint=SUSPENSION_OVERDUE_HINT,
        ),
        Figure(
            NEEDS_VERIFICATION,
            count(needs_verification=True),
            list_url(needs_verification="on"),
            todo=actor.can(Action.UPDATE, Position),
            hint=NEEDS_VERIFICATION_HINT,
        ),
    )
    by_state = tuple(Figure(label, counts[value], list_url(state=value)) for value, label in PositionState.choices)
    total = Figure(ALL_POSITIONS, sum(counts.values()), list_url())
    return Panel(title=TITLE, figures=(*todo, *imports, *by_state, total), links=import_links)


def imports_in_progress(actor: Actor) -> tuple[tuple[Figure, ...], tuple[Link, ...]]:
    """The actor's xlsx imports in progress, while there are any (a large file is imported in the
    background, its progress kept in the cache: positions/imports/views.py): a figure leading to
    the newest one's progress page, and a link to each one's."""
    running = running_imports(actor.user.pk) if actor.can(Action.CREATE, Position) else []
    if not running:
        return (), ()
    links = tuple(
        Link(IMPORT_PROGRESS.format(name=name), reverse("positions:import_status", kwargs={"token": token}))
        for token, name in running
    )
    return (Figure(IMPORTS_RUNNING, len(running), links[0].url, todo=True, hint=IMPORTS_RUNNING_HINT),), links


PANEL = DashboardPanel(name="positions", order=20, build=positions_panel)
