"""Uploaded files in a browser (decision 36): in the demo, a worker's problem report comes with a
photo; 中山区's admin sees it on the report's page, the same address sends a stranger to the login
page and shows 西岗区's admin nothing, while a station's photo shows on the public page to anyone."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from yizhan.ledger.services import problem_report_submit
from yizhan.orgs.models import User
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions.models import Position
from yizhan.positions.photos import position_photo_add


def _picture(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


def _loaded(page, selector: str) -> bool:
    return page.locator(selector).first.evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.mark.browser
def test_a_report_photo_for_its_staff_and_a_station_photo_for_everyone(demo, new_page, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    station = (
        Position.objects.filter(unit__code="DL-ZS", state="operating", photos__isnull=True).order_by("code").first()
    )
    admin = actor_for_user(User.objects.get(username="zs_admin"))
    station_photo = position_photo_add(actor=admin, position=station, data=_picture("green"), caption="站点外景")
    report = problem_report_submit(
        position_id=station.pk, kind="broken", text="饮水机坏了", client="203.0.113.40", photo=_picture("red")
    )
    private_url = report.photo.url
    assert private_url.startswith("/files/ledger/problems/")

    staff = login(new_page(), "zs_admin", path=f"/staff/ledger/reports/{report.pk}/")
    expect(staff.locator("img.problem-photo")).to_have_attribute("src", private_url)
    assert _loaded(staff, "img.problem-photo")

    stranger = new_page()
    stranger.goto(private_url)
    expect(stranger).to_have_url(re.compile(r"/login/\?next=/files/ledger/problems/"))

    other_admin = login(new_page(), "xg_admin", path="/staff/")
    assert other_admin.request.get(private_url).status == 404

    public = new_page()
    public.goto(f"/p/{station.code}/")
    public_url = station_photo.image.url
    assert public_url.startswith("/media/positions/photos/")
    assert _loaded(public, f'ul.photos img[src="{public_url}"]')
