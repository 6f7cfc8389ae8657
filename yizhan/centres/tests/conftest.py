"""A small federation with the shipped standards, a centre at each level and an open round."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.centres import services
from yizhan.centres.choices import CheckType, Part
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.positions.choices import CentreLevel, PositionKind
from yizhan.positions.tests.factories import PositionFactory
from yizhan.standards.services import standard_defaults_load


@pytest.fixture
def fed(dalian, make_actor):
    standard_defaults_load(unit=dalian["city"])
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


@pytest.fixture
def zs(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["zs"])


@pytest.fixture
def xg(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["xg"])


@pytest.fixture
def other_federation(make_unit, make_actor):
    """A second federation (its own root): its admin must see nothing of Dalian's."""
    root = make_unit(UnitType.CITY_FEDERATION, name="武汉市总工会", code="WHX")
    standard_defaults_load(unit=root)
    return make_actor(Role.FEDERATION_ADMIN, root)


def make_centre(unit, level=CentreLevel.DISTRICT, **fields):
    return PositionFactory(
        unit=unit, kind=PositionKind.CENTRE, centre_level=level, official_name=f"{unit.name}职工服务中心", **fields
    )


@pytest.fixture
def centre(dalian):
    return make_centre(dalian["zs"])


@pytest.fixture
def xg_centre(dalian):
    return make_centre(dalian["xg"], CentreLevel.STREET)


@pytest.fixture
def acceptance_round(fed, dalian):
    today = timezone.localdate()
    return services.round_create(
        actor=fed, unit=dalian["city"], year=today.year, deadline=today + dt.timedelta(days=30)
    )


@pytest.fixture
def application(zs, acceptance_round, centre):
    return services.application_create(actor=zs, acceptance_round=acceptance_round, centre=centre)


def answers_all(application, met=True, *, methods=None) -> dict:
    out = {}
    for item in application.items.all():
        answer = {"note": "已核实"}
        if item.check_type == CheckType.NUMBER:
            answer["number"] = (item.minimum or 0) + (50 if met else -1)
        else:
            answer["met"] = met
        if methods is not None:
            answer["methods"] = methods
        out[item.key] = answer
    return out


def answers_share(application, hardware: int, mechanism: int, *, methods=("look",)) -> dict:
    """Meet exactly `hardware` counted hardware items and `mechanism` counted mechanism items."""
    out = {}
    wanted = {Part.HARDWARE: hardware, Part.MECHANISM: mechanism}
    seen = {Part.HARDWARE: 0, Part.MECHANISM: 0}
    for item in application.items.all():
        met = True
        if item.required:
            met = seen[item.part] < wanted[item.part]
            seen[item.part] += 1
        answer = {"methods": list(methods)}
        if item.check_type == CheckType.NUMBER:
            answer["number"] = (item.minimum or 0) + (10 if met else -1)
        else:
            answer["met"] = met
        out[item.key] = answer
    return out


@pytest.fixture
def filed(zs, application):
    services.self_check_save(
        actor=zs, application=application, answers=answers_all(application), self_report="自查报告"
    )
    return services.application_file(actor=zs, application=application)
