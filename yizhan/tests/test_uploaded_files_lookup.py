"""The indexed lookup of /files/ (decision 36, core/media.py) still answers exactly as the scope
says: which actor may fetch which problem-report photo and job result, and a name outside the jobs'
prefix is never asked of the jobs' table."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from yizhan.core import media
from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.ledger import services as ledger_services
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory


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
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(out, format="PNG")
    return out.getvalue()
