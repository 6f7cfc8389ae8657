"""A project campaign's quota table has no column headed "—" (issue 21's screenshots: the stations'
五星站点 column, always 0, stood unnamed beside 符合条件的项目); a station campaign keeps both counts."""

import re

import pytest

from yizhan.campaigns.models import Quota
from yizhan.campaigns.tests.factories import CampaignFactory
from yizhan.core.roles import Role

pytestmark = pytest.mark.django_db


def _quota_table(client, campaign) -> tuple[list[str], list[str]]:
    html = client.get(f"/staff/campaigns/{campaign.pk}/").content.decode()
    table = re.search(r'<table class="data" id="quota-table">.*?</table>', html, re.DOTALL).group(0)
    heads = re.findall(r'<th scope="col">([^<]*)</th>', table)
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", table, re.DOTALL).group(1)
    return heads, re.findall(r"<td>", first_row)


@pytest.mark.parametrize(
    ("subject", "counts"), [("project", ["符合条件的项目"]), ("position", ["运营站点", "五星站点"])]
)
def test_the_quota_table_names_every_column(dalian, make_user, login, subject, counts):
    campaign = CampaignFactory(federation=dalian["city"], subject=subject)
    Quota.objects.create(campaign=campaign, unit=dalian["zs"], operating_count=2, five_star_count=0, quota=1)
    client = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    heads, cells = _quota_table(client, campaign)
    assert "—" not in heads
    assert heads[1 : 1 + len(counts)] == counts
    assert len(cells) == len(heads)
