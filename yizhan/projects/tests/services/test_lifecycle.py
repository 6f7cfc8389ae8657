"""The project lifecycle of spec §9 through the services: every move, the qualification check, the
selection of qualified organisations only, the agreement, reports, evaluation and archiving."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditEntry
from yizhan.projects import choices, services
from yizhan.projects.choices import PROJECT_FLOW, ApplicationState, ProjectState
from yizhan.projects.models import Application, ProjectStateChange, ServiceProject
from yizhan.projects.qualification import CERTIFICATE_EXPIRED
from yizhan.projects.tests.factories import (
    ApplicationFactory,
    PerformanceReportFactory,
    ServiceProjectFactory,
    SocialOrganisationFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2024, 6, 1)


def _checking(zs, project, *organisations, ngo=None):
    services.project_transition(actor=zs, project=project, to_state=ProjectState.PUBLISHED)
    applications = [ApplicationFactory(project=project, organisation=organisation) for organisation in organisations]
    services.project_transition(actor=zs, project=project, to_state=ProjectState.CHECKING)
    return applications


def test_the_whole_lifecycle(zs, ngo, organisation, project, fed, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)
    project = services.project_transition(actor=zs, project=project, to_state=ProjectState.PUBLISHED)
    application = services.application_submit(
        actor=ngo, project=project, organisation=organisation, proposal="专业社工团队", amount_fen=4_500_000
    )
    assert application.state == ApplicationState.SUBMITTED
    services.project_transition(actor=zs, project=project, to_state=ProjectState.CHECKING)
    application = services.application_check(actor=zs, application=application)
    assert application.state == ApplicationState.QUALIFIED and application.checked_on == TODAY
    project = services.project_select(actor=zs, application=application, reason="方案最完整，报价合理")
    assert project.state == ProjectState.SELECTED
    assert project.selected_application == application and project.selection_reason == "方案最完整，报价合理"
    project = services.project_sign(
        actor=zs,
        project=project,
        signed_on=D(2024, 6, 1),
        starts_on=D(2024, 6, 1),
        ends_on=D(2024, 12, 31),
        amount_fen=4_500_000,
        deliverables="12 次团体辅导，40 份个案档案",
    )
    assert project.state == ProjectState.AGREED and project.agreement_amount_fen == 4_500_000
    services.report_submit(actor=ngo, project=project, reported_on=D(2024, 5, 31), content="开展辅导 3 次")
    project = services.project_transition(actor=zs, project=project, to_state=ProjectState.EVALUATING)
    project = services.project_archive(
        actor=zs, project=project, completed_on=D(2024, 5, 31), satisfaction_rate="91.5", respondents=80
    )
    assert project.state == ProjectState.ARCHIVED and project.satisfaction_rate == Decimal("91.5")
    history = list(ProjectStateChange.objects.filter(project=project).values_list("to_state", flat=True))
    assert history == [
        ProjectState.PUBLISHED,
        ProjectState.CHECKING,
        ProjectState.SELECTED,
        ProjectState.AGREED,
        ProjectState.EVALUATING,
        ProjectState.ARCHIVED,
    ]


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.permutations(ProjectState.values, 2)), ids=lambda s: str(s)
)
def test_moves_outside_the_table_are_refused_and_change_nothing(zs, source, target):
    if PROJECT_FLOW.find(source, target) is not None:
        return
    project = ServiceProjectFactory(unit=zs.unit, state=source)
    entries = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.project_transition(actor=zs, project=project, to_state=target, reason="x")
    assert refused.value.field == "to_state"
    project.refresh_from_db()
    assert project.state == source and AuditEntry.objects.count() == entries


def test_publish_needs_needs_requirements_and_budget(zs, dalian):
    project = ServiceProjectFactory(unit=dalian["zs"], budget_fen=0)
    with pytest.raises(ApplicationError, match="发布前请填写"):
        services.project_transition(actor=zs, project=project, to_state=ProjectState.PUBLISHED)


def test_checking_needs_an_application(zs, project):
    services.project_transition(actor=zs, project=project, to_state=ProjectState.PUBLISHED)
    with pytest.raises(ApplicationError) as refused:
        services.project_transition(actor=zs, project=project, to_state=ProjectState.CHECKING)
    assert refused.value.message == str(choices.NO_APPLICATIONS)


def test_withdrawing_needs_a_reason(zs, project):
    services.project_transition(actor=zs, project=project, to_state=ProjectState.PUBLISHED)
    with pytest.raises(ApplicationError) as refused:
        services.project_transition(actor=zs, project=project, to_state=ProjectState.NEEDS)
    assert refused.value.field == "reason"


def test_expired_certificate_fails_the_check_with_the_rule_and_cannot_be_selected(zs, dalian, project):
    expired = SocialOrganisationFactory(unit=dalian["zs"], certificate_valid_to=D(2024, 5, 31))
    (application,) = _checking(zs, project, expired)
    application = services.application_check(actor=zs, application=application, on=TODAY)
    assert application.state == ApplicationState.NOT_QUALIFIED
    assert application.qualification_reason == str(CERTIFICATE_EXPIRED).format(valid_to=D(2024, 5, 31))
    entries = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.project_select(actor=zs, application=application, reason="唯一申报", on=TODAY)
    assert refused.value.message.startswith("只有资格审查合格的社会组织才能被确定为承接方")
    assert "登记证书已于 2024-05-31 过期" in refused.value.message
    project.refresh_from_db()
    assert project.state == ProjectState.CHECKING and AuditEntry.objects.count() == entries


def test_a_young_organisation_is_refused_with_the_two_year_rule(zs, dalian, project):
    young = SocialOrganisationFactory(unit=dalian["zs"], registered_on=D(2022, 6, 2))
    (application,) = _checking(zs, project, young)
    application = services.application_check(actor=zs, application=application, on=TODAY)
    assert "成立未满 2 年" in application.qualification_reason
    # the day it turns two it passes
    application = services.application_check(actor=zs, application=application, on=D(2024, 6, 2))
    assert application.state == ApplicationState.QUALIFIED


def test_selection_rechecks_on_the_selection_date(zs, dalian, project):
    org = SocialOrganisationFactory(unit=dalian["zs"], certificate_valid_to=D(2024, 6, 30))
    (application,) = _checking(zs, project, org)
    services.application_check(actor=zs, application=application, on=TODAY)
    with pytest.raises(ApplicationError, match="登记证书已于 2024-06-30 过期"):
        services.project_select(actor=zs, application=application, reason="r", on=D(2024, 7, 1))


def test_selection_needs_every_application_checked_and_a_reason(zs, dalian, project):
    a, b = _checking(
        zs, project, SocialOrganisationFactory(unit=dalian["zs"]), SocialOrganisationFactory(unit=dalian["zs"])
    )
    services.application_check(actor=zs, application=a, on=TODAY)
    with pytest.raises(ApplicationError, match="还有 1 份申报未做资格审查"):
        services.project_select(actor=zs, application=a, reason="r", on=TODAY)
    services.application_check(actor=zs, application=b, on=TODAY)
    with pytest.raises(ApplicationError) as refused:
        services.project_select(actor=zs, application=a, reason="  ", on=TODAY)
    assert refused.value.field == "reason"
    services.project_select(actor=zs, application=a, reason="评分第一", on=TODAY)
    assert Application.objects.get(pk=b.pk).state == ApplicationState.NOT_SELECTED
    assert Application.objects.get(pk=a.pk).state == ApplicationState.SELECTED


def test_an_application_of_another_project_cannot_be_selected(zs, dalian, project):
    (application,) = _checking(zs, project, SocialOrganisationFactory(unit=dalian["zs"]))
    services.application_check(actor=zs, application=application, on=TODAY)
    other = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.CHECKING)
    with pytest.raises(ApplicationError, match="不属于本项目"):
        services.project_transition(
            actor=zs, project=other, to_state=ProjectState.SELECTED, reason="r", application=application, on=TODAY
        )


def test_agreement_incomplete_refused(zs, dalian):
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.SELECTED)
    with pytest.raises(ApplicationError, match="请填写协议"):
        services.project_sign(
            actor=zs, project=project, signed_on=None, starts_on=None, ends_on=None, amount_fen=None, deliverables=""
        )
    with pytest.raises(ApplicationError, match="结束日期不能早于开始日期"):
        services.project_sign(
            actor=zs,
            project=project,
            signed_on=TODAY,
            starts_on=D(2024, 6, 2),
            ends_on=D(2024, 6, 1),
            amount_fen=1,
            deliverables="x",
        )


def test_closing_needs_a_report_and_archiving_an_evaluation(zs, dalian):
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.AGREED)
    with pytest.raises(ApplicationError, match="履约报告"):
        services.project_transition(actor=zs, project=project, to_state=ProjectState.EVALUATING)
    PerformanceReportFactory(project=project)
    services.project_transition(actor=zs, project=project, to_state=ProjectState.EVALUATING)
    with pytest.raises(ApplicationError, match="请填写结项评估"):
        services.project_archive(actor=zs, project=project, completed_on=TODAY, satisfaction_rate=None, respondents=10)
    with pytest.raises(ApplicationError, match="满意度应在 0% 到 100% 之间"):
        services.project_archive(
            actor=zs, project=project, completed_on=TODAY, satisfaction_rate="100.5", respondents=10
        )
    with pytest.raises(ApplicationError, match="测评人数"):
        services.project_archive(actor=zs, project=project, completed_on=TODAY, satisfaction_rate="90", respondents=0)


def test_social_org_cannot_move_projects_and_other_districts_cannot_see_them(ngo, xg, project):
    with pytest.raises(PermissionDeniedError):
        services.project_transition(actor=ngo, project=project, to_state=ProjectState.PUBLISHED)
    with pytest.raises(NotFoundError):
        services.project_transition(actor=xg, project=project, to_state=ProjectState.PUBLISHED)


def test_social_org_applies_only_for_its_own_organisation(zs, ngo, organisation, other_organisation, project):
    services.project_transition(actor=zs, project=project, to_state=ProjectState.PUBLISHED)
    with pytest.raises(NotFoundError):
        services.application_submit(
            actor=ngo, project=project, organisation=other_organisation, proposal="p", amount_fen=1
        )
    services.application_submit(actor=ngo, project=project, organisation=organisation, proposal="p", amount_fen=1)
    with pytest.raises(ApplicationError, match="已申报过"):
        services.application_submit(actor=ngo, project=project, organisation=organisation, proposal="p", amount_fen=1)


def test_social_org_does_not_see_drafts(ngo, project):
    assert not ServiceProject.objects.restrict(ngo).filter(pk=project.pk).exists()
    ServiceProject.objects.filter(pk=project.pk).update(state=ProjectState.PUBLISHED)
    assert ServiceProject.objects.restrict(ngo).filter(pk=project.pk).exists()


def test_applying_to_a_project_not_open_is_refused(ngo, organisation, dalian):
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.CHECKING)
    with pytest.raises(ApplicationError, match="不在接受申报阶段"):
        services.application_submit(actor=ngo, project=project, organisation=organisation, proposal="p", amount_fen=1)


def test_only_the_contractor_reports(ngo, dalian, organisation, zs):
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.AGREED)
    someone_else = ApplicationFactory(project=project, state=ApplicationState.SELECTED)
    ServiceProject.objects.filter(pk=project.pk).update(selected_application=someone_else)
    with pytest.raises(ApplicationError, match="只有承接本项目的社会组织"):
        services.report_submit(actor=ngo, project=project, reported_on=D(2024, 1, 1), content="x")
    mine = ApplicationFactory(
        project=ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.AGREED), organisation=organisation
    )
    ServiceProject.objects.filter(pk=mine.project_id).update(selected_application=mine)
    report = services.report_submit(actor=ngo, project=mine.project, reported_on=D(2024, 1, 1), content="开展服务")
    assert report.organisation == organisation
