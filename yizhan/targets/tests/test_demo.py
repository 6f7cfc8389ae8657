"""The demo's targets: Dalian's districts on track or met, 金州区 behind and flagged on the
federation admin's 工作台; loading again changes nothing."""

import pytest

from yizhan.core.dashboard import dashboard_for
from yizhan.orgs.models import Membership
from yizhan.orgs.selectors import actor_for_user
from yizhan.targets import demo as targets_demo
from yizhan.targets.models import ReportedFigure, Target
from yizhan.targets.progress import Status
from yizhan.targets.selectors import progress_of

pytestmark = pytest.mark.django_db


def test_demo_targets(demo):
    from yizhan.targets import demo as loader

    rows = [progress_of(t) for t in Target.objects.filter(unit__path__startswith="0001").select_related("unit")]
    by_code = {(row.target.unit.code, row.target.metric): row.status for row in rows}
    assert by_code[("DL-JZ", "stations_operating")] == Status.BEHIND
    for code in loader.ON_TRACK:
        assert by_code[(code, "stations_operating")] in (Status.ON_TRACK, Status.MET)
    assert by_code[(loader.MET, "stations_operating")] == Status.MET
    assert ReportedFigure.objects.filter(unit__code="DL-ZS").count() == 3
    membership = Membership.objects.select_related("user", "unit").get(user__username="fed_admin", unit__code="DL")
    (panel,) = [
        p for p in dashboard_for(actor=actor_for_user(membership.user, membership)).panels if p.name == "targets"
    ]
    assert "金州区总工会" in panel.notice and panel.figures[0].count >= 1
    before = (Target.objects.count(), ReportedFigure.objects.count())
    loader.load()
    assert (Target.objects.count(), ReportedFigure.objects.count()) == before


def test_the_module_is_the_loader():
    assert targets_demo.load.__module__ == "yizhan.targets.demo"
