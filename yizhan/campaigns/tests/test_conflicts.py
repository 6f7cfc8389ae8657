"""The conflict-of-interest declaration page (利益冲突申报, issue 17 §3) and the rule it feeds: a
review member is never assigned a nomination of their own unit (or below it) nor one of a
position they declared."""

import itertools

import pytest

from yizhan.campaigns import services
from yizhan.campaigns.choices import CampaignState, NominationState
from yizhan.campaigns.models import ReviewAssignment, ReviewMember
from yizhan.campaigns.tests.factories import ReviewMemberFactory, pdf_bytes
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType

pytestmark = pytest.mark.django_db


def _nominate(actor, campaign, position):
    n = services.nomination_create(actor=actor, campaign=campaign, position=position, statement="事迹")
    services.nomination_sealed_upload(actor=actor, nomination=n, data=pdf_bytes())
    return services.nomination_transition(actor=actor, nomination=n, to_state=NominationState.SUBMITTED)


@pytest.fixture
def world(published, fed, zs_admin, xg_admin, stations, dalian, reviewer):
    zs = [_nominate(zs_admin, published, p) for p in stations["zs"][:3]]
    xg = [_nominate(xg_admin, published, p) for p in stations["xg"][:1]]
    member = ReviewMemberFactory(campaign=published, unit=dalian["xg"], account=reviewer.user)
    services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.REVIEWING)
    return {"zs": zs, "xg": xg, "member": member}


def test_a_member_declares_on_their_page_and_is_never_assigned_what_they_declared(
    world, login, reviewer, fed, stations
):
    member, zs, xg = world["member"], world["zs"], world["xg"]
    client = login(reviewer.user)
    page = client.get(f"/staff/campaigns/members/{member.pk}/conflicts/").content.decode()
    assert 'id="conflicts-form"' in page
    for n in zs + xg:
        assert n.position.official_name in page
    assert page.count("本单位推荐，自动回避") == 1  # 西岗区's own nomination
    answer = client.post(
        f"/staff/campaigns/members/{member.pk}/conflicts/",
        {
            "conflicts": "本人配偶在该站点所在街道任职",
            "positions": [zs[1].position.code],
            "other_positions": "X-9，X-8",
        },
        follow=True,
    )
    assert "利益冲突申报已保存" in answer.content.decode()
    member.refresh_from_db()
    assert member.conflicts == "本人配偶在该站点所在街道任职"
    assert member.conflict_positions == sorted([zs[1].position.code, "X-9", "X-8"])
    assert "X-8,X-9" in client.get(f"/staff/campaigns/members/{member.pk}/conflicts/").content.decode()

    federation = login(fed.user)
    for nomination, message in ((zs[1], "已申报与"), (xg[0], "不能核查本单位推荐的阵地")):
        answer = federation.post(
            f"/staff/campaigns/nominations/{nomination.pk}/assign/", {"member": member.pk}, follow=True
        )
        assert message in answer.content.decode()
        assert not ReviewAssignment.objects.filter(nomination=nomination, member=member).exists()
    federation.post(f"/staff/campaigns/nominations/{zs[0].pk}/assign/", {"member": member.pk})
    assert ReviewAssignment.objects.filter(nomination=zs[0], member=member).exists()
    # The federation may correct the declaration (withdraw the position): then the assignment is allowed.
    federation.post(f"/staff/campaigns/members/{member.pk}/conflicts/", {"conflicts": "已核实无利益关系"})
    member.refresh_from_db()
    assert member.conflict_positions == [] and member.conflicts == "已核实无利益关系"
    federation.post(f"/staff/campaigns/nominations/{zs[1].pk}/assign/", {"member": member.pk})
    assert ReviewAssignment.objects.filter(nomination=zs[1], member=member).exists()


def test_the_page_is_the_members_own_and_the_federations(
    world, login, make_user, make_unit, dalian, xg_admin, zs_admin
):
    member = world["member"]
    url = f"/staff/campaigns/members/{member.pk}/conflicts/"
    other_reviewer = make_user(Role.REVIEWER, dalian["xg"])
    assert login(other_reviewer).get(url).status_code == 404
    assert login(other_reviewer).post(url, {"conflicts": "x"}).status_code == 404
    assert login(zs_admin.user).get(url).status_code == 404  # another unit's member
    unit = login(xg_admin.user)  # the member's unit reads the declaration but does not write it
    page = unit.get(url)
    assert page.status_code == 200 and 'id="conflicts-form"' not in page.content.decode()
    assert unit.post(url, {"conflicts": "代填"}).status_code == 403
    assert ReviewMember.objects.get(pk=member.pk).conflicts == ""
    shenyang = make_unit(UnitType.CITY_FEDERATION, name="沈阳市总工会", code="SY")
    assert login(make_user(Role.FEDERATION_ADMIN, shenyang)).get(url).status_code == 404  # another federation


def test_too_long_a_declaration_is_refused_with_nothing_written(world, login, reviewer):
    member = world["member"]
    answer = login(reviewer.user).post(
        f"/staff/campaigns/members/{member.pk}/conflicts/", {"conflicts": "长" * 501, "positions": ["A"]}, follow=True
    )
    assert answer.status_code == 200 and "500" in answer.content.decode()
    member.refresh_from_db()
    assert member.conflicts == "" and member.conflict_positions == []


def test_the_rule_over_every_member_and_nomination(world, fed, dalian, published, stations):
    """Every pair of a member (of the federation, of a district, of a street below a district) and
    a nomination: assigned exactly when the nomination is neither of the member's unit (or below
    it) nor of a declared position."""
    zs, xg = world["zs"], world["xg"]
    declared = zs[2].position.code
    members = [
        ReviewMemberFactory(campaign=published, unit=dalian["city"], conflict_positions=[declared]),
        ReviewMemberFactory(campaign=published, unit=dalian["zs"]),
        ReviewMemberFactory(campaign=published, unit=dalian["xg"], conflict_positions=[declared]),
        ReviewMemberFactory(campaign=published, unit=dalian["street"]),
    ]
    for member, nomination in itertools.product(members, zs + xg):
        own = member.unit_id != dalian["city"].pk and nomination.position.unit.path.startswith(member.unit.path)
        own = own or member.unit_id == nomination.unit_id
        expected = not own and nomination.position.code not in member.conflict_positions
        try:
            services.review_assign(actor=fed, nomination=nomination, member=member)
        except ApplicationError:
            assigned = False
        else:
            assigned = True
        assert assigned == expected, (member.unit.code, nomination.position.code)
