"""Who may fetch an uploaded file (decision 36).

Every upload is private unless its field is declared public in `settings.YIZHAN_PUBLIC_UPLOADS`
(field label → relation: the file may be shown to anyone while the record it belongs to through that
relation is in its model's `.public()`, the queryset the public finder reads). Nothing else needs
declaring: the files of every other FileField/ImageField are served only under `FILES_URL`, to a
signed-in actor who may view (`ScopedQuerySet.restrict`) the very row holding that name, so a new
upload field is private and scoped the day it is added.

The default storage (`UploadStorage`) gives each name its URL by the name alone: the public
`MEDIA_URL` for names under a public field's upload prefix, `FILES_URL` for everything else. The
kernel names no domain model: fields are found through the app registry.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.db import models
from django.utils.encoding import filepath_to_uri

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor

# Private uploads are fetched here (yizhan/urls.py routes it), never under MEDIA_URL.
FILES_URL = "/files/"

UNKNOWN_PUBLIC_FIELD = "YIZHAN_PUBLIC_UPLOADS names {label!r}, which is no file field of an installed model"
NOT_A_RELATION = "YIZHAN_PUBLIC_UPLOADS: {label!r} is public through {relation!r}, which is no relation with .public()"
DYNAMIC_PUBLIC_PREFIX = "YIZHAN_PUBLIC_UPLOADS: {label!r} needs a fixed upload_to prefix (its URL is decided by name)"


@dataclass(frozen=True)
class UploadField:
    """One file field of one model, and where its files are stored."""

    model: type[models.Model]
    name: str
    # The fixed start of every name the field stores (`upload_to` before its first date directive);
    # None when `upload_to` is a function: any name may then be the field's.
    prefix: str | None
    # Public fields only: the relation whose target's `.public()` decides whether a file is shown.
    public_through: str | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def may_hold(self, name: str) -> bool:
        return self.prefix is None or name.startswith(self.prefix)


def fixed_prefix(upload_to) -> str | None:
    """The part of an `upload_to` every stored name starts with: a string's text before its first
    date directive; a function's `upload_prefix` attribute, when it declares one (every name it
    returns starts so: test_media checks), else None (any name may be the field's, and its table
    is asked about every name)."""
    if callable(upload_to):
        return getattr(upload_to, "upload_prefix", None)
    text = str(upload_to)
    return text.split("%", 1)[0]


def _label(model: type[models.Model], field: models.Field) -> str:
    return f"{model._meta.label_lower}.{field.name}"


@cache
def upload_fields() -> tuple[UploadField, ...]:
    """Every file field (FileField, ImageField) of every installed concrete model."""
    public = {label.lower(): relation for label, relation in settings.YIZHAN_PUBLIC_UPLOADS.items()}
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # the concrete model holds the same column
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and field.model is model:
                label = _label(model, field)
                found.append(UploadField(model, field.name, fixed_prefix(field.upload_to), public.pop(label, None)))
    if public:
        raise LookupError(UNKNOWN_PUBLIC_FIELD.format(label=next(iter(public))))
    for upload in found:
        if upload.public_through is None:
            continue
        if not upload.prefix:
            raise LookupError(DYNAMIC_PUBLIC_PREFIX.format(label=upload.label))
        try:
            target = upload.model._meta.get_field(upload.public_through).related_model
        except LookupError:
            target = None
        if target is None or not hasattr(target._default_manager.all(), "public"):
            raise LookupError(NOT_A_RELATION.format(label=upload.label, relation=upload.public_through))
    return tuple(found)


def public_fields() -> tuple[UploadField, ...]:
    return tuple(upload for upload in upload_fields() if upload.public_through is not None)


def private_fields() -> tuple[UploadField, ...]:
    return tuple(upload for upload in upload_fields() if upload.public_through is None)


@cache
def public_prefixes() -> tuple[str, ...]:
    return tuple(upload.prefix for upload in public_fields())


def _forget(**kwargs) -> None:
    if kwargs["setting"] in {"YIZHAN_PUBLIC_UPLOADS", "INSTALLED_APPS"}:
        upload_fields.cache_clear()
        public_prefixes.cache_clear()


setting_changed.connect(_forget)


def under_public_prefix(name: str) -> bool:
    """Whether the name lies where a public field stores its files (its URL is then MEDIA_URL's)."""
    return bool(public_prefixes()) and name.startswith(public_prefixes())


def clean_name(path: str) -> str | None:
    """The stored name a requested path asks for, or None for anything that is not a plain relative
    name inside MEDIA_ROOT (`..`, absolute paths, backslashes, empty or dot segments, NUL)."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        return None
    if posixpath.normpath(path) != path:
        return None
    return path


def file_is_public(name: str) -> bool:
    """Whether anyone may fetch the file: a public field's row holds it, and the record it belongs
    to is one the public may see (for a position photo: the position is on the public finder)."""
    for upload in public_fields():
        if not upload.may_hold(name):
            continue
        target = upload.model._meta.get_field(upload.public_through).related_model
        rows = upload.model._default_manager.filter(
            **{upload.name: name, f"{upload.public_through}__in": target._default_manager.public().values("pk")}
        )
        if rows.exists():
            return True
    return False


def file_visible_to(name: str, actor: Actor | None) -> bool:
    """Whether `actor` may fetch the file: some row holding exactly this name is one the actor may
    view (its app's scope and permissions, e.g. a job's result only for its starter and the admins
    above). A name no row holds is visible to nobody."""
    if actor is None or actor.membership is None:
        return False
    for upload in upload_fields():
        if not upload.may_hold(name):
            continue
        rows = upload.model._default_manager.all()
        if not hasattr(rows, "restrict"):
            continue  # an unscoped model's files are served to nobody (test_media_registry fails first)
        if rows.restrict(actor, Action.VIEW).filter(**{upload.name: name}).exists():
            return True
    return False


def files_url(name: str) -> str:
    return urljoin(FILES_URL, filepath_to_uri(name))


class UploadStorage(FileSystemStorage):
    """The default storage: files in MEDIA_ROOT as before; the URL of a file under a public field's
    prefix is MEDIA_URL's, every other one is under FILES_URL, where the actor's scope is checked."""

    def url(self, name):
        if name is not None and under_public_prefix(name):
            return super().url(name)
        return files_url(name or "")
