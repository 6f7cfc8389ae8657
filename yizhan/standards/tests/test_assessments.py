"""Assessments against published standard versions (issue 16 §2) and the rating service that
writes a station's stars from one (§3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Role
from yizhan.ledger.tests.factories import DailyLedgerFactory, FeedbackFactory
from yizhan.orgs.choices import UnitType
from yizhan.positions.choices import CentreLevel, PositionKind, PositionState
from yizhan.positions.tests.factories import PositionFactory
from yizhan.standards import services
from yizhan.standards.assessments import assessment_record, ratings_review, service_failure_record, station_rate
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Assessment, AssessmentAnswer, ServiceFailure, Standard, StarRatingRecord
from yizhan.standards.selectors import star_rating_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation(dalian):
    with audit_context(actor_name="test"):
        services.standard_defaults_load(unit=dalian["city"])
    return dalian["city"]


@pytest.fixture
def admin(make_actor, federation):
    return make_actor(Role.FEDERATION_ADMIN, federation)


@pytest.fixture
def station(dalian):
    return PositionFactory(unit=dalian["street"], state=PositionState.OPERATING)


def _version(federation, code):
    return Standard.objects.get(unit=federation, code=code).versions.get(state=VersionState.PUBLISHED)


def _all_yes(version, **overrides):
    return {**{item.key: True for item in version.items.all() if item.applies_to("station")}, **overrides}


def test_compliance_is_required_items_met_over_applicable(federation, admin, station):
    version = _version(federation, "nine-haves")
    answers = _all_yes(version, online_map=False, sustained_funding="否")
    assessment = assessment_record(
        actor=admin,
        position=station,
        version=version,
        assessed_on=timezone.localdate(),
        answers=answers,
        notes={"online_map": "高德地图上查不到"},
    )
    assert (assessment.applicable, assessment.met, assessment.compliance) == (9, 7, Decimal("0.7778"))
    assert assessment.answers.get(item__key="online_map").note == "高德地图上查不到"
    # Optional facilities are answered and kept, but not counted.
    facilities = _version(federation, "facilities")
    answers = {item.key: not item.required for item in facilities.items.all()}
    answers["drinking_water"] = True
    assessment = assessment_record(
        actor=admin, position=station, version=facilities, assessed_on=timezone.localdate(), answers=answers
    )
    assert (assessment.applicable, assessment.met) == (7, 1)
    assert assessment.answers.filter(met=True).count() == 9


def test_a_centre_is_measured_against_its_level(federation, admin, dalian):
    centre = PositionFactory(
        unit=dalian["zs"],
        kind=PositionKind.CENTRE,
        centre_level=CentreLevel.DISTRICT,
        official_name="中山区职工服务中心",
    )
    version = _version(federation, "centre-area")
    answers = {"district_total": "320", "district_hall": 90, "district_other": "230.5"}
    assessment = assessment_record(
        actor=admin, position=centre, version=version, assessed_on=timezone.localdate(), answers=answers
    )
    assert (assessment.applicable, assessment.met) == (3, 2)
    assert assessment.answers.get(item__key="district_other").number == Decimal("230.50")
    with pytest.raises(ApplicationError) as refused:
        assessment_record(
            actor=admin,
            position=centre,
            version=version,
            assessed_on=timezone.localdate(),
            answers={**answers, "street_total": "200"},
        )
    assert refused.value.field == "answers"


def test_only_a_published_version_is_assessed(federation, admin, station):
    version = _version(federation, "nine-haves")
    draft = services.standard_draft_create(actor=admin, standard=version.standard)
    today = timezone.localdate()
    with pytest.raises(ApplicationError, match="只能按现行版本评估：第2版为草稿"):
        assessment_record(actor=admin, position=station, version=draft, assessed_on=today, answers=_all_yes(draft))
    services.standard_version_publish(actor=admin, version=draft)
    version.refresh_from_db()
    with pytest.raises(ApplicationError, match="第1版为已废止"):
        assessment_record(actor=admin, position=station, version=version, assessed_on=today, answers=_all_yes(version))
    assert not Assessment.objects.exists() and not AssessmentAnswer.objects.exists()
    # An earlier assessment keeps pointing to the version it used.
    assessment = assessment_record(
        actor=admin, position=station, version=draft, assessed_on=today, answers=_all_yes(draft)
    )
    assert assessment.version == draft


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fixed_space": "也许"}, "fixed_space"),
        ({"fixed_space": ""}, "fixed_space"),
        ({"fixed_space": [1]}, "fixed_space"),
        ({"no_such_item": True}, "answers"),
    ],
)
def test_a_bad_answer_writes_nothing(federation, admin, station, change, field):
    version = _version(federation, "nine-haves")
    with pytest.raises(ApplicationError) as refused:
        assessment_record(
            actor=admin,
            position=station,
            version=version,
            assessed_on=timezone.localdate(),
            answers=_all_yes(version, **change),
        )
    assert refused.value.field == field
    assert not Assessment.objects.exists() and not AssessmentAnswer.objects.exists()


def test_bad_numbers_choices_and_dates(federation, admin, dalian, station):
    centre = PositionFactory(
        unit=dalian["zs"], kind=PositionKind.CENTRE, centre_level=CentreLevel.STREET, official_name="街道职工服务中心"
    )
    area = _version(federation, "centre-area")
    for bad in ("-1", "1e9", "abc", True):
        with pytest.raises(ApplicationError, match="数值"):
            assessment_record(
                actor=admin,
                position=centre,
                version=area,
                assessed_on=timezone.localdate(),
                answers={"street_total": bad},
            )
    version = _version(federation, "nine-haves")
    today = timezone.localdate()
    for day, message in ((today + timedelta(days=1), "不能晚于今天"), (today.replace(year=1900), "不能早于")):
        with pytest.raises(ApplicationError, match=message):
            assessment_record(
                actor=admin, position=station, version=version, assessed_on=day, answers=_all_yes(version)
            )
    missing = _all_yes(version)
    del missing["fixed_space"]
    with pytest.raises(ApplicationError, match="请填写条目"):
        assessment_record(
            actor=admin, position=station, version=version, assessed_on=timezone.localdate(), answers=missing
        )
    assert not Assessment.objects.exists()


def test_a_district_admin_assesses_only_its_own_positions(federation, dalian, make_actor, make_unit):
    version = _version(federation, "nine-haves")
    xg_station = PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING)
    zs_admin = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(NotFoundError):
        assessment_record(
            actor=zs_admin,
            position=xg_station,
            version=version,
            assessed_on=timezone.localdate(),
            answers=_all_yes(version),
        )
    own = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING)
    assessment_record(
        actor=zs_admin, position=own, version=version, assessed_on=timezone.localdate(), answers=_all_yes(version)
    )
    with pytest.raises(PermissionDeniedError):
        assessment_record(
            actor=make_actor(Role.STATION_MANAGER, dalian["street"]),
            position=own,
            version=version,
            assessed_on=timezone.localdate(),
            answers=_all_yes(version),
        )
    # Another federation's standard does not apply to Dalian's positions.
    elsewhere = make_unit(UnitType.CITY_FEDERATION)
    with audit_context(actor_name="test"):
        services.standard_defaults_load(unit=elsewhere)
    with pytest.raises(ApplicationError, match="不适用于该服务阵地"):
        assessment_record(
            actor=zs_admin,
            position=own,
            version=_version(elsewhere, "nine-haves"),
            assessed_on=timezone.localdate(),
            answers=_all_yes(version),
        )


def test_the_api_records_and_shows_an_assessment(federation, dalian, station, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    version = _version(federation, "nine-haves")
    payload = {
        "position": station.pk,
        "version": version.pk,
        "assessed_on": timezone.localdate().isoformat(),
        "answers": _all_yes(version, online_map=False),
        "notes": {"online_map": "未上图"},
    }
    created = client.post("/api/v1/assessments", payload, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["applicable"], body["met"], Decimal(body["compliance"])) == (9, 8, Decimal("0.8889"))
    assert len(body["answers"]) == 9 and body["standard"] == "nine-haves"
    detail = client.get(f"/api/v1/assessments/{body['id']}").json()
    assert next(a for a in detail["answers"] if a["item"] == "online_map")["note"] == "未上图"
    draft = client.post("/api/v1/assessments", {**payload, "version": 999999}, content_type="application/json")
    assert draft.status_code == 400 and draft.json()["field"] == "version"


# --- the rating service ------------------------------------------------------------------------


def _rate(admin, station, federation, *, answers=None, period=2026, periodic=True):
    today = timezone.localdate()
    version = _version(federation, "star-rating")
    assessment = assessment_record(
        actor=admin, position=station, version=version, assessed_on=today, answers=answers or _all_yes(version)
    )
    return station_rate(
        actor=admin,
        assessment=assessment,
        period=period,
        date_from=today - timedelta(days=29),
        date_to=today,
        periodic=periodic,
    )


def test_the_rating_service_writes_the_stars_and_keeps_the_history(federation, admin, station):
    today = timezone.localdate()
    for offset in range(10):
        DailyLedgerFactory(position=station, day=today - timedelta(days=offset))
    for _ in range(10):
        FeedbackFactory(position=station, rating=5)
    record = _rate(admin, station, federation)
    # Everything found, the only station of its district (ratio 1), everyone satisfied: 100 → 5★.
    assert record.total == 100 and record.stars == 5 and record.stars_after == 5 and record.stars_before is None
    assert record.lines[-1] == "100.00 分 ≥ 90 分，评为5星级"
    station.refresh_from_db()
    assert (station.star_rating, station.star_rated_on) == ("5", today)
    # An inspection finds the microwave gone: no star, a rectification, downgraded at once.
    version = _version(federation, "star-rating")
    inspected = _rate(admin, station, federation, answers=_all_yes(version, microwave=False), periodic=False)
    assert inspected.stars is None and inspected.rectification_required and inspected.stars_after is None
    assert "缺少必备设施（微波炉）" in inspected.verdict and "立即降级" in inspected.verdict
    station.refresh_from_db()
    assert (station.star_rating, station.star_rated_on) == ("", None)
    assert [r.pk for r in star_rating_history(actor=admin, position_id=station.pk)] == [inspected.pk, record.pk]


def test_an_inspection_never_raises_the_stars(federation, admin, station):
    version = _version(federation, "star-rating")
    # No ledger, no feedback: 40 + 20 = 60 → no star.
    first = _rate(admin, station, federation)
    assert first.total == 60 and first.stars is None
    again = _rate(admin, station, federation, answers=_all_yes(version), periodic=False)
    assert again.stars_after is None
    assert StarRatingRecord.objects.filter(position=station).count() == 2


def test_only_an_operating_station_with_a_rating_assessment_is_rated(federation, admin, station, dalian):
    version = _version(federation, "nine-haves")
    assessment = assessment_record(
        actor=admin, position=station, version=version, assessed_on=timezone.localdate(), answers=_all_yes(version)
    )
    today = timezone.localdate()
    with pytest.raises(ApplicationError, match="星级评定现场检查"):
        station_rate(actor=admin, assessment=assessment, period=2026, date_from=today, date_to=today)
    rating_version = _version(federation, "star-rating")
    on_site = assessment_record(
        actor=admin, position=station, version=rating_version, assessed_on=today, answers=_all_yes(rating_version)
    )
    with pytest.raises(ApplicationError, match="统计期间无效"):
        station_rate(actor=admin, assessment=on_site, period=2026, date_from=today, date_to=today + timedelta(days=1))
    centre = PositionFactory(unit=dalian["zs"], kind=PositionKind.CENTRE, centre_level=CentreLevel.STREET)
    suspended = PositionFactory(unit=dalian["zs"], state=PositionState.SUSPENDED, state_reason="维修")
    for position, message in ((centre, "只有户外劳动者服务站点"), (suspended, "只有运营中的站点")):
        found = Assessment(
            position=position, version=rating_version, assessed_on=today, applicable=0, met=0, compliance=1
        )
        with audit_context(actor_name="test"):
            found.save()
        with pytest.raises(ApplicationError, match=message):
            station_rate(actor=admin, assessment=found, period=2026, date_from=today, date_to=today)
    assert not StarRatingRecord.objects.exists()


def test_the_api_rates_and_shows_the_history(federation, dalian, station, make_user, login):
    client = login(make_user(Role.FEDERATION_ADMIN, federation))
    version = _version(federation, "star-rating")
    today = timezone.localdate()
    payload = {"position": station.pk, "version": version.pk, "assessed_on": today.isoformat()}
    created = client.post(
        "/api/v1/assessments", {**payload, "answers": _all_yes(version)}, content_type="application/json"
    ).json()
    rate_payload = {"period": 2026, "date_from": (today - timedelta(days=29)).isoformat(), "date_to": today.isoformat()}
    rated = client.post(f"/api/v1/assessments/{created['id']}/rate", rate_payload, content_type="application/json")
    assert rated.status_code == 201
    body = rated.json()
    assert Decimal(body["total"]) == 60 and body["stars"] is None and body["policy_version"] is None
    assert body["lines"][-2] == "合计：40.00 + 20.00 + 0.00 + 0.00 = 60.00 分"
    history = client.get(f"/api/v1/assessments/positions/{station.pk}/ratings").json()
    assert [r["id"] for r in history] == [body["id"]]
    late = client.post(
        f"/api/v1/assessments/{created['id']}/rate",
        {**rate_payload, "date_to": (today + timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert late.status_code == 400 and "统计期间无效" in late.json()["detail"]


def test_the_review_delists_after_two_unrated_periods(federation, admin, dalian, make_user, capsys):
    old = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING, opened_on=date(2024, 3, 1))
    new = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING, opened_on=date(2026, 3, 1))
    never = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING)
    for period in (2025, 2026):
        _rate(admin, old, federation, period=period)  # 60 points each time: no star
    _rate(admin, new, federation, period=2026)
    due = ratings_review(actor=admin, period=2026)
    assert [(d.position, d.reason) for d in due] == [(old, "连续 2 个评定周期（2025–2026）未评上星级，摘牌")]
    assert never not in [d.position for d in due]
    old.refresh_from_db()
    assert old.state == PositionState.OPERATING  # listed, not changed
    # Counted from the opening year: 2024 alone is one period, not two.
    assert ratings_review(actor=admin, period=2024) == []
    username = make_user(Role.FEDERATION_ADMIN, federation).username
    call_command("ratings_review", "2026", "--as", username)
    assert "将被摘牌" in capsys.readouterr().out
    call_command("ratings_review", "2026", "--as", username, "--confirm")
    assert "已摘牌 1 处" in capsys.readouterr().out
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == PositionState.DELISTED and "未评上星级" in old.state_reason
    assert new.state == PositionState.OPERATING
    assert ratings_review(actor=admin, period=2026) == []


def test_an_inspection_finding_that_it_cannot_serve_delists_in_its_year(federation, admin, dalian):
    found_on = timezone.localdate()
    opened = date(found_on.year - 3, 3, 1)
    station = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING, opened_on=opened)
    rated = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING, opened_on=opened)
    failure = service_failure_record(actor=admin, position=station, found_on=found_on, source="inspection:7")
    again = service_failure_record(actor=admin, position=station, found_on=found_on, source="inspection:7")
    assert again.pk == failure.pk and ServiceFailure.objects.count() == 1
    due = ratings_review(actor=admin, period=found_on.year)
    assert (station, "检查发现不能正常提供服务，摘牌") in [(d.position, d.reason) for d in due]
    # Another year's review does not read this year's finding (the opening year alone delists nothing).
    assert ratings_review(actor=admin, period=found_on.year - 3) == []
    with pytest.raises(ApplicationError, match="发现日期不能晚于今天"):
        service_failure_record(
            actor=admin, position=rated, found_on=found_on + timedelta(days=1), source="inspection:8"
        )
    assert ServiceFailure.objects.count() == 1


def test_a_district_admin_cannot_record_a_finding_on_another_district(federation, dalian, make_actor):
    other = PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING)
    with pytest.raises(NotFoundError):
        service_failure_record(
            actor=make_actor(Role.UNIT_ADMIN, dalian["zs"]),
            position=other,
            found_on=timezone.localdate(),
            source="inspection:9",
        )


def test_the_review_is_for_those_who_rate(federation, dalian, make_actor):
    with pytest.raises(PermissionDeniedError):
        ratings_review(actor=make_actor(Role.STATION_MANAGER, dalian["street"]), period=2026)


def test_the_form_prefills_what_the_record_knows(federation, dalian, make_user, login):
    station = PositionFactory(
        unit=dalian["street"], state=PositionState.OPERATING, facilities=["drinking_water", "wifi"]
    )
    centre = PositionFactory(
        unit=dalian["zs"], kind=PositionKind.CENTRE, centre_level=CentreLevel.DISTRICT, floor_area=Decimal("320.5")
    )
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    version = _version(federation, "star-rating")
    form = client.get(f"/api/v1/assessments/form?position={station.pk}&version={version.pk}")
    assert form.status_code == 200
    known = {item["key"]: item["known"] for item in form.json()["items"]}
    assert known["drinking_water"] is True and known["wifi"] is True and known["microwave"] is False
    assert known["rules_posted"] is None and len(known) == 15 + 4
    area = _version(federation, "centre-area")
    items = client.get(f"/api/v1/assessments/form?position={centre.pk}&version={area.pk}").json()["items"]
    assert [(i["key"], i["known"]) for i in items] == [
        ("district_total", "320.5"),
        ("district_hall", None),
        ("district_other", None),
    ]
    # A station has nothing to fill in the centres' standard; a draft is no form.
    empty = client.get(f"/api/v1/assessments/form?position={station.pk}&version={area.pk}")
    assert empty.status_code == 400 and "没有适用" in empty.json()["detail"]
    other = client.get(f"/api/v1/assessments/form?position={station.pk}&version=999999")
    assert other.status_code == 400 and other.json()["field"] == "version"
    xg = PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING)
    assert client.get(f"/api/v1/assessments/form?position={xg.pk}&version={version.pk}").status_code == 404


def test_an_assessment_corrects_the_record_when_asked(federation, admin, dalian):
    station = PositionFactory(
        unit=dalian["street"], state=PositionState.OPERATING, facilities=["drinking_water", "wifi"]
    )
    version = _version(federation, "star-rating")
    today = timezone.localdate()
    answers = _all_yes(version, wifi=False, toilet="否")
    assessment_record(actor=admin, position=station, version=version, assessed_on=today, answers=answers)
    station.refresh_from_db()
    assert station.facilities == ["drinking_water", "wifi"]  # not asked: the record stays
    assessment_record(
        actor=admin, position=station, version=version, assessed_on=today, answers=answers, correct_record=True
    )
    station.refresh_from_db()
    expected = {key for key, value in answers.items() if value is True and key not in ("rules_posted",)}
    assert set(station.facilities) == expected - {"manager_assigned", "ledger_current", "info_shown"}
    assert "wifi" not in station.facilities and "toilet" not in station.facilities
    centre = PositionFactory(
        unit=dalian["zs"],
        kind=PositionKind.CENTRE,
        centre_level=CentreLevel.STREET,
        official_name="青泥洼桥街道职工服务中心",
        floor_area=Decimal(150),
    )
    area = _version(federation, "centre-area")
    assessment_record(
        actor=admin,
        position=centre,
        version=area,
        assessed_on=today,
        answers={"street_total": "210"},
        correct_record=True,
    )
    centre.refresh_from_db()
    assert centre.floor_area == Decimal(210)


def test_the_review_api_lists_then_delists_only_when_confirmed(federation, admin, dalian, make_user, login):
    old = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING, opened_on=date(2024, 3, 1))
    for period in (2025, 2026):
        _rate(admin, old, federation, period=period)  # no star either time
    client = login(make_user(Role.FEDERATION_ADMIN, federation))
    listed = client.post("/api/v1/assessments/review", {"period": 2026}, content_type="application/json")
    assert listed.status_code == 200
    body = listed.json()
    assert body["confirmed"] is False
    assert [(d["code"], d["reason"]) for d in body["delistings"]] == [
        (old.code, "连续 2 个评定周期（2025–2026）未评上星级，摘牌")
    ]
    old.refresh_from_db()
    assert old.state == PositionState.OPERATING
    station_manager = login(make_user(Role.STATION_MANAGER, dalian["street"]))
    denied = station_manager.post(
        "/api/v1/assessments/review", {"period": 2026, "confirm": True}, content_type="application/json"
    )
    assert denied.status_code == 403
    bad = client.post("/api/v1/assessments/review", {"period": "去年"}, content_type="application/json")
    assert bad.status_code == 422
    done = client.post("/api/v1/assessments/review", {"period": 2026, "confirm": True}, content_type="application/json")
    assert done.status_code == 200 and done.json()["confirmed"] is True
    old.refresh_from_db()
    assert old.state == PositionState.DELISTED
