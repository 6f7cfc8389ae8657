"""The read-only admin of campaigns and inspections: listed within scope, never added, changed
nor deleted; another federation's rows answer 404; personal fields left out."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.campaigns.models import Objection
from yizhan.campaigns.tests.factories import ReviewMemberFactory
from yizhan.core.roles import Role
from yizhan.inspections.models import Inspection
from yizhan.inspections.tests.factories import shipped_version
from yizhan.orgs.choices import UnitType

pytestmark = pytest.mark.django_db

MODELS = (
    "campaign",
    "quota",
    "reviewmember",
    "reviewmeeting",
    "nomination",
    "reviewassignment",
    "objection",
    "honour",
)


def test_campaign_admin_is_read_only_and_scoped(published, fed, dalian, login, make_user, make_unit, stations):
    member = ReviewMemberFactory(campaign=published, unit=dalian["zs"], phone="13904115678")
    objection = Objection.objects.create(campaign=published, text="异议", contact="13900001111")
    client = login(fed.user)
    for model in MODELS:
        assert client.get(f"/admin/campaigns/{model}/").status_code == 200, model
        assert client.get(f"/admin/campaigns/{model}/add/").status_code == 403, model
    listing = client.get("/admin/campaigns/campaign/").content.decode()
    assert f"/admin/campaigns/campaign/{published.pk}/change/" in listing
    page = client.get(f"/admin/campaigns/campaign/{published.pk}/change/").content.decode()
    assert 'name="_save"' not in page and published.name in page
    assert client.post(f"/admin/campaigns/campaign/{published.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"/admin/campaigns/objection/{objection.pk}/change/").status_code == 200

    shenyang = make_unit(UnitType.CITY_FEDERATION, name="沈阳市总工会", code="SY")
    other = login(make_user(Role.FEDERATION_ADMIN, shenyang))
    assert (
        f"/admin/campaigns/campaign/{published.pk}/change/"
        not in other.get("/admin/campaigns/campaign/").content.decode()
    )
    assert other.get(f"/admin/campaigns/campaign/{published.pk}/change/").status_code == 404
    assert other.get(f"/admin/campaigns/reviewmember/{member.pk}/change/").status_code == 404
    # A unit admin reads its own unit's member, not the federation's objections (they hold contacts).
    zs = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    assert zs.get(f"/admin/campaigns/reviewmember/{member.pk}/change/").status_code == 200
    assert zs.get(f"/admin/campaigns/objection/{objection.pk}/change/").status_code in (403, 404)


def test_inspection_admin_is_read_only_and_scoped(dalian, fed, login, make_user, make_unit, stations):
    version = shipped_version(dalian["city"])
    inspection = Inspection.objects.create(
        unit=dalian["city"],
        kind="planned",
        position=stations["zs"][0],
        version=version,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=5),
        created_by="t",
    )
    client = login(fed.user)
    for model in ("spotcheckdraw", "inspection", "rectification"):
        assert client.get(f"/admin/inspections/{model}/").status_code == 200, model
        assert client.get(f"/admin/inspections/{model}/add/").status_code == 403, model
    assert client.get(f"/admin/inspections/inspection/{inspection.pk}/change/").status_code == 200
    shenyang = make_unit(UnitType.CITY_FEDERATION, name="沈阳市总工会", code="SY")
    other = login(make_user(Role.FEDERATION_ADMIN, shenyang))
    assert other.get(f"/admin/inspections/inspection/{inspection.pk}/change/").status_code == 404
