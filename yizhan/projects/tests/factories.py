"""Factories of social organisations and service projects: defaults that pass every rule."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from yizhan.projects.choices import ApplicationState, Category, ProjectState
from yizhan.projects.models import Application, PerformanceReport, ServiceProject, SocialOrganisation


class SocialOrganisationFactory(DjangoModelFactory):
    """Registered 2018, certificate valid to 2030: qualified on any check date of the tests."""

    class Meta:
        model = SocialOrganisation
        skip_postgeneration_save = True

    unit = factory.SubFactory("yizhan.orgs.tests.factories.UnitFactory")
    name = factory.Sequence(lambda n: f"青岛市暖心社会工作服务中心{n}")
    registration_number = factory.Sequence(lambda n: f"52370200MJ{n:07d}X")
    registered_on = dt.date(2018, 5, 10)
    certificate_valid_from = dt.date(2018, 5, 10)
    certificate_valid_to = dt.date(2030, 5, 9)
    contact_name = "王敏"
    contact_phone = "13805320001"

    @factory.post_generation
    def accounts(self, create, extracted, **kwargs):
        if create and extracted:
            self.accounts.add(*extracted)


class ServiceProjectFactory(DjangoModelFactory):
    """A project ready to publish (needs, requirements and budget filled in)."""

    class Meta:
        model = ServiceProject

    unit = factory.SubFactory("yizhan.orgs.tests.factories.UnitFactory")
    title = factory.Sequence(lambda n: f"户外劳动者心理关怀项目{n}")
    category = Category.PSYCHOLOGICAL
    needs = "环卫、快递职工反映工作压力大，缺少心理疏导渠道"
    requirements = "每月开展两次团体心理辅导，建立个案档案"
    budget_fen = 5_000_000
    state = ProjectState.NEEDS


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    project = factory.SubFactory(ServiceProjectFactory, state=ProjectState.PUBLISHED)
    organisation = factory.SubFactory(SocialOrganisationFactory, unit=factory.SelfAttribute("..project.unit"))
    proposal = "组建专业社工团队，按月开展服务"
    amount_fen = 4_800_000
    state = ApplicationState.SUBMITTED
    submitted_by = "ngo"


class PerformanceReportFactory(DjangoModelFactory):
    class Meta:
        model = PerformanceReport

    project = factory.SubFactory(ServiceProjectFactory, state=ProjectState.AGREED)
    organisation = factory.SubFactory(SocialOrganisationFactory, unit=factory.SelfAttribute("..project.unit"))
    reported_on = dt.date(2024, 3, 31)
    content = "一季度开展团体辅导 6 次，服务职工 120 人次"
    workers_served = 120
    submitted_by = "ngo"
