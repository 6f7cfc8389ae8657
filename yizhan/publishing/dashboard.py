"""Publishing's panel of the 工作台 (issue 20 §4): per map platform, the map points of the actor's
unit subtree that are out of date (new, moved, renamed or closed since the last marking), each a
link to the list of exactly those rows (the same difference counts them). They are work to do
(今日待办) for the admins of a subtree that marks on that platform, i.e. has recorded a marking
there; before the first one they are shown as figures only, so a unit that does not mark on a
platform is not told every day that all its stations are missing from it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Panel
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.publishing.choices import MapPlatform
from yizhan.publishing.marking import out_of_date_count
from yizhan.publishing.models import MapMarking

TITLE = _("地图平台标注")
OUT_OF_DATE = {
    MapPlatform.AMAP: _("高德地图待更新点位"),
    MapPlatform.BAIDU: _("百度地图待更新点位"),
}
HINT = _("下载差异文件，上传到地图平台后记录本次标注")


def out_of_date_url(platform: str, unit_code: str) -> str:
    return reverse("publishing:out_of_date", args=[platform]) + "?" + urlencode({"unit": unit_code})


def publishing_panel(actor: Actor) -> Panel | None:
    if not actor.can(Action.VIEW, MapMarking):
        return None
    may_mark = actor.can(Action.CREATE, MapMarking)
    marked = set(
        MapMarking.objects.restrict(actor)
        .filter(unit__path__startswith=actor.unit.path)
        .values_list("platform", flat=True)
    )
    figures = tuple(
        Figure(
            OUT_OF_DATE[platform],
            out_of_date_count(unit=actor.unit, platform=platform),
            out_of_date_url(platform, actor.unit.code),
            todo=may_mark and platform in marked,
            hint=HINT,
        )
        for platform in MapPlatform
    )
    return Panel(title=TITLE, figures=figures)


PANEL = DashboardPanel(name="publishing", order=60, build=publishing_panel)
