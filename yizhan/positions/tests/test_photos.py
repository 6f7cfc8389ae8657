"""Position photos: content-checked, re-encoded to JPEG, EXIF (camera location) removed, scoped."""

import io

import pytest
from PIL import Image

from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE
from yizhan.positions import photos
from yizhan.positions.models import PositionPhoto

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg_with_location(size=(3000, 1500)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (38.0, 55.0, 7.0), 3: "E", 4: (121.0, 38.0, 37.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client, position, data: bytes, name="photo.jpg", caption="门口"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/staff/positions/{position.pk}/photos/", {"image": file, "caption": caption}, follow=True)


def test_photo_is_reencoded_without_exif_and_audited(make_position, dalian_map, make_user, login):
    position = make_position()
    original = jpeg_with_location()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the upload carries a location
    response = upload(login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])), position, original)
    assert "照片已上传" in response.content.decode()
    photo = PositionPhoto.objects.get(position=position)
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG"
    assert max(stored.size) == photos.MAX_SIDE and (photo.width, photo.height) == stored.size
    assert not stored.getexif()  # no EXIF at all, so no GPS either
    assert photo.caption == "门口"
    assert AuditEntry.objects.filter(object_type="positions.positionphoto", action=AuditAction.CREATE).exists()
    assert photo.image.url in response.content.decode()


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"not an image at all", "fake.jpg"), (b"%PDF-1.4 fake", "x.png"), (b"", "empty.jpg")],
)
def test_non_images_are_refused_and_nothing_is_stored(make_position, dalian_map, make_user, login, data, name):
    position = make_position()
    response = upload(login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])), position, data, name=name)
    assert response.status_code == 200
    page = response.content.decode()
    assert str(photos.PHOTO_NOT_AN_IMAGE) in page or str(photos.PHOTO_EMPTY) in page
    assert not PositionPhoto.objects.exists()


def test_gif_is_not_accepted(make_position, dalian_map, make_user, login):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    upload(login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])), make_position(), out.getvalue(), name="a.gif")
    assert not PositionPhoto.objects.exists()


def test_oversize_is_refused(make_position, dalian_map, make_user, login, settings):
    settings.YIZHAN_PHOTO_MAX_BYTES = 1024 * 1024
    big = jpeg_with_location()
    page = upload(login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])), make_position(), big + b"\0" * (1024 * 1024))
    assert photos.PHOTO_TOO_LARGE.format(limit=1) in page.content.decode()
    assert not PositionPhoto.objects.exists()


def test_station_manager_may_add_and_remove_a_reviewer_may_not(make_position, dalian_map, make_user, login):
    position = make_position()
    manager = login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))
    upload(manager, position, jpeg_with_location((200, 100)))
    photo = PositionPhoto.objects.get()
    reviewer = login(make_user(Role.REVIEWER, dalian_map["zs"]))
    refused = upload(reviewer, position, jpeg_with_location((200, 100)))
    assert str(FORBIDDEN_MESSAGE) in refused.content.decode()
    assert PositionPhoto.objects.count() == 1
    manager.post(f"/staff/positions/{position.pk}/photos/{photo.pk}/remove/")
    assert not PositionPhoto.objects.exists()


def test_photos_of_another_district_are_out_of_reach(make_position, dalian_map, make_user, login):
    position = make_position()
    outsider = login(make_user(Role.UNIT_ADMIN, dalian_map["xg"]))
    file = io.BytesIO(jpeg_with_location((100, 100)))
    file.name = "a.jpg"
    assert outsider.post(f"/staff/positions/{position.pk}/photos/", {"image": file}).status_code == 404
    assert not PositionPhoto.objects.exists()
