"""A problem report's optional photo (issue 15 §4): from the public page and the public API
(multipart), through the positions' photo pipeline (type and size checked, re-encoded as JPEG, no
EXIF), refused with a Chinese message and nothing written, within the same abuse limits, shown to
staff in the queue's report page and the API, never on the public page."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.ledger import services
from yizhan.ledger.models import ProblemReport
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db

API = "/api/v1/public/problem-reports"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg_with_exif(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0132] = "2026:07:20 10:00:00"  # DateTime
    exif[0x010F] = "PhoneMaker"  # Make
    raw = BytesIO()
    image.save(raw, format="JPEG", exif=exif)
    return raw.getvalue()


def _upload(data: bytes, name="p.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _stored(report: ProblemReport):
    with Image.open(report.photo.path) as stored:
        return stored.format, dict(stored.getexif()), stored.size


def test_the_public_page_takes_a_photo_reencoded_without_exif(station, dalian_map, make_user, login):
    worker = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.21")
    page = worker.get(f"/p/{station.code}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photo"' in page
    token = worker.cookies["csrftoken"].value
    r = worker.post(
        f"/p/{station.code}/report/",
        {"kind": "broken", "text": "饮水机坏了", "photo": _upload(_jpeg_with_exif()), "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 302, r.content.decode()
    report = ProblemReport.objects.get()
    kind, exif, size = _stored(report)
    assert kind == "JPEG" and exif == {} and size == (64, 48)
    assert (report.photo_width, report.photo_height) == (64, 48)
    # Never on the public page (the notice gives the kind and the day only).
    assert report.photo.url not in worker.get(f"/p/{station.code}/").content.decode()
    # Shown to the handling staff: the report's page and the list's mark.
    clerk = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    detail = clerk.get(f"/staff/ledger/reports/{report.pk}/").content.decode()
    assert f'src="{report.photo.url}"' in detail
    assert "有照片" in clerk.get("/staff/ledger/reports/").content.decode()
    answer = clerk.get(f"/api/v1/ledger/problem-reports/{report.pk}").json()
    assert answer["photo_url"] == report.photo.url


def test_a_report_without_a_photo_has_none(station, zs_admin, login):
    services.problem_report_submit(position_id=station.pk, kind="locked", client="203.0.113.22")
    report = ProblemReport.objects.get()
    assert not report.photo
    answer = login(zs_admin.user).get(f"/api/v1/ledger/problem-reports/{report.pk}").json()
    assert answer["photo_url"] is None


def test_the_public_api_takes_a_photo_as_multipart(station):
    client = Client(REMOTE_ADDR="203.0.113.23")
    r = client.post(API, {"position_id": station.pk, "kind": "no_water", "photo": _upload(_jpeg_with_exif())})
    assert r.status_code == 201, r.content
    report = ProblemReport.objects.get(pk=r.json()["id"])
    assert _stored(report)[:2] == ("JPEG", {})
    # Multipart without a photo is a report as JSON makes it.
    r = Client(REMOTE_ADDR="203.0.113.24").post(API, {"position_id": station.pk, "kind": "closed"})
    assert r.status_code == 201, r.content
    assert not ProblemReport.objects.get(pk=r.json()["id"]).photo


def test_bad_photos_are_refused_in_chinese_and_nothing_is_written(station, settings, tmp_path):
    client = Client(REMOTE_ADDR="203.0.113.25")
    r = client.post(API, {"position_id": station.pk, "kind": "broken", "photo": _upload(b"not an image", "p.png")})
    assert r.status_code == 400, r.content
    assert "不是照片" in r.json()["detail"] and r.json()["field"] == "photo"
    gif = BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    r = client.post(API, {"position_id": station.pk, "kind": "broken", "photo": _upload(gif.getvalue(), "p.gif")})
    assert r.status_code == 400 and "不是照片" in r.json()["detail"]
    settings.YIZHAN_PHOTO_MAX_BYTES = 100
    r = client.post(API, {"position_id": station.pk, "kind": "broken", "photo": _upload(_jpeg_with_exif())})
    assert r.status_code == 400 and "不能大于" in r.json()["detail"]
    assert not ProblemReport.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no file left behind
    # A refused photo does not use up the sender's budget: the same sender may report at once.
    settings.YIZHAN_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    r = client.post(API, {"position_id": station.pk, "kind": "broken", "photo": _upload(_jpeg_with_exif())})
    assert r.status_code == 201, r.content


def test_the_public_page_shows_a_refused_photo_with_its_reason(station):
    worker = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.26")
    worker.get(f"/p/{station.code}/report/")
    token = worker.cookies["csrftoken"].value
    r = worker.post(
        f"/p/{station.code}/report/",
        {"kind": "broken", "photo": _upload(b"\x00" * 64, "x.jpg"), "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 400 and "不是照片" in r.content.decode()
    assert not ProblemReport.objects.exists()


def test_photos_fall_under_the_same_abuse_limits(station):
    services.problem_report_submit(
        position_id=station.pk, kind="locked", client="203.0.113.27", photo=_jpeg_with_exif()
    )
    with pytest.raises(services.FeedbackLimited):
        services.problem_report_submit(
            position_id=station.pk, kind="closed", client="203.0.113.27", photo=_jpeg_with_exif()
        )
    assert ProblemReport.objects.count() == 1


def test_an_empty_photo_is_refused(station):
    with pytest.raises(ApplicationError) as refused:
        services.problem_report_submit(position_id=station.pk, kind="locked", client="203.0.113.28", photo=b"")
    assert refused.value.field == "photo"


def test_another_districts_report_photo_is_not_shown(dalian_map, make_user, login, make_position):
    xg_station = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    report = services.problem_report_submit(
        position_id=xg_station.pk, kind="broken", client="203.0.113.29", photo=_jpeg_with_exif()
    )
    zs = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    assert zs.get(f"/staff/ledger/reports/{report.pk}/").status_code == 404
    assert zs.get(f"/api/v1/ledger/problem-reports/{report.pk}").status_code == 404
