"""Uploaded files through HTTP (decision 36): MEDIA_URL serves photos of stations on the public map
and nothing else; every other upload (problem-report photos, grant evidence, job results…) is
served under /files/ only to signed-in staff who may view the record holding it, 404 otherwise."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.grants.services import grant_evidence_add
from yizhan.grants.tests.factories import GrantFactory, GrantUseFactory
from yizhan.ledger import services as ledger_services
from yizhan.positions.choices import PositionState
from yizhan.positions.photos import position_photo_add
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.YIZHAN_MEDIA_ACCEL_REDIRECT = ""


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def people(dalian, make_actor):
    return {
        "fed": make_actor(Role.FEDERATION_ADMIN, dalian["city"]),
        "zs": make_actor(Role.UNIT_ADMIN, dalian["zs"]),
        "xg": make_actor(Role.UNIT_ADMIN, dalian["xg"]),
        "zs_manager": make_actor(Role.STATION_MANAGER, dalian["zs"]),
        "zs_manager_2": make_actor(Role.STATION_MANAGER, dalian["zs"]),
    }


@pytest.fixture
def clients(people, login):
    made = {key: login(actor.user) for key, actor in people.items()}
    made["anonymous"] = Client()
    return made


@pytest.fixture
def public_photo(dalian, people):
    station = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    return position_photo_add(actor=people["zs"], position=station, data=_picture())


@pytest.fixture
def planned_photo(dalian, people):
    planned = PositionFactory(unit=dalian["zs"], state=PositionState.PLANNED)
    return position_photo_add(actor=people["zs"], position=planned, data=_picture())


@pytest.fixture
def problem(dalian):
    station = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    return ledger_services.problem_report_submit(
        position_id=station.pk, kind="broken", text="饮水机坏了", client="203.0.113.30", photo=_picture()
    )


@pytest.fixture
def evidence(dalian, people):
    use = GrantUseFactory(grant=GrantFactory(position=PositionFactory(unit=dalian["zs"])))
    return grant_evidence_add(actor=people["zs"], use=use, data=PDF)


@pytest.fixture
def job(people):
    """A finished export of 中山区's station manager whose file holds phone numbers."""
    actor = people["zs_manager"]
    record = Job.objects.create(
        kind="positions.export",
        owner=actor.user,
        owner_name=actor.user.get_username(),
        membership_id=actor.membership.pk,
        unit_path=actor.unit.path,
        unit_name=actor.unit.name,
    )
    record.result_file.save("联系人.csv", ContentFile("姓名,电话\n张三,13800000000\n".encode()), save=True)
    return record


def test_a_photo_of_a_station_on_the_public_map_is_public(public_photo, clients):
    url = public_photo.image.url
    assert url.startswith("/media/positions/photos/")
    answer = clients["anonymous"].get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg" and "attachment" not in answer.get("Content-Disposition", "")
    assert answer["Cache-Control"].startswith("public")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert b"".join(answer.streaming_content)[:3] == b"\xff\xd8\xff"
    assert clients["anonymous"].head(url).status_code == 200
    assert clients["anonymous"].post(url).status_code == 405


def test_the_public_page_shows_the_photo_it_may_serve(public_photo, clients):
    page = clients["anonymous"].get(f"/p/{public_photo.position.code}/").content.decode()
    assert f'src="{public_photo.image.url}"' in page


def test_a_photo_of_a_planned_station_is_for_staff_in_scope_only(planned_photo, clients):
    url = planned_photo.image.url
    name = planned_photo.image.name
    assert url == f"/media/{name}"  # decided by the name; the check comes with the request
    anonymous = clients["anonymous"]
    moved = anonymous.get(url)
    assert moved.status_code == 302 and moved["Location"] == f"/files/{name}"
    login = anonymous.get(f"/files/{name}")
    assert login.status_code == 302 and login["Location"].startswith("/login/")
    assert clients["zs"].get(url, follow=True).status_code == 200
    assert clients["fed"].get(f"/files/{name}").status_code == 200
    assert clients["xg"].get(f"/files/{name}").status_code == 404
    # The staff page shows it through the URL the storage gave.
    detail = clients["zs"].get(f"/staff/positions/{planned_photo.position.pk}/").content.decode()
    assert url in detail


