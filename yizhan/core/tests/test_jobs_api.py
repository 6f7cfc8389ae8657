"""/api/v1/jobs and the staff pages of jobs, through the test client: start, follow, cancel, run
again, download; who sees which job (its starter, the admins above its unit; 404 for everyone
else, across units too). The whole role × unit matrix: yizhan/tests/scope_cases_core.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.core.jobs import runner
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.kinds import AUDIT_VERIFY
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.registry import JobKind, JobResult, register_job_kind, unregister_job_kind
from yizhan.core.roles import Action, Role

KIND = "api_test.report"


def _report(job, progress):
    progress.report(1, 2, "一半")
    return JobResult(data={"rows": 2}, content="名称,数量\n驿站,2\n".encode(), filename="报表.csv")


@pytest.fixture(autouse=True)
def kind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.YIZHAN_JOBS_QUEUE = "default"
    register_job_kind(JobKind(KIND, "测试报表", _report, (Action.CREATE, "core.job"), atomic=False, offered=True))
    yield
    unregister_job_kind(KIND)


@pytest.fixture
def people(dalian, make_user, login):
    """A station manager of the street union under 中山区, its admin, the admin of 西岗区 (a
    sibling), the federation admin above, and another station manager of the same street."""
    users = {
        "manager": make_user(Role.STATION_MANAGER, dalian["street"]),
        "colleague": make_user(Role.STATION_MANAGER, dalian["street"]),
        "zs_admin": make_user(Role.UNIT_ADMIN, dalian["zs"]),
        "xg_admin": make_user(Role.UNIT_ADMIN, dalian["xg"]),
        "fed_admin": make_user(Role.FEDERATION_ADMIN, dalian["city"]),
        "auditor": make_user(Role.AUDITOR, dalian["city"]),
    }
    return {name: login(user) for name, user in users.items()}


def _start(client, kind=KIND, params=None):
    return client.post("/api/v1/jobs", {"kind": kind, "params": params or {}}, content_type="application/json")


@pytest.mark.django_db
def test_start_follow_and_download_through_the_api(people):
    manager = people["manager"]
    answer = _start(manager)
    assert answer.status_code == 201, answer.content
    job = answer.json()
    assert (job["state"], job["state_label"], job["progress"], job["kind_label"]) == ("queued", "排队中", 0, "测试报表")
    assert job["page_url"] == f"/staff/jobs/{job['id']}/"

    runner.job_run(job["id"])
    done = manager.get(f"/api/v1/jobs/{job['id']}").json()
    assert (done["state"], done["progress"], done["result"], done["error"]) == ("succeeded", 100, {"rows": 2}, "")
    assert done["result_filename"] == "报表.csv"
    download = manager.get(done["result_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "名称,数量\n驿站,2\n"

    listed = manager.get("/api/v1/jobs").json()
    assert [item["id"] for item in listed["items"]] == [job["id"]]


@pytest.mark.django_db
def test_who_sees_a_job(people):
    """Its starter and the admins whose reach covers its unit; not a colleague of the same unit,
    not the admin of a sibling district, not an auditor: for them it does not exist (404)."""
    job_id = _start(people["manager"]).json()["id"]
    for name in ("manager", "zs_admin", "fed_admin"):
        client = people[name]
        assert client.get(f"/api/v1/jobs/{job_id}").status_code == 200, name
        assert job_id in [item["id"] for item in client.get("/api/v1/jobs").json()["items"]], name
        assert client.get(f"/staff/jobs/{job_id}/").status_code == 200, name
    for name in ("colleague", "xg_admin", "auditor"):
        client = people[name]
        assert client.get(f"/api/v1/jobs/{job_id}").status_code == 404, name
        assert client.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 404, name
        assert client.post(f"/api/v1/jobs/{job_id}/rerun").status_code == 404, name
        assert client.get(f"/api/v1/jobs/{job_id}/file").status_code == 404, name
        assert job_id not in [item["id"] for item in client.get("/api/v1/jobs").json()["items"]], name
        assert client.get(f"/staff/jobs/{job_id}/").status_code == 404, name
        assert client.post(f"/staff/jobs/{job_id}/cancel/").status_code == 404, name
    # "mine": an admin's own jobs only.
    assert people["zs_admin"].get("/api/v1/jobs", {"mine": True}).json()["items"] == []


@pytest.mark.django_db
def test_cancel_and_run_again_through_the_api(people):
    manager = people["manager"]
    job_id = _start(manager).json()["id"]
    cancelled = manager.post(f"/api/v1/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200
    assert (cancelled.json()["state"], cancelled.json()["message"]) == ("cancelled", "开始前已按请求取消")
    again = manager.post(f"/api/v1/jobs/{job_id}/cancel")
    assert (again.status_code, again.json()["detail"]) == (400, "任务已经已取消，无法取消")
    rerun = manager.post(f"/api/v1/jobs/{job_id}/rerun")
    assert rerun.status_code == 201 and rerun.json()["rerun_of"] == job_id and rerun.json()["state"] == "queued"
    # The admin above may stop it too.
    stopped = people["zs_admin"].post(f"/api/v1/jobs/{rerun.json()['id']}/cancel")
    assert stopped.json()["state"] == "cancelled"


@pytest.mark.django_db
def test_refusals_through_the_api(people):
    manager = people["manager"]
    unknown = _start(manager, kind="nope.nothing")
    assert unknown.status_code == 400
    assert (unknown.json()["detail"], unknown.json()["field"]) == ("没有这种任务：nope.nothing", "kind")
    assert _start(manager, params={"x": 1}).json()["detail"] == "这种任务不需要参数"
    # The audit chain is the auditors' to verify.
    assert _start(manager, kind=AUDIT_VERIFY).status_code == 403
    assert _start(people["auditor"], kind=AUDIT_VERIFY).status_code == 201
    assert people["manager"].get("/api/v1/jobs/999999").status_code == 404


@pytest.mark.django_db
def test_a_lost_worker_shows_as_failed_when_looked_at(people):
    manager = people["manager"]
    job_id = _start(manager).json()["id"]
    runner._claim(job_id)
    Job.objects.filter(pk=job_id).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    job = manager.get(f"/api/v1/jobs/{job_id}").json()
    assert job["state"] == "failed" and "后台进程已停止" in job["error"]
    page = manager.get(f"/staff/jobs/{job_id}/").content.decode()
    assert "任务失败：处理该任务的后台进程已停止" in page and "重新运行" in page


@pytest.mark.django_db
def test_the_pages(people):
    manager = people["manager"]
    listing = manager.get("/staff/jobs/")
    assert listing.status_code == 200
    assert "开始：测试报表" in listing.content.decode()
    started = manager.post("/staff/jobs/start/", {"kind": KIND})
    assert started.status_code == 302
    job = Job.objects.get()
    assert started["Location"] == f"/staff/jobs/{job.pk}/"
    page = manager.get(started["Location"]).content.decode()
    assert 'data-job-progress="/api/v1/jobs/' in page and "取消任务" in page
    assert '<progress max="100" value="0"' in page and "yizhan/js/jobs.js" in page
    assert 'style="' not in page  # the CSP allows no inline style; the bar is a <progress>

    runner.job_run(job.pk)
    page = manager.get(f"/staff/jobs/{job.pk}/").content.decode()
    assert "下载结果文件：报表.csv" in page and "取消任务" not in page and "yizhan/js/jobs.js" not in page
    assert manager.get(f"/staff/jobs/{job.pk}/file/").status_code == 200

    refused = manager.post(f"/staff/jobs/{job.pk}/cancel/", follow=True).content.decode()
    assert "任务已经已完成，无法取消" in refused
    assert Job.objects.get().state == JobState.SUCCEEDED
    # The audit chain's verification is offered to auditors only.
    assert "校验审计哈希链" not in listing.content.decode()
    assert "开始：校验审计哈希链" in people["auditor"].get("/staff/jobs/").content.decode()
