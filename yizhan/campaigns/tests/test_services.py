"""Rules of campaigns (spec §7): every refusal with its message, and the moves that pass."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.campaigns import rules, selectors, services
from yizhan.campaigns.choices import (
    CampaignState,
    GroupRole,
    NominationState,
    ObjectionOutcome,
    ObjectionStatus,
    StepKind,
    VerificationResult,
)
from yizhan.campaigns.models import CampaignStateChange, Honour, Nomination, NominationStateChange, Quota
from yizhan.campaigns.tests.factories import (
    ReviewMemberFactory,
    pdf_bytes,
    png_bytes,
)
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType

pytestmark = pytest.mark.django_db

FULL_SCORES = {
    "signage": 9,
    "layout": 8,
    "facilities": 10,
    "functions": 9,
    "rules": 8,
    "map": 10,
    "role": 9,
    "opinion": 9,
    "innovation": 7,
    "features": 8,
}


def refused(call, message_part, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    assert message_part in caught.value.message, caught.value.message
    return caught.value


def nominate(actor, campaign, position, submit=True):
    n = services.nomination_create(actor=actor, campaign=campaign, position=position, statement="服务好")
    if submit:
        services.nomination_sealed_upload(actor=actor, nomination=n, data=pdf_bytes())
        n = services.nomination_transition(actor=actor, nomination=n, to_state=NominationState.SUBMITTED)
    return n


# --- campaign and quotas -------------------------------------------------------------------------


def test_create_campaign_with_steps(fed):
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=fed,
        name="2023年推树",
        year=2023,
        honour_title="2023 年度最美工会户外劳动者服务站点",
        total_quota=10,
        grant_fen=500_000,
        deadlines={StepKind.REVIEW_GROUP: today, StepKind.NOMINATIONS: today},
    )
    assert campaign.state == CampaignState.DRAFT
    assert campaign.eligible_states == ["operating"] and campaign.min_star_rating == "5"
    assert campaign.steps.count() == 2


def test_create_refusals(fed, zs_admin):
    kwargs = {"name": "x", "year": 2023, "honour_title": "t", "total_quota": 0}
    refused(services.campaign_create, "推树总名额须为正整数", actor=fed, **kwargs)
    refused(services.campaign_create, "补助金额", actor=fed, **{**kwargs, "total_quota": 3, "grant_fen": -1})
    refused(
        services.campaign_create,
        "可推荐的阵地状态无效",
        actor=fed,
        **{**kwargs, "total_quota": 3, "eligible_states": ["x"]},
    )
    with pytest.raises(PermissionDeniedError):
        services.campaign_create(actor=zs_admin, **{**kwargs, "total_quota": 3})


def test_quotas_by_hamilton_on_operating_plus_five_star(campaign, fed, dalian):
    rows = services.quotas_compute(actor=fed, campaign=campaign)
    by_unit = {q.unit.code: (q.operating_count, q.five_star_count, q.weight, q.quota) for q in rows}
    assert by_unit == {"DL-XG": (3, 3, 6, 2), "DL-ZS": (8, 6, 14, 4)}
    assert sum(q.quota for q in rows) == campaign.total_quota
    table = selectors.quota_table(campaign)
    assert [r["unit"] for r in table] == ["中山区总工会", "西岗区总工会"] or len(table) == 2


def test_adjust_with_reason_and_publish_needs_exact_total(campaign, fed, zs_admin):
    services.quotas_compute(actor=fed, campaign=campaign)
    zs = Quota.objects.get(campaign=campaign, unit__code="DL-ZS")
    xg = Quota.objects.get(campaign=campaign, unit__code="DL-XG")
    refused(services.quota_adjust, "调整名额须说明原因", actor=fed, quota=zs, value=3, reason=" ")
    with pytest.raises(PermissionDeniedError):
        services.quota_adjust(actor=zs_admin, quota=zs, value=5, reason="多要")
    services.quota_adjust(actor=fed, quota=zs, value=3, reason="西岗区站点特色突出")
    refused(
        services.campaign_transition,
        "名额合计 5 个，与推树总名额 6 个不一致",
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.PUBLISHED,
    )
    services.quota_adjust(actor=fed, quota=xg, value=3, reason="西岗区站点特色突出")
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)
    assert campaign.quotas_published_on == timezone.localdate()
    assert CampaignStateChange.objects.filter(campaign=campaign).count() == 1
    refused(services.quota_adjust, "名额分配表不能再修改", actor=fed, quota=zs, value=4, reason="r")


def test_publish_without_quotas_is_refused(campaign, fed):
    refused(
        services.campaign_transition,
        "尚未计算名额分配表",
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.PUBLISHED,
    )


def test_step_extension_and_overdue_for_both_sides(published, fed, dalian):
    step = published.steps.get(kind=StepKind.NOMINATIONS)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    step.deadline = yesterday
    step.save()
    overdue = selectors.overdue_steps(published)
    assert [o.step.kind for o in overdue] == [StepKind.NOMINATIONS]
    assert {u.code for u in overdue[0].units} == {"DL-ZS", "DL-XG"}
    assert [o.step.kind for o in selectors.overdue_steps(published, unit=dalian["xg"])] == [StepKind.NOMINATIONS]
    refused(
        services.step_extend,
        "延期须说明原因",
        actor=fed,
        step=step,
        deadline=yesterday + dt.timedelta(days=9),
        reason="",
    )
    refused(services.step_extend, "须晚于原截止日期", actor=fed, step=step, deadline=yesterday, reason="疫情")
    step = services.step_extend(actor=fed, step=step, deadline=yesterday + dt.timedelta(days=9), reason="疫情")
    assert step.extension_reason == "疫情" and step.original_deadline != step.deadline
    assert selectors.overdue_steps(published) == []


# --- review group ------------------------------------------------------------------------------


def test_members_register_before_the_deadline_and_one_leader(published, fed, zs_admin, dalian):
    member = services.review_member_register(
        actor=zs_admin,
        campaign=published,
        unit=dalian["zs"],
        name="王明",
        job_title="副主席",
        phone="13904110001",
        conflicts="曾参与站点建设",
        conflict_positions=["P0001"],
    )
    assert member.registered_by_name and not member.confirmed
    with pytest.raises(NotFoundError):
        services.review_member_register(
            actor=zs_admin, campaign=published, unit=dalian["xg"], name="李", job_title="x", phone="13904110002"
        )
    step = published.steps.get(kind=StepKind.REVIEW_GROUP)
    step.deadline = timezone.localdate() - dt.timedelta(days=1)
    step.save()
    refused(
        services.review_member_register,
        "评议小组成员报名”已于",
        actor=zs_admin,
        campaign=published,
        unit=dalian["zs"],
        name="李",
        job_title="x",
        phone="13904110002",
    )
    services.review_member_confirm(actor=fed, member=member, group_role=GroupRole.LEADER)
    other = ReviewMemberFactory(campaign=published, unit=dalian["xg"], confirmed=False)
    refused(
        services.review_member_confirm, "评议小组只能有一名组长", actor=fed, member=other, group_role=GroupRole.LEADER
    )
    with pytest.raises(PermissionDeniedError):
        services.review_member_confirm(actor=zs_admin, member=member)


# --- nominations ----------------------------------------------------------------------------------


def test_nominate_within_quota_only(published, zs_admin, stations):
    for position in stations["zs"][:4]:
        nominate(zs_admin, published, position, submit=False)
    refused(
        nominate,
        "中山区总工会的推荐名额为 4 个，已推荐 4 个，不能再推荐",
        actor=zs_admin,
        campaign=published,
        position=stations["zs"][4],
        submit=False,
    )
    assert Nomination.objects.filter(campaign=published).count() == 4


def test_withdrawn_frees_a_place(published, zs_admin, stations):
    first = [nominate(zs_admin, published, p, submit=False) for p in stations["zs"][:4]][0]
    services.nomination_transition(actor=zs_admin, nomination=first, to_state=NominationState.WITHDRAWN, reason="换站")
    nominate(zs_admin, published, stations["zs"][4], submit=False)


def test_ineligible_positions_are_refused(published, zs_admin, stations, xg_admin):
    refused(
        nominate,
        "的星级为四星，须达到五星才能推荐",
        actor=zs_admin,
        campaign=published,
        position=stations["zs_four"][0],
        submit=False,
    )
    refused(
        nominate,
        "当前为“建设中”，只有运营中的阵地可以推荐",
        actor=zs_admin,
        campaign=published,
        position=stations["zs_building"],
        submit=False,
    )
    with pytest.raises(NotFoundError):  # another district's station
        nominate(xg_admin, published, stations["zs"][0], submit=False)
    nominate(zs_admin, published, stations["zs"][0], submit=False)
    refused(
        nominate, "已在本活动中被推荐", actor=zs_admin, campaign=published, position=stations["zs"][0], submit=False
    )


def test_form_is_filled_from_the_position_record(published, zs_admin, stations):
    n = nominate(zs_admin, published, stations["zs"][0], submit=False)
    form = selectors.nomination_form(n)
    assert form["official_name"] == stations["zs"][0].official_name
    assert form["unit"] == "中山区总工会" and form["statement"] == "服务好" and form["star_rating"] == "五星"
    rows = selectors.nomination_summary(published, n.unit)
    assert [r["official_name"] for r in rows] == [stations["zs"][0].official_name]


def test_nominating_before_publishing_is_refused(campaign, fed, zs_admin, stations):
    services.quotas_compute(actor=fed, campaign=campaign)
    refused(
        nominate,
        "活动当前为“筹备中”，不能推荐",
        actor=zs_admin,
        campaign=campaign,
        position=stations["zs"][0],
        submit=False,
    )


def test_sealed_file_must_be_a_pdf(published, zs_admin, stations, settings):
    n = nominate(zs_admin, published, stations["zs"][0], submit=False)
    refused(
        services.nomination_transition,
        "请先上传加盖公章的推荐表（PDF）",
        actor=zs_admin,
        nomination=n,
        to_state=NominationState.SUBMITTED,
    )
    refused(services.nomination_sealed_upload, "上传的文件不是 PDF", actor=zs_admin, nomination=n, data=png_bytes())
    refused(
        services.nomination_sealed_upload,
        "PDF 文件已损坏或不完整",
        actor=zs_admin,
        nomination=n,
        data=pdf_bytes()[:-200],
    )
    refused(services.nomination_sealed_upload, "没有选择文件", actor=zs_admin, nomination=n, data=b"")
    settings.YIZHAN_SEALED_PDF_MAX_MB = 0
    refused(services.nomination_sealed_upload, "PDF 文件不能大于 0 MB", actor=zs_admin, nomination=n, data=pdf_bytes())
    settings.YIZHAN_SEALED_PDF_MAX_MB = 20
    n = services.nomination_sealed_upload(actor=zs_admin, nomination=n, data=pdf_bytes())
    assert n.sealed_pdf and len(n.sealed_sha256) == 64
    n = services.nomination_transition(actor=zs_admin, nomination=n, to_state=NominationState.SUBMITTED)
    refused(services.nomination_update, "推荐已报送，不能再修改", actor=zs_admin, nomination=n, statement="改")


def test_summary_submission(published, zs_admin, stations):
    quota = Quota.objects.get(campaign=published, unit__code="DL-ZS")
    refused(services.nominations_submit, "还没有已报送的推荐", actor=zs_admin, quota=quota, data=pdf_bytes())
    nominate(zs_admin, published, stations["zs"][0])
    draft = nominate(zs_admin, published, stations["zs"][1], submit=False)
    refused(services.nominations_submit, "还有 1 个推荐未报送", actor=zs_admin, quota=quota, data=pdf_bytes())
    services.nomination_transition(actor=zs_admin, nomination=draft, to_state=NominationState.WITHDRAWN, reason="不报")
    refused(services.nominations_submit, "不是 PDF", actor=zs_admin, quota=quota, data=b"<html>")
    quota = services.nominations_submit(actor=zs_admin, quota=quota, data=pdf_bytes())
    assert quota.submitted_on == timezone.localdate()


# --- review ---------------------------------------------------------------------------------------


@pytest.fixture
def reviewing(published, fed, zs_admin, xg_admin, stations, dalian, reviewer):
    zs_n = [nominate(zs_admin, published, p) for p in stations["zs"][:2]]
    xg_n = [nominate(xg_admin, published, p) for p in stations["xg"][:1]]
    member = ReviewMemberFactory(campaign=published, unit=dalian["xg"], account=reviewer.user)
    own = ReviewMemberFactory(campaign=published, unit=dalian["zs"])
    campaign = services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.REVIEWING)
    meeting = services.meeting_record(actor=fed, campaign=campaign, held_on=timezone.localdate(), place="市总工会")
    return {"campaign": campaign, "zs": zs_n, "xg": xg_n, "member": member, "own": own, "meeting": meeting}


def test_members_are_never_assigned_their_own_units_nomination(reviewing, fed, stations):
    refused(
        services.review_assign,
        "来自中山区总工会，不能核查本单位推荐的阵地",
        actor=fed,
        nomination=reviewing["zs"][0],
        member=reviewing["own"],
    )
    member = reviewing["member"]
    member.conflict_positions = [stations["zs"][1].code]
    member.save()
    refused(services.review_assign, "存在利益冲突", actor=fed, nomination=reviewing["zs"][1], member=member)
    unconfirmed = ReviewMemberFactory(campaign=reviewing["campaign"], unit=member.unit, confirmed=False)
    refused(services.review_assign, "尚未确认", actor=fed, nomination=reviewing["zs"][0], member=unconfirmed)
    assert services.review_assign(actor=fed, nomination=reviewing["zs"][0], member=member)


def test_reviewer_records_score_sheet_and_photos(reviewing, fed, reviewer, zs_admin):
    a = services.review_assign(actor=fed, nomination=reviewing["zs"][0], member=reviewing["member"])
    refused(
        services.review_record,
        "请为“有地图可查”评分",
        actor=reviewer,
        assignment=a,
        scores={k: v for k, v in FULL_SCORES.items() if k != "map"},
        result=VerificationResult.CONFORMS,
    )
    refused(
        services.review_record,
        "的评分须为 0 至 10 的整数",
        actor=reviewer,
        assignment=a,
        scores={**FULL_SCORES, "map": 11},
        result=VerificationResult.CONFORMS,
    )
    refused(services.review_record, "请选择核查结论", actor=reviewer, assignment=a, scores=FULL_SCORES, result="x")
    a = services.review_record(
        actor=reviewer, assignment=a, scores=FULL_SCORES, result=VerificationResult.CONFORMS, notes="设施齐全"
    )
    assert a.total == 87
    photo = services.review_photo_add(actor=reviewer, assignment=a, data=png_bytes(), caption="门口")
    assert photo.image.name.endswith(".jpg")
    refused(services.review_photo_add, "文件不是照片", actor=reviewer, assignment=a, data=b"not an image")
    with pytest.raises(PermissionDeniedError):
        services.review_record(actor=zs_admin, assignment=a, scores=FULL_SCORES, result=VerificationResult.CONFORMS)
    # A reviewer sees only what is assigned to them.
    assert list(Nomination.objects.restrict(reviewer)) == [reviewing["zs"][0]]


def test_decisions_need_a_meeting_and_rejection_a_reason(reviewing, fed):
    n = reviewing["zs"][0]
    refused(
        services.nomination_transition,
        "请选择作出结论的评议会议",
        actor=fed,
        nomination=n,
        to_state=NominationState.RECOMMENDED,
    )
    refused(
        services.nomination_transition,
        "须说明原因",
        actor=fed,
        nomination=n,
        to_state=NominationState.REJECTED,
        meeting=reviewing["meeting"],
    )
    n = services.nomination_transition(
        actor=fed, nomination=n, to_state=NominationState.REJECTED, reason="设施不全", meeting=reviewing["meeting"]
    )
    assert n.decision_reason == "设施不全" and n.meeting == reviewing["meeting"]
    assert list(NominationStateChange.objects.filter(nomination=n).values_list("to_state", flat=True)) == [
        "submitted",
        "rejected",
    ]


def test_unit_admin_cannot_decide(reviewing, zs_admin):
    with pytest.raises(PermissionDeniedError):
        services.nomination_transition(
            actor=zs_admin,
            nomination=reviewing["zs"][0],
            to_state=NominationState.RECOMMENDED,
            meeting=reviewing["meeting"],
        )


# --- notice, objections, approval --------------------------------------------------------------


def decide_all(reviewing, fed):
    for n in reviewing["zs"] + reviewing["xg"]:
        services.nomination_transition(
            actor=fed, nomination=n, to_state=NominationState.RECOMMENDED, meeting=reviewing["meeting"]
        )


def test_notice_of_fewer_than_seven_days_is_refused(reviewing, fed):
    today = timezone.localdate()
    refused(
        services.campaign_transition,
        "还有 3 个推荐未作出评议结论",
        actor=fed,
        campaign=reviewing["campaign"],
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=6),
    )
    decide_all(reviewing, fed)
    refused(
        services.campaign_transition,
        "公示期不得少于 7 天",
        actor=fed,
        campaign=reviewing["campaign"],
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=5),
    )
    refused(
        services.campaign_transition,
        "请填写公示开始和结束日期",
        actor=fed,
        campaign=reviewing["campaign"],
        to_state=CampaignState.NOTICE,
    )
    campaign = services.campaign_transition(
        actor=fed,
        campaign=reviewing["campaign"],
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=6),
    )
    assert rules.notice_days(campaign.notice_starts_on, campaign.notice_ends_on) == 7


def _in_notice(reviewing, fed):
    decide_all(reviewing, fed)
    today = timezone.localdate()
    return services.campaign_transition(
        actor=fed,
        campaign=reviewing["campaign"],
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=6),
    )


def test_objections_must_be_resolved_before_approval(reviewing, fed, monkeypatch):
    campaign = _in_notice(reviewing, fed)
    refused(services.objection_submit, "请填写异议内容", campaign_id=campaign.pk, text="  ", client="198.51.100.1")
    refused(
        services.objection_submit,
        "该推荐不在本次公示名单中",
        campaign_id=campaign.pk,
        text="有问题",
        nomination_id=999999,
        client="198.51.100.1",
    )
    objection = services.objection_submit(
        campaign_id=campaign.pk,
        text="该站点经常不开门",
        contact="13900000000",
        nomination_id=reviewing["zs"][0].pk,
        client="198.51.100.1",
    )
    assert objection.client_key and objection.status == ObjectionStatus.OPEN
    refused(
        services.objection_submit,
        "您刚对该阵地提交过意见",
        campaign_id=campaign.pk,
        text="再说一次",
        nomination_id=reviewing["zs"][0].pk,
        client="198.51.100.1",
    )
    refused(services.campaign_transition, "公示期至", actor=fed, campaign=campaign, to_state=CampaignState.APPROVED)
    after = timezone.localdate() + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    refused(
        services.campaign_transition,
        "还有 1 条公示异议未处理完毕，不能审批",
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.APPROVED,
    )
    refused(
        services.objection_resolve,
        "请填写答复内容",
        actor=fed,
        objection=objection,
        outcome=ObjectionOutcome.DISMISSED,
        answer="",
    )
    services.objection_resolve(
        actor=fed, objection=objection, outcome=ObjectionOutcome.DISMISSED, answer="经核实，该站点按公示时间开放"
    )
    refused(
        services.objection_resolve,
        "该异议已处理",
        actor=fed,
        objection=objection,
        outcome=ObjectionOutcome.DISMISSED,
        answer="x",
    )
    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.APPROVED)
    assert campaign.approved_on == after
    selected = Nomination.objects.filter(campaign=campaign, state=NominationState.SELECTED)
    assert selected.count() == 3
    honours = Honour.objects.filter(campaign=campaign)
    assert {h.title for h in honours} == {"2022 年度最美工会户外劳动者服务站点"} and honours.count() == 3
    from yizhan.grants.models import Grant

    grants = Grant.objects.filter(source=f"campaign:{campaign.pk}")
    assert grants.count() == 3 and {g.amount_fen for g in grants} == {500_000}
    refused(services.objection_submit, "不在公示期内", campaign_id=campaign.pk, text="晚了", client="198.51.100.2")
    honour = honours.first()
    honour = services.plaque_issue(actor=fed, honour=honour, plaque_number="DL2022-001")
    assert honour.plaque_issued_on == after and selectors.position_honours(honour.position) == [honour]


def test_selecting_a_nomination_directly_is_refused(reviewing, fed):
    campaign = _in_notice(reviewing, fed)
    refused(
        services.nomination_transition,
        "命名由活动审批一并完成",
        actor=fed,
        nomination=reviewing["zs"][0],
        to_state=NominationState.SELECTED,
    )
    assert campaign.state == CampaignState.NOTICE


def test_objection_outside_the_notice_is_refused(reviewing):
    refused(services.objection_submit, "不在公示期内", campaign_id=reviewing["campaign"].pk, text="x", client="1.2.3.4")
    refused(services.objection_submit, "不在公示期内", campaign_id="abc", text="x", client="1.2.3.4")


def test_campaign_scope_is_seen_above_and_below(published, dalian, make_actor, regions):
    from yizhan.campaigns.models import Campaign
    from yizhan.orgs.tests.factories import UnitFactory

    street_admin = make_actor(Role.UNIT_ADMIN, dalian["street"])
    assert list(Campaign.objects.restrict(street_admin)) == [published]
    other_city = UnitFactory(type=UnitType.CITY_FEDERATION)
    stranger = make_actor(Role.FEDERATION_ADMIN, other_city)
    assert list(Campaign.objects.restrict(stranger)) == []
