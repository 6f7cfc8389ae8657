"""The Dalian 2022 campaign end to end, as far as the campaign engine goes (issue 17 "Must be
tested"): 50 places over the federation's 14 units by the Hamilton rule, the review group, a
nomination per place with the sealed PDFs, on-site review and the meeting's decisions, a 7-day
notice with one objection answered, approval naming the positions with the honour and a
5,000-yuan grant each — every state change checked and every refusal asserted with its message."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.campaigns import selectors, services
from yizhan.campaigns.choices import (
    CampaignState,
    GroupRole,
    NominationState,
    ObjectionOutcome,
    StepKind,
    VerificationResult,
)
from yizhan.campaigns.models import Honour, Nomination, Quota, ReviewMember
from yizhan.campaigns.tests.factories import FiveStarStationFactory, pdf_bytes, png_bytes
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.positions.choices import PositionState, StarRating

pytestmark = pytest.mark.django_db

# The federation's units of source 000 (各区市县、开放先导区、产业工会) and their 5★ stations.
UNITS = (
    ("DL-SHK", "沙河口区总工会", UnitType.DISTRICT, 8),
    ("DL-GJZ", "甘井子区总工会", UnitType.DISTRICT, 9),
    ("DL-LSK", "旅顺口区总工会", UnitType.DISTRICT, 3),
    ("DL-JZ", "金州区总工会", UnitType.DISTRICT, 5),
    ("DL-PLD", "普兰店区总工会", UnitType.DISTRICT, 3),
    ("DL-CH", "长海县总工会", UnitType.COUNTY, 1),
    ("DL-WFD", "瓦房店市总工会", UnitType.COUNTY, 4),
    ("DL-ZH", "庄河市总工会", UnitType.COUNTY, 3),
    ("DL-KFXD", "大连市开放先导区工会", UnitType.DEVELOPMENT_ZONE, 4),
    ("DL-JZSH", "大连市机重石化电信工会", UnitType.INDUSTRY, 2),
    ("DL-CMJR", "大连市财贸金融服务工会", UnitType.INDUSTRY, 3),
    ("DL-GAJ", "大连市公安局工会", UnitType.INDUSTRY, 2),
)
SCORES = {
    "signage": 9,
    "layout": 9,
    "facilities": 9,
    "functions": 9,
    "rules": 8,
    "map": 10,
    "role": 9,
    "opinion": 9,
    "innovation": 8,
    "features": 8,
}


def refused(message, call, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    assert message in caught.value.message, caught.value.message


def test_dalian_2022(dalian, make_unit, make_actor, stations, monkeypatch):
    city = dalian["city"]
    for code, name, kind, five_star in UNITS:
        unit = make_unit(kind, city, name=name, code=code)
        for _ in range(five_star):
            FiveStarStationFactory(unit=unit)
        FiveStarStationFactory(unit=unit, star_rating=StarRating.FOUR)
    fed = make_actor(Role.FEDERATION_ADMIN, city)
    zs_admin = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    reviewer = make_actor(Role.REVIEWER, city)
    today = timezone.localdate()
    deadlines = {kind: today + dt.timedelta(days=10 * n + 5) for n, kind in enumerate(StepKind.values)}

    # 1. The campaign and annex 1: 50 places, Hamilton on operating + 5★, exact total.
    campaign = services.campaign_create(
        actor=fed,
        name="2022年市级最美工会户外劳动者服务站点推树活动",
        year=2022,
        honour_title="2022 年度最美工会户外劳动者服务站点",
        total_quota=50,
        grant_fen=500_000,
        deadlines=deadlines,
    )
    quotas = services.quotas_compute(actor=fed, campaign=campaign)
    assert len(quotas) == 14 and sum(q.quota for q in quotas) == 50
    for q in quotas:  # the quota rule: the floor or the ceiling of the exact share
        assert abs(q.quota - float(q.exact_share)) < 1
    gjz = Quota.objects.get(campaign=campaign, unit__code="DL-GJZ")
    shk = Quota.objects.get(campaign=campaign, unit__code="DL-SHK")
    services.quota_adjust(actor=fed, quota=gjz, value=gjz.quota - 1, reason="沙河口区站点特色突出，调剂 1 个名额")
    refused(
        "名额合计 49 个，与推树总名额 50 个不一致",
        services.campaign_transition,
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.PUBLISHED,
    )
    services.quota_adjust(actor=fed, quota=shk, value=shk.quota + 1, reason="沙河口区站点特色突出，调剂 1 个名额")
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)
    assert campaign.state == CampaignState.PUBLISHED and campaign.quotas_published_on == today
    assert sum(r["quota"] for r in selectors.quota_table(campaign)) == 50

    # 2. Annex 2: units register, the federation confirms the group.
    leader = services.review_member_register(
        actor=fed, campaign=campaign, unit=city, name="孙立新", job_title="副主席", phone="13904110001"
    )
    deputy = services.review_member_register(
        actor=fed,
        campaign=campaign,
        unit=city,
        name="周慧",
        job_title="部长",
        phone="13904110002",
        account=reviewer.user,
    )
    zs_member = services.review_member_register(
        actor=zs_admin, campaign=campaign, unit=dalian["zs"], name="郑海燕", job_title="部长", phone="13904110003"
    )
    services.review_member_confirm(actor=fed, member=leader, group_role=GroupRole.LEADER)
    services.review_member_confirm(actor=fed, member=deputy, group_role=GroupRole.DEPUTY)
    services.review_member_confirm(actor=fed, member=zs_member)
    assert [r["group_role"] for r in selectors.review_group_rows(campaign)] == ["组长", "副组长", "成员"]

    # 3. Annexes 3 and 4: each unit nominates within its quota, seals, submits.
    refused(
        "上传的文件不是 PDF",
        services.nomination_sealed_upload,
        actor=zs_admin,
        nomination=services.nomination_create(
            actor=zs_admin, campaign=campaign, position=stations["zs"][0], statement="先试一个"
        ),
        data=png_bytes(),
    )
    Nomination.objects.filter(position=stations["zs"][0]).update(state=NominationState.WITHDRAWN)
    refused(
        "须达到五星才能推荐",
        services.nomination_create,
        actor=zs_admin,
        campaign=campaign,
        position=stations["zs_four"][0],
        statement="x",
    )
    for quota in Quota.objects.filter(campaign=campaign).select_related("unit"):
        actor = zs_admin if quota.unit.code == "DL-ZS" else fed
        eligible = services._eligible_positions(campaign).filter(unit__path__startswith=quota.unit.path)
        free = eligible.exclude(pk__in=Nomination.objects.exclude(state="withdrawn").values("position_id"))
        for position in free.order_by("code")[: quota.quota]:
            n = services.nomination_create(actor=actor, campaign=campaign, position=position, statement="主要事迹")
            services.nomination_sealed_upload(actor=actor, nomination=n, data=pdf_bytes(position.code))
            services.nomination_transition(actor=actor, nomination=n, to_state=NominationState.SUBMITTED)
        extra = free.order_by("code")[quota.quota : quota.quota + 1].first()
        if extra is not None:
            refused(
                "不能再推荐",
                services.nomination_create,
                actor=actor,
                campaign=campaign,
                position=extra,
                statement="超额",
            )
        if Nomination.objects.filter(campaign=campaign, unit=quota.unit, state="submitted").exists():
            services.nominations_submit(actor=actor, quota=quota, data=pdf_bytes(f"summary {quota.unit.code}"))
    submitted = list(Nomination.objects.filter(campaign=campaign, state=NominationState.SUBMITTED))
    assert 40 <= len(submitted) <= 50
    assert selectors.overdue_steps(campaign) == []

    # 4. Review: verification (never the member's own unit), the meeting's decisions.
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.REVIEWING)
    zs_nomination = next(n for n in submitted if n.unit.code == "DL-ZS")
    refused("不能核查本单位推荐的阵地", services.review_assign, actor=fed, nomination=zs_nomination, member=zs_member)
    for index, n in enumerate(submitted):
        member = deputy if index % 2 else leader
        assignment = services.review_assign(actor=fed, nomination=n, member=member)
        recorder = reviewer if member == deputy else fed
        services.review_record(actor=recorder, assignment=assignment, scores=SCORES, result=VerificationResult.CONFORMS)
    meeting = services.meeting_record(actor=fed, campaign=campaign, held_on=today, place="市总工会 3 楼会议室")
    rejected = submitted[-1]
    for n in submitted[:-1]:
        services.nomination_transition(actor=fed, nomination=n, to_state=NominationState.RECOMMENDED, meeting=meeting)
    services.nomination_transition(
        actor=fed, nomination=rejected, to_state=NominationState.REJECTED, reason="现场核查时设施不全", meeting=meeting
    )

    # 5. The notice: at least 7 calendar days; one objection, answered.
    refused(
        "公示期不得少于 7 天",
        services.campaign_transition,
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=5),
    )
    campaign = services.campaign_transition(
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=6),
    )
    objection = services.objection_submit(
        campaign_id=campaign.pk, text="该站点晚上经常锁门", nomination_id=submitted[0].pk, client="198.51.100.20"
    )
    after = today + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    refused(
        "还有 1 条公示异议未处理完毕，不能审批",
        services.campaign_transition,
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.APPROVED,
    )
    services.objection_resolve(
        actor=fed,
        objection=objection,
        outcome=ObjectionOutcome.DISMISSED,
        answer="经核实，该站点 24 小时开放，夜间有值守",
    )

    # 6. Approval: named, honoured, funded; the plaque tracked.
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.APPROVED)
    selected = Nomination.objects.filter(campaign=campaign, state=NominationState.SELECTED)
    assert selected.count() == len(submitted) - 1
    assert Nomination.objects.get(pk=rejected.pk).state == NominationState.REJECTED
    honours = Honour.objects.filter(campaign=campaign)
    assert honours.count() == selected.count()
    assert set(honours.values_list("title", flat=True)) == {"2022 年度最美工会户外劳动者服务站点"}
    from yizhan.grants.models import Grant

    grants = Grant.objects.filter(source=f"campaign:{campaign.pk}")
    assert grants.count() == selected.count() and set(grants.values_list("amount_fen", flat=True)) == {500_000}
    assert {g.unit_id for g in grants} == {h.position.unit_id for h in honours}
    services.plaque_issue(actor=fed, honour=honours.first(), plaque_number="DL-2022-001")
    moves = [c.to_state for c in selectors.campaign_history(actor=fed, campaign=campaign)]
    assert moves == ["published", "reviewing", "notice", "approved"]
    assert campaign.steps.get(kind=StepKind.APPROVAL).completed_on == after
    assert ReviewMember.objects.filter(campaign=campaign, confirmed=True).count() == 3
    assert PositionState.OPERATING in campaign.eligible_states
