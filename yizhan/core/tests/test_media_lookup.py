"""Finding the row that holds a requested file name (decision 36) by index, still through its scope:
every file column is indexed (a new upload field too), a function naming files declares its prefix
truthfully, and the faster lookup answers exactly as the scope says (bench/files_lookup.py measures
it)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yizhan.core import media
from yizhan.core.jobs.models import Job, result_path
from yizhan.core.roles import Role
from yizhan.ledger import services as ledger_services
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory


@pytest.mark.django_db
def test_every_file_column_has_an_index_of_its_own():
    """/files/ and /media/ look a name up by equality on the file column: without an index of that
    column alone every lookup scans the table (decision 36's known cost, now paid)."""
    missing = []
    with connection.cursor() as cursor:
        for upload in media.upload_fields():
            table = upload.model._meta.db_table
            column = upload.model._meta.get_field(upload.name).column
            found = connection.introspection.get_constraints(cursor, table).values()
            if not any(c["index"] and c["columns"] == [column] for c in found):
                missing.append(upload.label)
    assert missing == [], "add Meta.indexes = [models.Index(fields=[<the file field>], …)] and its migration"


def test_a_function_naming_files_keeps_to_the_prefix_it_declares():
    """A declared prefix that a name did not start with would make that file unreachable."""
    declared = [u for u in media.upload_fields() if callable(u.model._meta.get_field(u.name).upload_to)]
    assert declared, "no file field names its files by a function any more: drop this test"
    for upload in declared:
        upload_to = upload.model._meta.get_field(upload.name).upload_to
        assert upload.prefix == getattr(upload_to, "upload_prefix", None), upload.label
    assert media.fixed_prefix(result_path) == "jobs/"
    assert result_path(Job(), "导出.xlsx").startswith("jobs/")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(dalian, make_actor):
    return {
        "fed": make_actor(Role.FEDERATION_ADMIN, dalian["city"]),
        "zs": make_actor(Role.UNIT_ADMIN, dalian["zs"]),
        "xg": make_actor(Role.UNIT_ADMIN, dalian["xg"]),
        "zs_manager": make_actor(Role.STATION_MANAGER, dalian["zs"]),
        "zs_manager_2": make_actor(Role.STATION_MANAGER, dalian["zs"]),
    }


def _job_of(actor) -> Job:
    job = Job.objects.create(
        kind="positions.export",
        owner=actor.user,
        owner_name=actor.user.get_username(),
        membership_id=actor.membership.pk,
        unit_path=actor.unit.path,
        unit_name=actor.unit.name,
    )
    job.result_file.save("联系人.csv", ContentFile("姓名,电话\n张三,13800000000\n".encode()), save=True)
    return job


@pytest.mark.django_db
def test_the_indexed_lookup_answers_as_the_scope_says(dalian, people):
    stations = {key: PositionFactory(unit=dalian[key], state=PositionState.OPERATING) for key in ("zs", "xg")}
    photos = {
        key: ledger_services.problem_report_submit(
            position_id=station.pk, kind="broken", client=f"203.0.113.{n}", photo=_jpeg()
        ).photo.name
        for n, (key, station) in enumerate(stations.items(), start=40)
    }
    job = _job_of(people["zs_manager"]).result_file.name
    assert job.startswith("jobs/")

    names = (*photos.values(), job)
    seen = {who: {name for name in names if media.file_visible_to(name, actor)} for who, actor in people.items()}
    assert seen["fed"] == {photos["zs"], photos["xg"], job}  # the admin above sees the unit's job too
    assert seen["zs"] == {photos["zs"], job}
    assert seen["xg"] == {photos["xg"]}
    assert seen["zs_manager"] >= {job} and photos["xg"] not in seen["zs_manager"]
    assert job not in seen["zs_manager_2"]  # another station manager's export: not theirs
    assert not media.file_visible_to(photos["zs"] + ".x", people["fed"])  # a name no row holds
    assert not media.file_visible_to(job, None)


@pytest.mark.django_db
def test_a_name_outside_the_jobs_prefix_is_never_asked_of_the_jobs_table(dalian, people):
    station = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    photo = ledger_services.problem_report_submit(
        position_id=station.pk, kind="broken", client="203.0.113.50", photo=_jpeg()
    ).photo.name
    with CaptureQueriesContext(connection) as asked:
        assert media.file_visible_to(photo, people["zs"])
    tables = " ".join(query["sql"] for query in asked.captured_queries)
    assert "ledger_problemreport" in tables and "core_job" not in tables


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(out, format="PNG")
    return out.getvalue()
