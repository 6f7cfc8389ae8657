"""The standards pages (issue 16 §1–§3, §6): a federation admin edits a draft and publishes it; an
assessor fills the phone form item by item with evidence; a station is rated from the page and its
stars show with their date; the sheet and the rating list export in Chinese; the yearly review
lists first and delists only when confirmed."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from yizhan.core.audit import audit_context
from yizhan.core.roles import Role
from yizhan.ledger.tests.factories import DailyLedgerFactory, FeedbackFactory
from yizhan.orgs.tests.factories import MembershipFactory
from yizhan.positions.choices import REQUIRED_FACILITIES, PositionState
from yizhan.positions.tests.factories import PositionFactory
from yizhan.standards import services
from yizhan.standards.choices import VersionState
from yizhan.standards.models import AnswerPhoto, Assessment, Standard, StandardItem, StarRatingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation(dalian):
    with audit_context(actor_name="test"):
        services.standard_defaults_load(unit=dalian["city"])
    return dalian["city"]


@pytest.fixture
def fed_client(federation, login):
    return login(MembershipFactory(unit=federation, role=Role.FEDERATION_ADMIN).user)


@pytest.fixture
def zs_client(dalian, login):
    return login(MembershipFactory(unit=dalian["zs"], role=Role.UNIT_ADMIN).user)


@pytest.fixture
def station(dalian):
    return PositionFactory(
        unit=dalian["street"],
        state=PositionState.OPERATING,
        facilities=[str(f) for f in REQUIRED_FACILITIES],
    )


def _version(federation, code):
    return Standard.objects.get(unit=federation, code=code).versions.get(state=VersionState.PUBLISHED)


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _upload(name: str, data: bytes, content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_federation_admin_drafts_edits_and_publishes(federation, fed_client):
    standard = Standard.objects.get(unit=federation, code="nine-haves")
    assert "九有" in fed_client.get("/staff/standards/").content.decode()
    response = fed_client.post(f"/staff/standards/{standard.pk}/draft/", {"note": "2027 修订"})
    draft = standard.versions.get(state=VersionState.DRAFT)
    assert response.status_code == 302 and response["Location"] == f"/staff/standards/versions/{draft.pk}/"
    page = fed_client.get(f"/staff/standards/versions/{draft.pk}/").content.decode()
    assert "增加条目" in page and "发布为现行版本" in page
    added = fed_client.post(
        f"/staff/standards/versions/{draft.pk}/",
        {"key": "wifi", "text": "有无线网络", "check_type": "yes_no", "kinds": ["station"], "points": "0"},
    )
    assert added.status_code == 302
    item = draft.items.get(key="wifi")
    fed_client.post(
        f"/staff/standards/items/{item.pk}/",
        {"key": "wifi", "text": "有免费无线网络", "check_type": "yes_no", "required": "on", "points": "1"},
    )
    item.refresh_from_db()
    assert item.text == "有免费无线网络" and item.points == 1
    removed = draft.items.get(key="online_map")
    fed_client.post(f"/staff/standards/items/{removed.pk}/remove/")
    assert not draft.items.filter(key="online_map").exists()
    fed_client.post(f"/staff/standards/versions/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED
    assert standard.versions.get(number=1).state == VersionState.SUPERSEDED
    # A published version offers no editing and refuses it.
    page = fed_client.get(f"/staff/standards/versions/{draft.pk}/").content.decode()
    assert "增加条目" not in page
    fed_client.post(f"/staff/standards/items/{item.pk}/", {"key": "wifi", "text": "改", "check_type": "yes_no"})
    assert StandardItem.objects.get(pk=item.pk).text == "有免费无线网络"


def test_a_number_item_without_its_minimum_is_refused_on_the_form(federation, fed_client):
    standard = Standard.objects.get(unit=federation, code="centre-area")
    fed_client.post(f"/staff/standards/{standard.pk}/draft/")
    draft = standard.versions.get(state=VersionState.DRAFT)
    page = fed_client.post(
        f"/staff/standards/versions/{draft.pk}/",
        {"key": "x_total", "text": "面积", "check_type": "number", "points": "0"},
    )
    assert page.status_code == 200 and "数值检查的条目须填写最小值" in page.content.decode()
    assert not draft.items.filter(key="x_total").exists()


def test_a_district_admin_reads_but_does_not_edit_standards(federation, zs_client):
    standard = Standard.objects.get(unit=federation, code="nine-haves")
    assert zs_client.get("/staff/standards/").status_code in (200, 403)
    assert zs_client.post(f"/staff/standards/{standard.pk}/draft/").status_code in (403, 404)
    assert not standard.versions.filter(state=VersionState.DRAFT).exists()


def test_the_policy_page_shows_the_default_numbers(federation, fed_client):
    page = fed_client.get("/staff/standards/policy/").content.decode()
    assert "默认规则" in page and "≥ 90" in page and "饮用水" in page


def test_the_form_is_prefilled_from_the_record(federation, fed_client, station):
    version = _version(federation, "star-rating")
    page = fed_client.get(f"/staff/standards/positions/{station.pk}/assess/?version={version.pk}").content.decode()
    assert 'name="answer-drinking_water" value="yes" checked' in page
    assert "档案记录：有" in page and "档案记录：无" in page
    chooser = fed_client.get(f"/staff/standards/positions/{station.pk}/assess/").content.decode()
    assert "星级评定现场检查" in chooser and "六有" not in chooser  # a station: centre standards do not apply


def _answers(version, station, *, photo_key=None, photo=None):
    data = {"version": version.pk, "assessed_on": f"{timezone.localdate():%Y-%m-%d}", "correct_record": "on"}
    for item in version.items.all():
        if item.applies_to(station.kind):
            data[f"answer-{item.key}"] = "yes"
            data[f"note-{item.key}"] = ""
    if photo_key:
        data[f"photo-{photo_key}"] = photo
    return data


def test_an_assessment_with_a_photo_and_a_correction(federation, fed_client, station):
    version = _version(federation, "star-rating")
    data = _answers(version, station, photo_key="drinking_water", photo=_upload("a.jpg", jpeg_with_exif()))
    data["note-medicine_kit"] = "药箱在柜中"
    response = fed_client.post(f"/staff/standards/positions/{station.pk}/assess/", data)
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/standards/assessments/{assessment.pk}/"
    photo = AnswerPhoto.objects.get()
    assert photo.answer.item.key == "drinking_water"
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG" and not stored.getexif()
    assert assessment.answers.get(item__key="medicine_kit").note == "药箱在柜中"
    station.refresh_from_db()
    assert "wifi" in station.facilities  # found present, the record did not say: corrected
    page = fed_client.get(f"/staff/standards/assessments/{assessment.pk}/").content.decode()
    assert photo.image.url in page and "评定星级" in page
    answers = fed_client.get(f"/api/v1/assessments/{assessment.pk}").json()["answers"]
    assert {a["item"]: a["photos"] for a in answers}["drinking_water"] == [photo.image.url]


def test_evidence_that_is_not_an_image_is_refused_and_nothing_written(federation, fed_client, station):
    version = _version(federation, "star-rating")
    data = _answers(version, station, photo_key="drinking_water", photo=_upload("a.jpg", b"%PDF-1.4 not a photo"))
    page = fed_client.post(f"/staff/standards/positions/{station.pk}/assess/", data)
    assert page.status_code == 200 and "文件不是照片" in page.content.decode()
    assert not Assessment.objects.exists() and not AnswerPhoto.objects.exists()


def test_a_missing_answer_is_named_and_nothing_written(federation, fed_client, station):
    version = _version(federation, "star-rating")
    data = _answers(version, station)
    data["answer-microwave"] = ""
    page = fed_client.post(f"/staff/standards/positions/{station.pk}/assess/", data).content.decode()
    assert "请填写条目“微波炉”" in page and not Assessment.objects.exists()


def test_rating_from_the_page_shows_the_arithmetic_and_the_stars_with_their_date(federation, fed_client, station):
    today = timezone.localdate()
    for offset in range(10):
        DailyLedgerFactory(position=station, day=today - timedelta(days=offset))
    for _ in range(10):
        FeedbackFactory(position=station, rating=5)
    version = _version(federation, "star-rating")
    fed_client.post(f"/staff/standards/positions/{station.pk}/assess/", _answers(version, station))
    assessment = Assessment.objects.get()
    response = fed_client.post(
        f"/staff/standards/assessments/{assessment.pk}/rate/",
        {"period": today.year, "date_from": f"{today - timedelta(days=29):%Y-%m-%d}", "date_to": f"{today:%Y-%m-%d}",
         "periodic": "on"},
    )  # fmt: skip
    record = StarRatingRecord.objects.get()
    assert response["Location"] == f"/staff/standards/ratings/{record.pk}/"
    page = fed_client.get(response["Location"]).content.decode()
    assert "场地与硬件：" in page and "合计：" in page and "评为5星级" in page
    station.refresh_from_db()
    assert station.star_rating == "5" and station.star_rated_on == today
    staff = fed_client.get(f"/staff/positions/{station.pk}/").content.decode()
    assert "评估与星级" in staff and "五星" in staff and f"/staff/standards/ratings/{record.pk}/" in staff
    history = fed_client.get(f"/staff/standards/positions/{station.pk}/ratings/").content.decode()
    assert str(today.year) in history and "5★" in history
    public = Client().get(f"/p/{station.code}/").content.decode()
    assert "五星" in public and f"（{today:%Y-%m-%d} 评定）" in public


def test_a_refused_rating_says_why(federation, fed_client, station):
    version = _version(federation, "star-rating")
    fed_client.post(f"/staff/standards/positions/{station.pk}/assess/", _answers(version, station))
    assessment = Assessment.objects.get()
    today = timezone.localdate()
    response = fed_client.post(
        f"/staff/standards/assessments/{assessment.pk}/rate/",
        {"period": today.year, "date_from": f"{today:%Y-%m-%d}", "date_to": f"{today + timedelta(days=3):%Y-%m-%d}"},
        follow=True,
    )
    assert "统计期间无效" in response.content.decode() and not StarRatingRecord.objects.exists()


def test_the_sheet_exports_in_chinese(federation, fed_client, station):
    version = _version(federation, "star-rating")
    fed_client.post(f"/staff/standards/positions/{station.pk}/assess/", _answers(version, station))
    assessment = Assessment.objects.get()
    xlsx = fed_client.get(f"/staff/standards/assessments/{assessment.pk}/sheet.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "服务阵地评估表" in cells and "饮用水" in cells and "达标" in cells
    pdf = fed_client.get(f"/staff/standards/assessments/{assessment.pk}/sheet.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content
    assert fed_client.get(f"/staff/standards/assessments/{assessment.pk}/sheet.doc").status_code == 404


def test_the_rating_list_of_a_unit(federation, dalian, fed_client, station):
    other = PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING)
    page = fed_client.get(f"/staff/standards/ratings/?unit={dalian['zs'].pk}").content.decode()
    assert station.display_name in page and other.display_name not in page
    xlsx = fed_client.get(f"/staff/standards/ratings/?unit={dalian['zs'].pk}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "阵地编号" and rows[2][0] == station.code and rows[2][5] == "未评星"


def test_a_district_admin_cannot_assess_or_list_another_district(federation, dalian, zs_client):
    other = PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING)
    version = _version(federation, "star-rating")
    assert zs_client.get(f"/staff/standards/positions/{other.pk}/assess/?version={version.pk}").status_code == 404
    assert zs_client.post(f"/staff/standards/positions/{other.pk}/assess/", _answers(version, other)).status_code == 404
    assert zs_client.get(f"/staff/standards/ratings/?unit={dalian['xg'].pk}").status_code == 404
    assert not Assessment.objects.exists()


def test_the_review_lists_then_delists_only_when_confirmed(federation, dalian, fed_client):
    station = PositionFactory(
        unit=dalian["zs"],
        state=PositionState.OPERATING,
        opened_on=timezone.localdate().replace(year=2023, month=1, day=1),
    )
    year = timezone.localdate().year
    page = fed_client.get(f"/staff/standards/review/?period={year}").content.decode()
    assert station.display_name in page and "确认摘牌 1 个站点" in page
    station.refresh_from_db()
    assert station.state == PositionState.OPERATING  # listed only
    fed_client.post("/staff/standards/review/", {"period": year, "confirm": "yes"})
    station.refresh_from_db()
    assert station.state == PositionState.DELISTED


def test_the_review_button_is_for_those_who_rate(dalian, login):
    auditor = login(MembershipFactory(unit=dalian["city"], role=Role.AUDITOR).user)
    assert auditor.post("/staff/standards/review/", {"period": 2026, "confirm": "yes"}).status_code == 403


def test_an_assessment_keeps_its_version_after_the_next_is_published(federation, dalian, fed_client):
    """Version pinning: publishing a changed version leaves an earlier assessment reading the items
    it was made against."""
    from yizhan.core.scoping import Actor
    from yizhan.standards.assessments import assessment_record

    member = MembershipFactory(unit=federation, role=Role.FEDERATION_ADMIN)
    admin = Actor(user=member.user, membership=member)
    station = PositionFactory(unit=dalian["street"], state=PositionState.OPERATING)
    first = _version(federation, "nine-haves")
    answers = {item.key: True for item in first.items.all()}
    assessment = assessment_record(
        actor=admin, position=station, version=first, assessed_on=timezone.localdate(), answers=answers
    )
    draft = services.standard_draft_create(actor=admin, standard=first.standard)
    services.standard_item_update(actor=admin, item=draft.items.get(key="fixed_space"), text="有固定场所（新）")
    services.standard_item_remove(actor=admin, item=draft.items.get(key="online_map"))
    services.standard_version_publish(actor=admin, version=draft)
    assessment.refresh_from_db()
    assert assessment.version_id == first.pk and assessment.version.state == VersionState.SUPERSEDED
    texts = set(assessment.answers.values_list("item__text", flat=True))
    assert {"有固定场所", "有网上地图可查"} <= texts and "有固定场所（新）" not in texts
    page = fed_client.get(f"/staff/standards/assessments/{assessment.pk}/").content.decode()
    assert "第 1 版" in page and "有网上地图可查" in page and "有固定场所（新）" not in page


def test_an_oversized_photo_is_refused_naming_its_item(federation, fed_client, station, settings):
    settings.YIZHAN_PHOTO_MAX_BYTES = 100
    version = _version(federation, "star-rating")
    data = _answers(version, station, photo_key="microwave", photo=_upload("b.jpg", jpeg_with_exif()))
    page = fed_client.post(f"/staff/standards/positions/{station.pk}/assess/", data).content.decode()
    assert "条目“微波炉”的照片不能大于" in page
    assert not Assessment.objects.exists() and not AnswerPhoto.objects.exists()


def test_the_federation_admin_drafts_and_publishes_the_next_policy_from_the_page(federation, fed_client, zs_client):
    from yizhan.standards.models import RatingPolicyVersion
    from yizhan.standards.ratings import rating_policy_for

    form = {
        "threshold-5": "92",
        "threshold-4": "82",
        "threshold-3": "72",
        "volume_points": "20",
        "effect_points": "20",
        "delist_after_unrated_periods": "3",
        "note": "2027 年起提高门槛",
    }
    page = fed_client.get("/staff/standards/policy/").content.decode()
    assert 'name="threshold-5" value="90"' in page and "保存草稿" in page
    # Out of order, or not a number: refused with the reason, nothing written.
    bad = fed_client.post("/staff/standards/policy/draft/", {**form, "threshold-4": "95"}, follow=True)
    assert "星级门槛须按星级和分数从高到低排列" in bad.content.decode()
    bad = fed_client.post("/staff/standards/policy/draft/", {**form, "volume_points": "很多"}, follow=True)
    assert "请填写 0 至 1000 之间的数：服务量分值" in bad.content.decode()
    assert not RatingPolicyVersion.objects.exists()
    saved = fed_client.post("/staff/standards/policy/draft/", form, follow=True).content.decode()
    assert "评星规则草稿已保存（第 1 版）" in saved
    draft = RatingPolicyVersion.objects.get()
    assert draft.state == VersionState.DRAFT and draft.data["delist_after_unrated_periods"] == 3
    policy, in_force = rating_policy_for(unit=federation)
    assert in_force is None and policy.thresholds[0][1] == 90  # a draft is not in force
    # A district admin can neither draft nor publish.
    assert zs_client.post("/staff/standards/policy/draft/", form).status_code == 403
    assert zs_client.post(f"/staff/standards/policy/{draft.pk}/publish/").status_code in (403, 404)
    published = fed_client.post(f"/staff/standards/policy/{draft.pk}/publish/", follow=True).content.decode()
    assert "评星规则第 1 版已发布" in published
    policy, in_force = rating_policy_for(unit=federation)
    assert in_force.pk == draft.pk and [low for _s, low in policy.thresholds] == [92, 82, 72]
    again = fed_client.post(f"/staff/standards/policy/{draft.pk}/publish/", follow=True).content.decode()
    assert "草稿" in again  # only a draft is published


def test_the_policy_api_reads_drafts_and_publishes(federation, fed_client, zs_client):
    read = fed_client.get("/api/v1/standards/rating-policy").json()
    assert read["in_force_version"] is None and read["in_force"]["thresholds"][0] == [5, "90"]
    data = {**read["in_force"], "thresholds": [[5, "95"], [4, "85"], [3, "75"]]}
    refused = fed_client.put(
        "/api/v1/standards/rating-policy/draft",
        {"data": {"thresholds": "高"}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "评星规则无效" in refused.json()["detail"]
    draft = fed_client.put(
        "/api/v1/standards/rating-policy/draft", {"data": data, "note": "试行"}, content_type="application/json"
    )
    assert draft.status_code == 200 and draft.json()["state"] == "draft"
    version_id = draft.json()["id"]
    assert (
        zs_client.put(
            "/api/v1/standards/rating-policy/draft", {"data": data}, content_type="application/json"
        ).status_code
        == 403
    )
    assert zs_client.post(f"/api/v1/standards/rating-policy/{version_id}/publish").status_code in (403, 404)
    published = fed_client.post(f"/api/v1/standards/rating-policy/{version_id}/publish")
    assert published.status_code == 200 and published.json()["state"] == "published"
    after = fed_client.get("/api/v1/standards/rating-policy").json()
    assert after["in_force_version"] == 1 and after["in_force"]["thresholds"][0] == [5, "95"]


def test_the_assessment_list_pages_instead_of_cutting_off(federation, fed_client, station, monkeypatch):
    from yizhan.standards import views

    monkeypatch.setattr(views, "ASSESSMENTS_PER_PAGE", 2)
    version = _version(federation, "star-rating")
    with audit_context(actor_name="test"):
        for day in range(1, 6):
            Assessment(
                position=station, version=version, assessed_on=date(2026, 3, day), applicable=1, met=1, compliance=1
            ).save()
    first = fed_client.get("/staff/standards/assessments/").content.decode()
    assert "共 5 次评估" in first and "第 1 / 3 页" in first and "2026年3月5日" in first
    last = fed_client.get("/staff/standards/assessments/?page=3").content.decode()
    assert "2026年3月1日" in last and "2026年3月5日" not in last
