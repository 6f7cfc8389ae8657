"""The grants' panel of the 工作台: reports due and overdue, counted by the selector of the list it
links to; a to-do for the unit that writes them, information for the federation."""

import pytest
from django.utils import timezone

from yizhan.grants.choices import ReportState
from yizhan.grants.dashboard import grants_panel
from yizhan.grants.tests.factories import SelfEvaluationFactory

pytestmark = pytest.mark.django_db


def test_due_and_overdue_reports(dalian, fed, zs, xg, login):
    SelfEvaluationFactory(unit=dalian["zs"])  # overdue
    SelfEvaluationFactory(unit=dalian["zs"], source="campaign:2", due_on=timezone.localdate())  # due today
    SelfEvaluationFactory(unit=dalian["xg"], state=ReportState.SUBMITTED)
    panel = grants_panel(zs)
    assert [(f.count, f.todo) for f in panel.figures] == [(2, True), (1, True)]
    assert [(f.count, f.todo) for f in grants_panel(fed).figures] == [(2, False), (1, False)]
    assert [f.count for f in grants_panel(xg).figures] == [0, 0]
    client = login(zs.user)
    for figure in panel.figures:
        html = client.get(figure.url).content.decode()
        assert html.count('href="/staff/grants/reports/') - html.count('href="/staff/grants/reports/"') == figure.count


def test_no_panel_for_roles_without_reports(dalian, make_actor):
    from yizhan.core.roles import Role

    assert grants_panel(make_actor(Role.STATION_MANAGER, dalian["zs"])) is None
