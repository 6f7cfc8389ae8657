"""The acceptance's services: the checklist by level, self-check, late filing, the review, grading
(missing rate refused, nothing written), rewards, model centres, private attachments, scope."""

import datetime as dt
import io
from fractions import Fraction

import pytest
from django.utils import timezone
from PIL import Image

from yizhan.centres import selectors, services
from yizhan.centres.choices import ApplicationState, Part
from yizhan.centres.models import Application, ApplicationStateChange, Attachment, ChecklistItem
from yizhan.centres.tests.conftest import answers_all, answers_share, make_centre
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditEntry
from yizhan.positions.choices import CentreLevel, PositionKind
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def _keys(application, part):
    return [i.key for i in application.items.all() if i.part == part]


def test_checklist_follows_the_centre_level(zs, acceptance_round, dalian):
    district = services.application_create(
        actor=zs, acceptance_round=acceptance_round, centre=make_centre(dalian["zs"])
    )
    street = services.application_create(
        actor=zs, acceptance_round=acceptance_round, centre=make_centre(dalian["street"], CentreLevel.STREET)
    )
    hardware = _keys(district, Part.HARDWARE)
    assert "six-haves.reception_hall" in hardware and "centre-area.district_total" in hardware
    assert "centre-area.street_total" not in hardware and "centre-services.street_basic_1" not in hardware
    assert "centre-services.wall_notice_1" in hardware
    street_hardware = _keys(street, Part.HARDWARE)
    assert "centre-area.street_total" in street_hardware and "centre-services.street_basic_1" in street_hardware
    optional = street.items.get(key="centre-services.street_optional_1")
    assert not optional.required
    mechanisms = _keys(district, Part.MECHANISM)
    assert "centre-mechanisms.duty_register" in mechanisms and "centre-mechanisms.fund_management" in mechanisms


def test_only_centres_apply_and_once(zs, acceptance_round, centre, application, dalian):
    station = PositionFactory(unit=dalian["zs"])
    with pytest.raises(ApplicationError, match="只有职工服务中心"):
        services.application_create(actor=zs, acceptance_round=acceptance_round, centre=station)
    with pytest.raises(ApplicationError, match="已在本批次申报"):
        services.application_create(actor=zs, acceptance_round=acceptance_round, centre=centre)


def test_area_item_is_met_from_the_number(zs, application):
    services.self_check_save(
        actor=zs,
        application=application,
        answers={"centre-area.district_total": {"number": "300"}, "centre-area.district_hall": {"number": "99.9"}},
    )
    assert application.items.get(key="centre-area.district_total").self_met is True
    assert application.items.get(key="centre-area.district_hall").self_met is False
    with pytest.raises(ApplicationError, match="不小于 0 的数值"):
        services.self_check_save(
            actor=zs, application=application, answers={"centre-area.district_hall": {"number": "abc"}}
        )


def test_filing_needs_a_complete_self_check_and_report(zs, application):
    with pytest.raises(ApplicationError, match="自查未完成"):
        services.application_file(actor=zs, application=application)
    services.self_check_save(actor=zs, application=application, answers=answers_all(application))
    with pytest.raises(ApplicationError, match="请填写自查报告"):
        services.application_file(actor=zs, application=application)
    services.self_check_save(actor=zs, application=application, answers={}, self_report="自查报告")
    filed = services.application_file(actor=zs, application=application)
    assert filed.state == ApplicationState.FILED and filed.filed_on == timezone.localdate()
    assert ApplicationStateChange.objects.filter(application=filed, to_state="filed").count() == 1
    with pytest.raises(ApplicationError, match="不能再修改"):
        services.self_check_save(actor=zs, application=filed, answers={}, self_report="改")


