"""The campaigns' panel of the 工作台: overdue steps for both sides, a reviewer's pending
verifications; every figure equals the rows its link opens."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.campaigns.choices import StepKind
from yizhan.campaigns.tests.factories import ReviewAssignmentFactory, ReviewMemberFactory
from yizhan.core.dashboard import dashboard_for
from yizhan.tests.test_dashboard import rows_behind

pytestmark = pytest.mark.django_db


def panel_figures(actor):
    return {str(f.label): f for p in dashboard_for(actor=actor).panels if p.name == "campaigns" for f in p.figures}


def test_overdue_steps_for_both_sides_and_pending_reviews(login, fed, zs_admin, xg_admin, published, reviewer, dalian):
    step = published.steps.get(kind=StepKind.NOMINATIONS)
    step.deadline = timezone.localdate() - dt.timedelta(days=2)
    step.save()
    member = ReviewMemberFactory(campaign=published, unit=dalian["xg"], account=reviewer.user)
    ReviewAssignmentFactory(nomination__campaign=published, nomination__unit=dalian["zs"], member=member)
    expected = {fed: 1, zs_admin: 1, xg_admin: 1}
    for actor, count in expected.items():
        figure = panel_figures(actor)["逾期未完成的活动步骤"]
        assert figure.count == count and figure.todo
        assert rows_behind(login(actor.user), figure.url) == count
    figure = panel_figures(reviewer)["待完成的实地核查"]
    assert figure.count == 1
    assert rows_behind(login(reviewer.user), figure.url) == 1
