"""Activities (issue 15 §2): registered by a unit at its position or on its own, never in the
future, a position's activity held by its own unit; photos through the positions' pipeline
(re-encoded as JPEG, EXIF gone, oversized or non-image files refused with a Chinese message)."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.roles import Role
from yizhan.ledger import services
from yizhan.ledger.choices import ActivityKind
from yizhan.ledger.models import Activity, ActivityPhoto
from yizhan.ledger.tests.factories import ActivityFactory, png_bytes
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _create(actor, unit, **overrides):
    values = {
        "title": "夏季送清凉",
        "kind": ActivityKind.COOLNESS,
        "held_on": timezone.localdate() - timedelta(days=2),
        "participants": 40,
    }
    values.update(overrides)
    return services.activity_create(actor=actor, unit=unit, **values)


def test_an_activity_at_a_position_is_held_by_its_unit(zs_admin, dalian_map, station):
    activity = _create(zs_admin, dalian_map["zs"], position=station)
    assert (activity.unit, activity.position, activity.participants) == (dalian_map["zs"], station, 40)
    with pytest.raises(NotFoundError):
        _create(zs_admin, dalian_map["xg"])
    with pytest.raises(ApplicationError) as refused:
        _create(zs_admin, dalian_map["zs"], held_on=timezone.localdate() + timedelta(days=1))
    assert refused.value.field == "held_on"
    with pytest.raises(ApplicationError) as refused:
        _create(zs_admin, dalian_map["zs"], participants=-1)
    assert refused.value.field == "participants"
    assert Activity.objects.count() == 1


def test_a_position_of_another_unit_is_refused(dalian_map, make_actor, make_position):
    city = make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])
    xg_station = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    with pytest.raises(ApplicationError) as refused:
        _create(city, dalian_map["zs"], position=xg_station)
    assert refused.value.field == "position"


def test_photos_are_reencoded_without_exif_and_checked(zs_admin, login, station, settings):
    activity = ActivityFactory(position=station)
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0132] = "2026:07:20 10:00:00"
    raw = BytesIO()
    image.save(raw, format="JPEG", exif=exif)
    client = login(zs_admin.user)
    upload = SimpleUploadedFile("p.jpg", raw.getvalue(), content_type="image/jpeg")
    r = client.post(f"/api/v1/ledger/activities/{activity.pk}/photos", {"image": upload, "caption": "现场"})
    assert r.status_code == 201, r.content
    photo = ActivityPhoto.objects.get()
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG" and not stored.getexif()
    not_image = SimpleUploadedFile("p.png", b"not an image", content_type="image/png")
    r = client.post(f"/api/v1/ledger/activities/{activity.pk}/photos", {"image": not_image})
    assert r.status_code == 400 and "不是照片" in r.json()["detail"]
    settings.YIZHAN_PHOTO_MAX_BYTES = 10
    big = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    r = client.post(f"/api/v1/ledger/activities/{activity.pk}/photos", {"image": big})
    assert r.status_code == 400 and "不能大于" in r.json()["detail"]
    assert ActivityPhoto.objects.count() == 1


def test_the_activity_pages_register_and_list(zs_admin, login, station):
    client = login(zs_admin.user)
    form = {
        "unit": station.unit_id,
        "position": station.pk,
        "title": "反诈骗宣传进驿站",
        "kind": "anti_fraud",
        "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "participants": "18",
    }
    r = client.post("/staff/ledger/activities/", form)
    assert r.status_code == 302
    assert "反诈骗宣传进驿站" in client.get("/staff/ledger/activities/").content.decode()
    activity = Activity.objects.get()
    page = client.get(f"/staff/ledger/activities/{activity.pk}/").content.decode()
    assert "上传照片" in page and "18" in page
