"""Factories of grants, uses and self-evaluation reports: defaults that pass every rule."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from yizhan.grants.choices import GrantState, UsePurpose
from yizhan.grants.models import Grant, GrantUse, SelfEvaluation
from yizhan.positions.tests.factories import PositionFactory

AWARDED_ON = dt.date(2022, 8, 1)
DISBURSED_ON = dt.date(2022, 8, 15)


class GrantFactory(DjangoModelFactory):
    """A disbursed 5,000-yuan grant of campaign 1 to a station, managed by the station's unit."""

    class Meta:
        model = Grant

    position = factory.SubFactory(PositionFactory)
    unit = factory.SelfAttribute("position.unit")
    title = "2022 年度最美工会户外劳动者服务站点 补助资金"
    source = "campaign:1"
    amount_fen = 500_000
    state = GrantState.DISBURSED
    awarded_on = AWARDED_ON
    awarded_by = "federation"
    disbursed_on = DISBURSED_ON


class GrantUseFactory(DjangoModelFactory):
    """A use saved as given (tests of the rule itself call services.grant_use_record)."""

    class Meta:
        model = GrantUse

    grant = factory.SubFactory(GrantFactory)
    amount_fen = 100_000
    purpose = UsePurpose.OPERATION
    used_on = dt.date(2022, 9, 1)
    description = factory.Sequence(lambda n: f"购置饮水机 {n} 台")
    recorded_by = "unit"

    @classmethod
    def _create(cls, model_class, *args, **fields):
        use = super()._create(model_class, *args, **fields)
        Grant.objects.filter(pk=use.grant_id).update(spent_fen=use.grant.spent_fen + use.amount_fen)
        use.grant.refresh_from_db()
        return use


class SelfEvaluationFactory(DjangoModelFactory):
    """A report asked of a unit, still empty (a draft)."""

    class Meta:
        model = SelfEvaluation

    unit = factory.SubFactory("yizhan.orgs.tests.factories.UnitFactory")
    source = "campaign:1"
    title = "2022 年度最美工会户外劳动者服务站点补助资金绩效自评报告"
    due_on = dt.date(2022, 10, 28)
    requested_by = "federation"


COMPLETE_REPORT = {
    "targets": "改善 2 个站点的服务设施，日均服务户外劳动者 50 人次以上",
    "target_completion": "两个站点均完成改造，日均服务 62 人次",
    "funds_use": "补助资金 10000 元，已使用 9200 元，用于空调、饮水机和日常运维",
    "outputs": "站点满意度由 92% 提升至 97%",
    "score": 92,
    "problems": "夜间开放时间不足",
    "rectification": "与环卫部门协商延长夜间开放至 22:00",
}
