"""Test-data factories of campaigns: a draft campaign of a city federation, quotas, review-group
members, nominations, assignments. Tests *of* a service call the service; these make the records
other tests read or move."""

from __future__ import annotations

import datetime as dt
import io

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from yizhan.campaigns.choices import CampaignState, GroupRole, NominationState, StepKind
from yizhan.campaigns.models import Campaign, CampaignStep, Nomination, Quota, ReviewAssignment, ReviewMember
from yizhan.orgs.choices import UnitType
from yizhan.orgs.tests.factories import UnitFactory
from yizhan.positions.choices import PositionState, StarRating
from yizhan.positions.tests.factories import PositionFactory


def pdf_bytes(text: str = "sealed") -> bytes:
    """A small, valid PDF (reportlab), as a scanned sealed form would be."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


class CampaignFactory(DjangoModelFactory):
    """Dalian-2022-like: 50 places, 5,000 yuan each, operating 5★ stations; steps dated from today."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    federation = factory.SubFactory(UnitFactory, type=UnitType.CITY_FEDERATION)
    name = factory.Sequence(lambda n: f"2022年市级最美工会户外劳动者服务站点推树活动{n}")
    year = 2022
    honour_title = "2022 年度最美工会户外劳动者服务站点"
    total_quota = 50
    grant_fen = 500_000
    state = CampaignState.DRAFT

    @factory.post_generation
    def steps(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        today = timezone.localdate()
        offsets = {
            StepKind.QUOTAS: 3,
            StepKind.REVIEW_GROUP: 8,
            StepKind.NOMINATIONS: 36,
            StepKind.REVIEW: 60,
            StepKind.NOTICE: 80,
            StepKind.APPROVAL: 92,
            StepKind.FUNDS: 120,
            StepKind.SELF_EVALUATION: 190,
            StepKind.SPOT_CHECKS: 250,
        }
        for kind, days in offsets.items():
            deadline = today + dt.timedelta(days=days)
            CampaignStep.objects.create(campaign=obj, kind=kind, deadline=deadline, original_deadline=deadline)


class QuotaFactory(DjangoModelFactory):
    class Meta:
        model = Quota

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    quota = 2
    computed = factory.SelfAttribute("quota")


class FiveStarStationFactory(PositionFactory):
    state = PositionState.OPERATING
    star_rating = StarRating.FIVE
    star_rated_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class ReviewMemberFactory(DjangoModelFactory):
    class Meta:
        model = ReviewMember

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"评委{n}")
    job_title = "生活保障部部长"
    phone = factory.Sequence(lambda n: f"1390411{n:04d}")
    group_role = GroupRole.MEMBER
    confirmed = True


class NominationFactory(DjangoModelFactory):
    class Meta:
        model = Nomination

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    position = factory.SubFactory(FiveStarStationFactory, unit=factory.SelfAttribute("..unit"))
    statement = "站点服务户外劳动者成效显著。"
    state = NominationState.DRAFT


class ReviewAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    nomination = factory.SubFactory(NominationFactory)
    member = factory.SubFactory(ReviewMemberFactory, campaign=factory.SelfAttribute("..nomination.campaign"))
