"""Photo uploads as an attack surface (issue 5 §5): the content decides, never the name or the
declared type; nothing of the uploaded bytes but the pixels survives re-encoding; an image that
claims more pixels than it is worth decoding is refused without a server error. (test_photos.py
covers the ordinary cases: EXIF with GPS removed, oversize files, non-images, GIF.)"""

import io

import pytest
from PIL import Image, PngImagePlugin

from yizhan.core.roles import Role
from yizhan.positions import photos
from yizhan.positions.models import PositionPhoto

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
PAYLOAD = b"<script>alert(document.cookie)</script>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(dalian_map, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))


def upload(client, position, data: bytes, name: str, content_type: str):
    file = io.BytesIO(data)
    file.name = name
    file.content_type = content_type
    return client.post(f"/staff/positions/{position.pk}/photos/", {"image": file}, follow=True)


def png_with_metadata() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 90, 200))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", PAYLOAD.decode())
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (38.0, 55.0, 7.0), 3: "E", 4: (121.0, 38.0, 37.0)}
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=text, exif=exif)
    return out.getvalue()


def test_a_png_named_jpg_is_stored_as_a_clean_jpeg(make_position, admin_client):
    original = png_with_metadata()
    assert PAYLOAD in original and Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    upload(admin_client, make_position(), original, "photo.jpg", "image/jpeg")
    stored_bytes = PositionPhoto.objects.get().image.read()
    stored = Image.open(io.BytesIO(stored_bytes))
    assert stored.format == "JPEG" and stored.size == (64, 48)
    assert not stored.getexif() and not stored.info.get("Comment")
    assert PAYLOAD not in stored_bytes


def test_bytes_after_the_image_do_not_survive(make_position, admin_client):
    """A JPEG with a script appended (a polyglot) keeps only its pixels."""
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(out, format="JPEG")
    upload(admin_client, make_position(), out.getvalue() + PAYLOAD, "photo.jpg", "image/jpeg")
    assert PAYLOAD not in PositionPhoto.objects.get().image.read()


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.png", "image/png"),
        (b"<!DOCTYPE html><html>" + PAYLOAD, "photo.jpg", "image/jpeg"),
        (b"\xff\xd8\xff\xe0" + PAYLOAD, "photo.jpg", "image/jpeg"),  # a JPEG's first bytes, then nothing valid
    ],
)
def test_the_declared_type_and_name_are_not_believed(make_position, admin_client, data, name, content_type):
    page = upload(admin_client, make_position(), data, name, content_type)
    assert page.status_code == 200
    assert str(photos.PHOTO_NOT_AN_IMAGE) in page.content.decode()
    assert not PositionPhoto.objects.exists()


def test_a_decompression_bomb_is_refused_not_a_server_error(make_position, admin_client):
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")  # 400 megapixels in a few dozen KB
    assert len(out.getvalue()) < 100_000
    page = upload(admin_client, make_position(), out.getvalue(), "photo.png", "image/png")
    assert page.status_code == 200
    assert photos.PHOTO_TOO_MANY_PIXELS.format(limit=5000) in page.content.decode()
    assert not PositionPhoto.objects.exists()


def test_more_pixels_than_the_limit_are_refused_before_decoding(make_position, admin_client, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 30 * 30)
    position = make_position()
    out = io.BytesIO()
    Image.new("RGB", (31, 30)).save(out, format="PNG")
    page = upload(admin_client, position, out.getvalue(), "photo.png", "image/png")
    assert photos.PHOTO_TOO_MANY_PIXELS.format(limit=0) in page.content.decode()
    assert not PositionPhoto.objects.exists()
    out = io.BytesIO()
    Image.new("RGB", (30, 30)).save(out, format="PNG")
    upload(admin_client, position, out.getvalue(), "photo.png", "image/png")
    assert PositionPhoto.objects.count() == 1
