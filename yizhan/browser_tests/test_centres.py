"""Service-centre acceptance from the browser (issue 19 Part A): in the Wuhan demo, the federation
admin opens next year's round; 江岸区's admin starts the self-check of its district centre, ticks
every item, writes the report, attaches a photo (its EXIF dropped) and a PDF ledger, and files the
application; the federation admin opens both attachments, records the working group's findings
(看、查、谈) and a questionnaire, finishes the review, grades it 优秀 with the explanation, and the
result is on the public page (a phone's width, public facts only: no attachment reachable without
an account). Dalian's admin can open neither the application nor its attachments."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.centres import demo as wuhan
from yizhan.centres.models import Application


def _tick_all(page, selector: str) -> None:
    boxes = page.locator(selector)
    for i in range(boxes.count()):
        boxes.nth(i).check()


def _fill_all(page, selector: str, value: str) -> None:
    fields = page.locator(selector)
    for i in range(fields.count()):
        fields.nth(i).fill(value)


def _files(tmp_path) -> tuple[str, str]:
    """A phone photo carrying EXIF (the camera's make) and a one-page PDF ledger."""
    from reportlab.pdfgen import canvas

    exif = Image.Exif()
    exif[0x010F] = "YizhanTestCam"  # Make
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), "olive").save(buffer, format="JPEG", exif=exif)
    photo = tmp_path / "front-desk.jpg"
    photo.write_bytes(buffer.getvalue())
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, "ledger 2026")
    sheet.save()
    ledger = tmp_path / "ledger.pdf"
    ledger.write_bytes(out.getvalue())
    return str(photo), str(ledger)


@pytest.mark.browser
def test_district_files_federation_grades_public_sees(demo, new_page, login, tmp_path):
    today = timezone.localdate()
    year = max(today.year, wuhan.YEAR) + 1
    fed = new_page()
    login(fed, "wh_admin", path="/staff/centres/")
    fed.locator("#round-form").evaluate("form => form.closest('details').open = true")
    form = fed.locator("#round-form")
    form.get_by_label("年度").fill(str(year))
    form.get_by_label("申报截止日期").fill((today + dt.timedelta(days=60)).isoformat())
    form.get_by_role("button", name="建立批次").click()
    expect(fed.locator("#rounds")).to_contain_text(f"{year}年度职工服务中心考核验收")

    district = new_page()
    login(district, "whja_admin", path="/staff/centres/")
    opening = district.locator("#open-form")
    opening.get_by_label("职工服务中心").select_option(label="江岸区职工服务中心（区级，江岸区总工会）")
    opening.get_by_role("button", name="开始自查").click()
    expect(district.locator("#state")).to_contain_text("自查中")
    _tick_all(district, 'input[type=radio][value="1"][form="self-check-form"]')
    _fill_all(district, 'input[name^="s-number-"]', "460")
    district.get_by_label("自查报告").fill("江岸区职工服务中心按“六有”标准逐项自查，台账齐全。")
    district.get_by_role("button", name="保存自查").click()
    expect(district.locator(".messages")).to_contain_text("已保存")
    expect(district.locator("#self-rates")).to_contain_text("硬件建设达标率 100.0%")

    # The evidence: a photo of the front desk (its EXIF dropped) and the PDF ledger of one item.
    photo, ledger = _files(tmp_path)
    for path, caption, item in ((photo, "服务大厅照片", None), (ledger, "2026 年服务台账", 1)):
        form = district.locator("#attachment-form")
        form.get_by_label("文件（照片或 PDF 台账）").set_input_files(path)
        form.get_by_label("说明").fill(caption)
        if item is not None:
            form.get_by_label("对应条目").select_option(index=item)
        form.get_by_role("button", name="上传").click()
        expect(district.locator(".messages")).to_contain_text("已上传")
    attachments = district.locator("#attachments li")
    expect(attachments).to_have_count(2)
    expect(attachments.nth(0)).to_contain_text("照片：服务大厅照片")
    expect(attachments.nth(1)).to_contain_text("台账（PDF）：2026 年服务台账")
    expect(attachments.nth(1).locator("small")).to_have_text("（有接待服务大厅）")  # the item it documents

    district.get_by_role("button", name="提交验收申报").click()
    expect(district.locator("#state")).to_contain_text("已申报")
    expect(district.locator("#attachment-form")).to_have_count(0)  # filed: no more uploads
    application = Application.objects.get(round__year=year, centre__code="WH-JA-C1")
    stored = {a.kind: a for a in application.attachments.all()}
    assert set(stored) == {"photo", "ledger"}

    fed.goto(f"/staff/centres/{application.pk}/")
    links = fed.locator("#attachments a")
    expect(links).to_have_count(2)
    photo_url = links.nth(0).get_attribute("href")
    answer = fed.request.get(photo_url)
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    assert b"YizhanTestCam" not in answer.body() and not Image.open(io.BytesIO(answer.body())).getexif()
    answer = fed.request.get(links.nth(1).get_attribute("href"))
    assert answer.status == 200 and answer.body().startswith(b"%PDF-")
    assert answer.headers["cache-control"] == "private, no-store"
    _tick_all(fed, 'input[type=radio][value="1"][form="review-form"]')
    _tick_all(fed, 'input[type=checkbox][value="look"]')
    _fill_all(fed, 'input[name^="r-number-"]', "460")
    review = fed.locator("#review-form")
    review.get_by_label("问卷样本数").fill("120")
    review.get_by_label("问卷满意数").fill("108")
    review.get_by_role("button", name="保存并完成考核").click()
    expect(fed.locator("#state")).to_contain_text("已考核")
    fed.get_by_role("button", name="评定等次并公示").click()
    expect(fed.locator("#grade-result")).to_contain_text("优秀")
    expect(fed.locator("#explanation")).to_contain_text("职工满意率 90.00% ≥ 80%，达到")

    public = new_page(PHONE)
    public.goto("/centre-results/")
    public.get_by_role("link", name=f"{year}年度职工服务中心考核验收").click()
    row = public.locator("#results li", has_text="江岸区职工服务中心")
    expect(row).to_contain_text("优秀")
    expect(row).to_contain_text("硬件 100.0% · 机制 100.0% · 满意率 90.0%")  # satisfied: 108 of 120
    # Public facts only: no attachment, no self-check report.
    expect(public.locator("a[href*='/staff/']")).to_have_count(0)
    expect(public.locator("body")).not_to_contain_text("服务大厅照片")
    width, wide = horizontal_overflow(public)
    assert width <= PHONE["width"], wide
    anonymous = public.request.get(photo_url, max_redirects=0)
    assert anonymous.status in (302, 403, 404) and not anonymous.body().startswith(b"\xff\xd8")

    dalian = new_page()
    login(dalian, "fed_admin", path=f"/staff/centres/{application.pk}/")
    expect(dalian.locator("body")).to_contain_text("不存在")
    assert dalian.request.get(photo_url).status == 404