def test_late_filing_is_refused_with_the_deadline(zs, application, acceptance_round):
    services.self_check_save(actor=zs, application=application, answers=answers_all(application), self_report="报告")
    deadline = acceptance_round.deadline
    with pytest.raises(ApplicationError) as error:
        services.application_file(actor=zs, application=application, on=deadline + dt.timedelta(days=3))
    assert f"验收申报已于 {deadline.isoformat()} 截止（逾期 3 天）" in error.value.message
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DRAFT
    # on the deadline itself it is still on time
    filed = services.application_file(actor=zs, application=application, on=deadline)
    assert filed.state == ApplicationState.FILED


def test_overdue_drafts_are_listed(zs, application, acceptance_round):
    assert not selectors.application_list(actor=zs, overdue=True).exists()
    type(acceptance_round).objects.filter(pk=acceptance_round.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    assert list(selectors.application_list(actor=zs, overdue=True)) == [application]


def _review(fed, application, hardware, mechanism, satisfied=None, responses=100):
    return services.review_save(
        actor=fed,
        application=application,
        answers=answers_share(application, hardware, mechanism),
        questionnaire_responses=responses if satisfied is not None else None,
        questionnaire_satisfied=satisfied,
    )


def test_review_grade_and_reward(fed, filed):
    hardware = len([i for i in filed.items.all() if i.part == Part.HARDWARE and i.required])
    mechanism = len([i for i in filed.items.all() if i.part == Part.MECHANISM and i.required])
    _review(fed, filed, hardware, mechanism, satisfied=80)
    services.application_transition(actor=fed, application=filed, to_state=ApplicationState.REVIEWED)
    graded = services.application_grade(actor=fed, application=filed)
    assert graded.grade == "excellent"
    assert graded.hardware_met == graded.hardware_applicable == hardware
    assert graded.explanation[-1].startswith("结论：优秀")
    rewarded = services.reward_record(actor=fed, application=graded, reward="优秀职工服务中心", amount_fen=5_000_000)
    assert rewarded.reward_fen == 5_000_000


def test_grading_with_a_missing_satisfaction_writes_nothing(fed, filed):
    hardware = len([i for i in filed.items.all() if i.part == Part.HARDWARE and i.required])
    _review(fed, filed, hardware, 12)
    services.application_transition(actor=fed, application=filed, to_state=ApplicationState.REVIEWED)
    entries = AuditEntry.objects.count()
    with pytest.raises(ApplicationError, match="缺少职工满意率，不能评定等次"):
        services.application_grade(actor=fed, application=filed)
    stored = Application.objects.get(pk=filed.pk)
    assert stored.state == ApplicationState.REVIEWED and stored.grade == "" and stored.explanation == []
    assert AuditEntry.objects.count() == entries


def test_one_item_short_of_eighty_percent_is_advanced(fed, filed):
    # Exactly at 80 % hardware passes 优秀; one item fewer does not.
    counted = [i for i in filed.items.all() if i.part == Part.HARDWARE and i.required]
    n = len(counted)
    at_80 = -(-n * 4 // 5)  # ceil(0.8 n)
    _review(fed, filed, at_80, 12, satisfied=90)
    stored = Application.objects.get(pk=filed.pk)
    assert stored.rates()["hardware"] >= Fraction(4, 5)
    assert stored.verdict().grade == "excellent"
    _review(fed, filed, at_80 - 1, 12, satisfied=90)
    stored = Application.objects.get(pk=filed.pk)
    assert stored.rates()["hardware"] < Fraction(4, 5)
    assert stored.verdict().grade == "advanced"


def test_review_needs_every_item_and_the_methods(fed, filed):
    with pytest.raises(ApplicationError, match="考核未完成"):
        services.application_transition(actor=fed, application=filed, to_state=ApplicationState.REVIEWED)
    key = filed.items.first().key
    with pytest.raises(ApplicationError, match="请注明考核方式"):
        services.review_save(actor=fed, application=filed, answers={key: {"met": True}})
    with pytest.raises(ApplicationError, match="看、查、谈"):
        services.review_save(actor=fed, application=filed, answers={key: {"met": True, "methods": ["smell"]}})
    with pytest.raises(ApplicationError, match="不能多于样本数"):
        services.review_save(actor=fed, application=filed, questionnaire_responses=10, questionnaire_satisfied=11)


def test_satisfaction_from_the_ledger_selector(fed, filed, dalian):
    from yizhan.ledger.tests.factories import FeedbackFactory

    for rating in (5, 5, 4, 2):
        FeedbackFactory(position=filed.centre, rating=rating)
    ledger = services.ledger_satisfaction_for(actor=fed, application=filed)
    assert (ledger.responses, ledger.satisfied) == (4, 3)
    reviewed = services.review_save(
        actor=fed, application=filed, ledger_satisfaction=ledger, questionnaire_responses=6, questionnaire_satisfied=6
    )
    assert reviewed.rates()["satisfaction"] == Fraction(9, 10)


def test_unit_admin_cannot_review_grade_or_return(zs, filed):
    with pytest.raises(PermissionDeniedError):
        services.review_save(actor=zs, application=filed, questionnaire_responses=1, questionnaire_satisfied=1)
    with pytest.raises(PermissionDeniedError):
        services.application_transition(actor=zs, application=filed, to_state="draft", reason="x")


def test_return_to_draft_needs_a_reason(fed, filed):
    with pytest.raises(ApplicationError, match="须说明原因"):
        services.application_transition(actor=fed, application=filed, to_state="draft")
    back = services.application_transition(actor=fed, application=filed, to_state="draft", reason="台账不全")
    assert back.state == ApplicationState.DRAFT


def test_scope_another_unit_and_another_federation_are_denied(
    xg, other_federation, application, acceptance_round, centre
):
    for actor in (xg, other_federation):
        with pytest.raises(NotFoundError):
            services.self_check_save(actor=actor, application=application, answers={})
        with pytest.raises(NotFoundError):
            services.application_file(actor=actor, application=application)
        assert not selectors.application_list(actor=actor).exists()
    with pytest.raises(NotFoundError):
        services.application_create(actor=xg, acceptance_round=acceptance_round, centre=centre)
    # the other federation does not even see Dalian's round
    with pytest.raises(NotFoundError):
        services.application_create(actor=other_federation, acceptance_round=acceptance_round, centre=centre)
    assert not selectors.round_list(actor=other_federation).exists()
    assert list(selectors.round_list(actor=xg)) == [acceptance_round]


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def test_attachments_are_private_and_checked(zs, application, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = services.attachment_add(
        actor=zs, application=application, data=_jpeg(), caption="大厅", item_key="six-haves.reception_hall"
    )
    ledger = services.attachment_add(
        actor=zs, application=application, data=b"%PDF-1.4\n1 0 obj\n%%EOF\n", caption="台账"
    )
    assert (photo.kind, ledger.kind) == ("photo", "ledger")
    assert (tmp_path / "media" / photo.file.name).exists()
    # private (decision 36): never under the public media URL
    assert photo.file.url.startswith("/files/") and ledger.file.url.startswith("/files/")
    with pytest.raises(ApplicationError, match="只接受照片"):
        services.attachment_add(actor=zs, application=application, data=b"MZ\x90\x00 not a file")
    assert Attachment.objects.count() == 2


def test_model_centres_and_the_flagged_units(fed, zs, dalian, centre):
    year = timezone.localdate().year
    owing = selectors.units_owing_model_centre(actor=fed, year=year)
    assert {u.code for u in owing} == {"DL-ZS", "DL-XG"}
    services.model_centre_designate(actor=zs, unit=dalian["zs"], centre=centre, year=year, note="示范")
    assert [u.code for u in selectors.units_owing_model_centre(actor=fed, year=year)] == ["DL-XG"]
    assert selectors.units_owing_model_centre(actor=zs, year=year) == []
    with pytest.raises(ApplicationError, match="已登记为"):
        services.model_centre_designate(actor=fed, unit=dalian["zs"], centre=centre, year=year)


def test_a_round_once_a_year_by_a_federation(fed, zs, dalian, acceptance_round):
    with pytest.raises(ApplicationError, match="已经建立"):
        services.round_create(
            actor=fed, unit=dalian["city"], year=acceptance_round.year, deadline=acceptance_round.deadline
        )
    with pytest.raises(PermissionDeniedError):
        services.round_create(actor=zs, unit=dalian["zs"], year=2030, deadline=dt.date(2030, 10, 30))
    with pytest.raises(ApplicationError, match="由总工会建立"):
        services.round_create(actor=fed, unit=dalian["zs"], year=2030, deadline=dt.date(2030, 10, 30))


def test_results_are_public_facts_only_and_best_first(fed, filed, dalian):
    hardware = len([i for i in filed.items.all() if i.part == Part.HARDWARE and i.required])
    _review(fed, filed, hardware, 12, satisfied=70)
    services.application_transition(actor=fed, application=filed, to_state=ApplicationState.REVIEWED)
    services.application_grade(actor=fed, application=filed)
    results = selectors.acceptance_results(dalian["city"], filed.round.year)
    assert [(r.centre, r.grade_label, r.satisfaction) for r in results] == [
        (filed.centre.official_name, "先进", "70.0%")
    ]
    assert ChecklistItem.objects.filter(application=filed).exists()
    assert filed.centre.kind == PositionKind.CENTRE


def test_a_large_state_owned_enterprise_centre_needs_200_square_metres_the_others_100(zs, acceptance_round, dalian):
    """Spec §3: an enterprise centre ≥ 200 m² in a large state-owned enterprise, ≥ 100 m² in the others."""
    ordinary = services.application_create(
        actor=zs, acceptance_round=acceptance_round, centre=make_centre(dalian["zs"], CentreLevel.ENTERPRISE)
    )
    soe_centre = make_centre(dalian["street"], CentreLevel.ENTERPRISE)
    soe = services.application_create(
        actor=zs, acceptance_round=acceptance_round, centre=soe_centre, large_state_owned=True
    )
    assert soe.large_state_owned and not ordinary.large_state_owned
    assert "centre-area.enterprise_soe_total" not in _keys(ordinary, Part.HARDWARE)
    assert "centre-area.enterprise_total" in _keys(ordinary, Part.HARDWARE)
    soe_item = soe.items.get(key="centre-area.enterprise_soe_total")
    assert soe_item.required and soe_item.minimum == 200
    answers = {"centre-area.enterprise_soe_total": {"number": "150"}, "centre-area.enterprise_total": {"number": "150"}}
    services.self_check_save(actor=zs, application=soe, answers=answers)
    services.self_check_save(
        actor=zs, application=ordinary, answers={"centre-area.enterprise_total": {"number": "150"}}
    )
    assert soe.items.get(key="centre-area.enterprise_soe_total").self_met is False
    assert ordinary.items.get(key="centre-area.enterprise_total").self_met is True


def test_the_api_opens_a_large_state_owned_enterprise_centre(zs, acceptance_round, dalian, login):
    import json

    client = login(zs.user)
    centre = make_centre(dalian["zs"], CentreLevel.ENTERPRISE)
    body = {"round_id": acceptance_round.pk, "centre_id": centre.pk, "large_state_owned": True}
    answer = client.post("/api/v1/centres", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["large_state_owned"] is True
    assert "centre-area.enterprise_soe_total" in [item["key"] for item in answer.json()["items"]]


def test_only_an_enterprise_centre_is_assessed_as_a_large_state_owned_enterprise(zs, acceptance_round, dalian):
    with pytest.raises(ApplicationError, match="只有企业职工服务中心"):
        services.application_create(
            actor=zs, acceptance_round=acceptance_round, centre=make_centre(dalian["zs"]), large_state_owned=True
        )
    assert not Application.objects.exists()