def test_a_missing_name_under_the_public_prefix_answers_as_a_hidden_one(planned_photo, clients):
    missing = "positions/photos/2026/01/" + "0" * 32 + ".jpg"
    hidden, absent = (clients["anonymous"].get(f"/media/{n}") for n in (planned_photo.image.name, missing))
    assert (hidden.status_code, absent.status_code) == (302, 302)
    assert clients["zs"].get(f"/files/{missing}").status_code == 404


def test_a_problem_report_photo_is_never_under_the_media_url(problem, clients):
    name = problem.photo.name
    url = problem.photo.url
    assert name.startswith("ledger/problems/") and url == f"/files/{name}"
    for who in ("anonymous", "zs", "fed"):
        assert clients[who].get(f"/media/{name}").status_code == 404, who
    assert clients["anonymous"].get(url).status_code == 302
    assert clients["xg"].get(url).status_code == 404
    for who in ("zs", "fed", "zs_manager"):
        answer = clients[who].get(url)
        assert answer.status_code == 200, who
        assert answer["Content-Type"] == "image/jpeg"
        assert answer["Cache-Control"].startswith("private") and "Cookie" in answer["Vary"]
    # The staff page and the API show the scoped URL, and it works from there.
    page = clients["zs"].get(f"/staff/ledger/reports/{problem.pk}/").content.decode()
    assert f'src="{url}"' in page
    assert clients["zs"].get(f"/api/v1/ledger/problem-reports/{problem.pk}").json()["photo_url"] == url


def test_grant_evidence_is_a_download_for_its_unit_only(evidence, clients):
    url = evidence.file.url
    assert url.startswith("/files/grants/evidence/")
    answer = clients["zs"].get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["Cache-Control"] == "private, no-store"
    assert b"".join(answer.streaming_content) == PDF
    assert clients["xg"].get(url).status_code == 404
    assert clients["anonymous"].get(f"/media/{evidence.file.name}").status_code == 404


def test_a_job_result_only_for_its_starter_and_the_admins_above(job, clients):
    url = job.result_file.url
    assert url.startswith("/files/jobs/")
    for who, status in {"zs_manager": 200, "zs": 200, "fed": 200, "zs_manager_2": 404, "xg": 404}.items():
        assert clients[who].get(url).status_code == status, who
    answer = clients["zs_manager"].get(url)
    assert answer["Content-Disposition"].startswith("attachment") and answer["Cache-Control"] == "private, no-store"
    assert clients["anonymous"].get(f"/media/{job.result_file.name}").status_code == 404


def test_a_file_no_record_holds_is_served_to_nobody(clients):
    stray = default_storage.save("ledger/problems/2026/01/stray.jpg", ContentFile(_picture()))
    backup = default_storage.save("coverage/uploads/demand.csv", ContentFile(b"x"))
    for name in (stray, backup):
        assert clients["fed"].get(f"/files/{name}").status_code == 404
        assert clients["anonymous"].get(f"/media/{name}").status_code == 404


def test_a_record_whose_file_is_gone_answers_404(problem, clients):
    default_storage.delete(problem.photo.name)
    assert clients["zs"].get(problem.photo.url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/files/../yizhan/settings.py",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/ledger/problems/..%2f..%2f..%2fsettings.py",
        "/media/positions/photos/../../db.sqlite3",
        "/media/positions/photos/%2e%2e/%2e%2e/ledger/problems/x.jpg",
        "/files//etc/passwd",
        "/files/ledger%5cproblems%5cx.jpg",
    ],
)
def test_paths_leaving_media_root_are_refused(clients, path):
    assert clients["fed"].get(path).status_code == 404


def test_someone_without_a_role_gets_nothing(problem, make_user, dalian, login):
    user = make_user(Role.UNIT_ADMIN, dalian["zs"])
    user.memberships.all().delete()
    assert login(user).get(problem.photo.url).status_code in (403, 404)


def test_behind_nginx_the_web_server_sends_the_file(problem, public_photo, clients, settings):
    settings.YIZHAN_MEDIA_ACCEL_REDIRECT = "/protected-media/"
    answer = clients["zs"].get(problem.photo.url)
    assert answer.status_code == 200 and answer.content == b""
    assert answer["X-Accel-Redirect"] == f"/protected-media/{problem.photo.name}"
    assert clients["xg"].get(problem.photo.url).has_header("X-Accel-Redirect") is False
    public = clients["anonymous"].get(public_photo.image.url)
    assert public["X-Accel-Redirect"] == f"/protected-media/{public_photo.image.name}"
