"""The Wuhan demo (centres/demo.py) on its own: every state and grade, the flagged unit, idempotent,
and Wuhan's admins see nothing of another federation."""

import pytest

from yizhan.centres import demo, selectors
from yizhan.centres.choices import ApplicationState
from yizhan.centres.models import AcceptanceRound, Application, ModelCentre
from yizhan.core.audit import audit_verify
from yizhan.orgs.models import Unit, User
from yizhan.orgs.selectors import actor_for_user

pytestmark = pytest.mark.django_db


def test_wuhan_demo_covers_every_state_and_grade_and_loads_once():
    lines = demo.load()
    assert any("wh_admin" in line for line in lines)
    federation = Unit.objects.get(region__adcode="420100", depth=1)
    assert federation.name == "武汉市总工会"
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(ApplicationState.values)
    grades = dict(Application.objects.filter(state="graded").values_list("centre__code", "grade"))
    assert grades == {
        "WH-JA-C1": "excellent",
        "WH-JH-C1": "advanced",
        "WH-JA-BBT-C1": "standard",
        "WH-WC-ZNL-C1": "failed",
    }
    admin = actor_for_user(User.objects.get(username="wh_admin"))
    owing = selectors.units_owing_model_centre(actor=admin, year=demo.YEAR)
    assert [u.name for u in owing] == ["洪山区总工会"]
    counts = (Application.objects.count(), AcceptanceRound.objects.count(), ModelCentre.objects.count())
    demo.load()
    assert (Application.objects.count(), AcceptanceRound.objects.count(), ModelCentre.objects.count()) == counts
    assert audit_verify().ok
    results = selectors.acceptance_results(federation, demo.YEAR)
    assert [r.grade for r in results] == ["excellent", "advanced", "standard", "failed"]
