"""Photos of positions (spec §2): checked by content, re-encoded, stripped of EXIF (spec §11)."""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import FORBIDDEN_MESSAGE, Actor, require_in_scope
from yizhan.positions.models import Position, PositionPhoto
from yizhan.positions.rules import record_text_too_long

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 2048
# Decoding costs 3 bytes a pixel whatever the file's size: a 50 KB PNG can claim 400 megapixels. A
# 50-megapixel phone photo is about what fits in the default 10 MB; anything larger is refused unread.
MAX_PIXELS = 50_000_000

PHOTO_TOO_LARGE = _("照片不能大于 {limit} MB")
PHOTO_NOT_AN_IMAGE = _("文件不是照片（只接受 JPEG、PNG、WebP 格式）")
PHOTO_EMPTY = _("没有选择照片")
PHOTO_TOO_MANY_PIXELS = _("照片像素过多（上限 {limit} 万像素）")


def _may_manage_photos(actor: Actor) -> bool:
    # Admins edit the record; station managers run their position (spec §1: "ledger, status, photos").
    return actor.can(Action.UPDATE, Position) or actor.can(Action.OPERATE, Position)


def reencode(data: bytes) -> tuple[bytes, tuple[int, int]]:
    """The image as a JPEG of at most MAX_SIDE pixels, upright, with no metadata (EXIF, GPS), and its size."""
    too_many_pixels = ApplicationError(PHOTO_TOO_MANY_PIXELS.format(limit=MAX_PIXELS // 10_000), field="image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            pixels = probe.width * probe.height
            probe.verify()
    except Image.DecompressionBombError:  # Pillow's own ceiling, far above MAX_PIXELS
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApplicationError(str(PHOTO_NOT_AN_IMAGE), field="image") from None
    if kind not in ACCEPTED_FORMATS:
        raise ApplicationError(str(PHOTO_NOT_AN_IMAGE), field="image")
    if pixels > MAX_PIXELS:
        raise too_many_pixels
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= → nothing carried over
        size = image.size
    return out.getvalue(), size


@transaction.atomic
def position_photo_add(*, actor: Actor, position: Position, data: bytes, caption: str = "") -> PositionPhoto:
    position = Position.objects.select_related("unit").get(pk=position.pk)
    require_in_scope(actor, position.unit)
    if not _may_manage_photos(actor):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    photo = PositionPhoto(position=position, caption=caption.strip(), uploaded_by=actor.user.get_username())
    # A caption that does not fit is refused with its limit, never cut (spec §11).
    too_long = record_text_too_long(photo)
    if too_long:
        raise ApplicationError(too_long[1], field=too_long[0])
    if not data:
        raise ApplicationError(str(PHOTO_EMPTY), field="image")
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise ApplicationError(PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="image")
    jpeg, (width, height) = reencode(data)
    photo.width, photo.height = width, height
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(jpeg), save=False)
    photo.save()
    return photo


@transaction.atomic
def position_photo_remove(*, actor: Actor, photo: PositionPhoto) -> None:
    photo = PositionPhoto.objects.select_related("position__unit").get(pk=photo.pk)
    require_in_scope(actor, photo.position.unit)
    if not _may_manage_photos(actor):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    name = photo.image.name
    photo.delete()
    transaction.on_commit(lambda: photo.image.storage.delete(name))
