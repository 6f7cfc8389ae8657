"""An inspection on a phone and a rectification round (issue 16 §4 "Done when"): in the demo, the
federation admin opens a planned spot check of the demo's draw on a 360 × 640 screen, works
through the standard item by item, submits and confirms it, opens a rectification on the failing
item; the position's unit closes it with a photo (a file that is not one is refused first), the
inspector sends it back with a reason, it comes back with a new photo and is accepted — every
move in its history."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.inspections.choices import InspectionState, RectificationState
from yizhan.inspections.models import Inspection, Rectification


def _file(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, format="JPEG")
    return out.getvalue()


def _fits(page) -> None:
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide


def _move(page, button: str, reason: str = "") -> None:
    form = page.locator("form.move", has=page.get_by_role("button", name=button))
    if reason:
        form.get_by_label("原因").fill(reason)
    form.get_by_role("button", name=button).click()


@pytest.mark.browser
def test_an_inspector_completes_an_inspection_on_a_phone_and_a_rectification_goes_round(
    demo, new_page, login, tmp_path
):
    inspection = Inspection.objects.filter(draw__isnull=False, state=InspectionState.PLANNED).order_by("pk").first()
    assert inspection is not None, "the demo's draw leaves a planned spot check"
    inspector = new_page(PHONE)
    login(inspector, "fed_admin", path=f"/staff/inspections/{inspection.pk}/")
    expect(inspector.locator("#inspection-state")).to_have_text("待检查")
    _move(inspector, "开始检查")
    expect(inspector.locator("#inspection-state")).to_have_text("检查中")

    # Item by item: everything present but the online map, with a note; the form fits the phone.
    form = inspector.locator("#findings-form")
    for radio in form.locator('input[type="radio"][value="是"]').all():
        radio.check()
    item = form.locator("li.item", has=inspector.get_by_text("有网上地图可查"))
    item.get_by_label("否").check()
    item.get_by_label("说明").fill("地图上搜不到")
    form.get_by_label("检查意见").fill("站点整洁，线上地图未标注")
    _fits(inspector)
    submit = form.get_by_role("button", name="保存并提交")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    submit.click()
    expect(inspector.get_by_role("status")).to_contain_text("检查结果已提交")
    expect(inspector.locator("#inspection-state")).to_have_text("已提交")
    _move(inspector, "确认检查结果")
    expect(inspector.locator("#inspection-state")).to_have_text("已确认")
    inspection.refresh_from_db()
    assert inspection.assessment_id and inspection.findings.get(item__key="online_map").met is False

    # A rectification on the failing item.
    rectify = inspector.locator("form.rectify", has=inspector.get_by_text("有网上地图可查"))
    rectify.get_by_label("整改要求").fill("在线上地图标注位置与开放时间")
    rectify.get_by_role("button", name="开具整改").click()
    expect(inspector.locator("#rectification-state")).to_have_text("待整改")
    _fits(inspector)
    rectification = Rectification.objects.get(inspection=inspection)
    url = f"/staff/inspections/rectifications/{rectification.pk}/"

    # The owner: first a file that is not a photo, then a photo.
    owner_name = "zs_admin" if rectification.owner_unit.code.startswith("DL-ZS") else "xg_admin"
    owner = new_page(PHONE)
    login(owner, owner_name, path=url)
    owner.get_by_label("整改后照片").set_input_files(_file(tmp_path, "not-a-photo.jpg", b"%PDF-1.4 no"))
    owner.get_by_role("button", name="提交整改结果").click()
    expect(owner.get_by_role("status")).to_contain_text("文件不是照片")
    expect(owner.locator("#rectification-state")).to_have_text("待整改")
    owner.get_by_label("整改后照片").set_input_files(_file(tmp_path, "after.jpg", _jpeg()))
    owner.get_by_label("整改说明").fill("已在地图上标注")
    owner.get_by_role("button", name="提交整改结果").click()
    expect(owner.locator("#rectification-state")).to_have_text("待验收")
    _fits(owner)

    # The inspector sends it back with a reason: a second round.
    inspector.goto(url)
    _move(inspector, "退回重新整改", reason="照片未显示开放时间")
    expect(inspector.locator("#rectification-state")).to_have_text("待整改")
    owner.goto(url)
    owner.get_by_label("整改后照片").set_input_files(_file(tmp_path, "again.jpg", _jpeg()))
    owner.get_by_role("button", name="提交整改结果").click()
    expect(owner.locator("#rectification-state")).to_have_text("待验收")
    inspector.goto(url)
    _move(inspector, "验收通过")
    expect(inspector.locator("#rectification-state")).to_have_text("已验收")
    expect(inspector.locator("ul.evidence img")).to_have_count(2)
    expect(inspector.get_by_text("照片未显示开放时间")).to_be_visible()
    _fits(inspector)
    rectification.refresh_from_db()
    assert (rectification.state, rectification.round) == (RectificationState.ACCEPTED, 2)
    assert rectification.history.count() == 4
