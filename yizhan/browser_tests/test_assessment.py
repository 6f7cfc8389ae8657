"""An assessment on a phone and the stars it gives (issue 16 "Must be tested", §2–§3): in the demo,
a district admin assesses a station on a 360 × 640 screen item by item — facilities pre-filled
from the record, a photo as evidence of one item — rates it from the assessment and the ledger,
reads the arithmetic, and the stars show with their date on the staff and public pages."""

import io
import re

import pytest
from django.db.models import Sum
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.positions.choices import REQUIRED_FACILITIES
from yizhan.positions.models import Position
from yizhan.standards.models import AnswerPhoto, Assessment, StarRatingRecord


def _photo(tmp_path) -> str:
    path = tmp_path / "water.jpg"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def _busiest_unrated_station() -> Position:
    """中山区's unrated operating station with every required facility and the most visits this
    year: answered yes throughout, it reaches the district median and a star."""
    year_start = timezone.localdate().replace(month=1, day=1)
    candidates = (
        Position.objects.filter(unit__code="DL-ZS", kind="station", state="operating", star_rating="")
        .filter(star_ratings__isnull=True)
        .annotate(visits=Sum("ledger_days__visits_total"))
        .order_by("-visits", "code")
    )
    for station in candidates:
        if (
            set(REQUIRED_FACILITIES) <= set(station.facilities)
            and station.ledger_days.filter(day__gte=year_start).exists()
        ):
            return station
    pytest.fail("the demo has no unrated operating station in 中山区 with its required facilities")


@pytest.mark.browser
def test_an_assessor_assesses_on_a_phone_and_the_stars_show_with_their_date(demo, new_page, login, tmp_path):
    station = _busiest_unrated_station()
    today = timezone.localdate()
    page = new_page(PHONE)
    login(page, "zs_admin", path=f"/staff/positions/{station.pk}/")
    page.get_by_role("link", name="新建评估").click()
    page.get_by_role("link", name=re.compile("星级评定现场检查")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("星级评定现场检查")

    # Facilities the record holds come pre-filled; the assessor confirms them and answers the rest.
    expect(page.locator('input[name="answer-drinking_water"][value="yes"]')).to_be_checked()
    expect(page.get_by_text("档案记录：有").first).to_be_visible()
    for radio in page.locator('input[type="radio"][value="yes"]').all():
        radio.check()
    water = page.locator("#item-drinking_water")
    water.get_by_text("佐证：照片或说明").click()
    water.get_by_label("照片").set_input_files(_photo(tmp_path))
    water.get_by_label("说明").fill("饮水机正常出水")
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide
    save = page.get_by_role("button", name="保存评估")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    save.click()
    expect(page.get_by_role("status")).to_contain_text("评估已保存")

    assessment = Assessment.objects.get(position=station)
    photo = AnswerPhoto.objects.get(answer__assessment=assessment)
    assert photo.answer.item.key == "drinking_water" and photo.answer.note == "饮水机正常出水"
    expect(page.locator("img.evidence-thumb")).to_have_count(1)

    # Rate it: the period's defaults (this year up to the assessment), then the arithmetic.
    rate = page.get_by_role("button", name="评定星级")
    rate.scroll_into_view_if_needed()
    rate.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("年度星级评定")
    expect(page.get_by_text(re.compile("^场地与硬件："))).to_be_visible()
    expect(page.get_by_text(re.compile("^合计："))).to_be_visible()
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide
    record = StarRatingRecord.objects.get(position=station)
    station.refresh_from_db()
    assert record.stars and station.stars == record.stars and station.star_rated_on == today

    label = {3: "三星", 4: "四星", 5: "五星"}[record.stars]
    page.goto(f"/staff/positions/{station.pk}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="评估与星级"))
    expect(panel).to_contain_text(label)
    expect(panel).to_contain_text(f"{today.year}年{today.month}月{today.day}日")
    public = new_page(PHONE)
    public.goto(f"/p/{station.code}/")
    expect(public.locator(".r-stars")).to_contain_text(label)
    expect(public.get_by_text(f"（{today:%Y-%m-%d} 评定）")).to_be_visible()
