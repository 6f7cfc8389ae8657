"""Uploaded files are private unless declared public (decision 36): the registry of file fields,
the URL each stored name gets, and the names a request may ask for."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core import media
from yizhan.core.roles import PERMISSIONS
from yizhan.core.scoping import permission_label

# The only uploads anyone may fetch without signing in: photos of the stations on the public map.
# Adding a field here is a decision about personal data (decision 36), not a way to make a page work.
EXPECTED_PUBLIC = {"positions.positionphoto.image"}


def _every_file_field() -> set[str]:
    return {
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    }


def test_every_upload_field_is_public_listed_or_served_only_in_scope():
    """A new FileField/ImageField cannot silently become public: it is private by default, and its
    model must be scoped (restrict) with declared permissions, or its files reach nobody."""
    assert {upload.label for upload in media.upload_fields()} == _every_file_field()
    assert {upload.label for upload in media.public_fields()} == EXPECTED_PUBLIC
    unscoped = []
    for upload in media.private_fields():
        rows = upload.model._default_manager.all()
        if not hasattr(rows, "restrict") or permission_label(upload.model) not in PERMISSIONS:
            unscoped.append(upload.label)
    assert unscoped == [], "files of these fields can be served to nobody: scope their model"


def test_no_private_field_stores_its_files_under_a_public_prefix():
    public = media.public_prefixes()
    assert public == ("positions/photos/",)
    for upload in media.private_fields():
        assert upload.prefix is None or not upload.prefix.startswith(public), upload.label
        assert upload.prefix is None or not any(p.startswith(upload.prefix) for p in public), upload.label


def test_private_prefixes_the_brief_names_are_known():
    prefixes = {upload.prefix for upload in media.private_fields()}
    for prefix in (
        "ledger/problems/",
        "ledger/activities/",
        "grants/evidence/",
        "campaigns/sealed/",
        "campaigns/review/",
        "inspections/evidence/",
        "standards/answers/",
        "projects/signboards/",
        "coverage/networks/",
    ):
        assert prefix in prefixes
    jobs = [u for u in media.private_fields() if u.label == "core.job.result_file"]
    assert jobs and jobs[0].prefix == "jobs/"  # a function names the file, under the prefix it declares


@pytest.mark.parametrize(
    ("upload_to", "prefix"),
    [("ledger/problems/%Y/%m/", "ledger/problems/"), ("coverage/networks/", "coverage/networks/"), ("", "")],
)
def test_fixed_prefix(upload_to, prefix):
    assert media.fixed_prefix(upload_to) == prefix


def test_a_function_gives_no_fixed_prefix():
    assert media.fixed_prefix(lambda instance, filename: filename) is None


def test_the_default_storage_gives_public_names_the_media_url_and_the_rest_the_files_url():
    assert isinstance(default_storage, media.UploadStorage)
    assert default_storage.url("positions/photos/2026/12/a.jpg") == "/media/positions/photos/2026/12/a.jpg"
    for name in (
        "ledger/problems/2026/12/a.jpg",
        "grants/evidence/2026/12/凭证.pdf",
        "jobs/2026/12/positions.xlsx",
        "campaigns/sealed/2026/a.pdf",
        "positions/photo.jpg",  # not under the public prefix itself
    ):
        assert default_storage.url(name).startswith("/files/"), name
    quoted = "/files/grants/evidence/2026/12/%E5%87%AD%E8%AF%81%201.pdf"
    assert default_storage.url("grants/evidence/2026/12/凭证 1.pdf") == quoted


def test_a_public_field_must_be_known(settings):
    settings.YIZHAN_PUBLIC_UPLOADS = {"positions.positionphoto.nothing": "position"}
    with pytest.raises(LookupError):
        media.upload_fields()


def test_a_public_field_must_name_a_relation_with_public(settings):
    settings.YIZHAN_PUBLIC_UPLOADS = {"positions.positionphoto.image": "caption"}
    with pytest.raises(LookupError):
        media.upload_fields()


def test_a_public_field_needs_a_fixed_prefix(settings, monkeypatch):
    from yizhan.core.jobs.models import result_path

    monkeypatch.delattr(result_path, "upload_prefix")  # a function that declares no prefix
    settings.YIZHAN_PUBLIC_UPLOADS = {"core.job.result_file": "owner"}
    with pytest.raises(LookupError, match="fixed upload_to prefix"):
        media.upload_fields()


@pytest.mark.parametrize(
    "path",
    [
        "",
        "../settings.py",
        "positions/photos/../../db.sqlite3",
        "positions/photos/%2e%2e/x",  # kept as written: no such name, and no decoding here
        "/etc/passwd",
        "positions//photos/a.jpg",
        "positions/./photos/a.jpg",
        "positions/photos/",
        "positions\\photos\\a.jpg",
        "positions/photos/a\x00.jpg",
        "..",
    ],
)
def test_names_outside_media_root_or_not_plain_are_refused(path):
    if path == "positions/photos/%2e%2e/x":
        assert media.clean_name(path) == path  # a literal name: harmless, matches no row
    else:
        assert media.clean_name(path) is None


@given(st.lists(st.sampled_from(["a", "b.jpg", "..", ".", "", "照片", "x y"]), min_size=1, max_size=5))
def test_a_clean_name_never_leaves_its_folder(parts):
    path = "/".join(parts)
    name = media.clean_name(path)
    if name is not None:
        assert ".." not in name.split("/") and not name.startswith("/") and "" not in name.split("/")
