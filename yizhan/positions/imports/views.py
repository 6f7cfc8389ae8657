"""Staff pages of the xlsx import (issue 3 §5): the template, the upload, the result with every
error and an annotated workbook, and progress for large files (a background thread reports to the
cache; the page polls a small JSON view)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import asdict
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from yizhan.core.audit import audit_context, current_context
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require
from yizhan.core.views_helpers import staff_view
from yizhan.positions.imports.xlsx import ImportResult, RowError, annotated_workbook, max_bytes, positions_import
from yizhan.positions.models import Position
from yizhan.positions.spreadsheet import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOB_TIMEOUT = 60 * 60
# Files up to this size are imported during the request; larger ones in the background with progress.
NO_FILE = _("请选择要导入的 Excel 文件（.xlsx）")
FAILED = _("导入出错，未写入任何数据：{error}")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), error_messages={"required": NO_FILE})
    dry_run = forms.BooleanField(label=_("仅校验，不写入（试导入）"), required=False)


def _attachment(ascii_name: str, name: str) -> str:
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _key(token: str) -> str:
    return f"position-import:{token}"


def _job(request, token: str) -> dict:
    job = cache.get(_key(token))
    if job is None or job.get("user") != request.user.pk:
        raise Http404
    return job


def _save_job(token: str, job: dict) -> None:
    cache.set(_key(token), job, JOB_TIMEOUT)


def _running_key(user_id: int) -> str:
    return f"position-import:running:{user_id}"


def _track(token: str, job: dict) -> None:
    """Keep the user's list of imports in progress (token → file name and start) for the 工作台
    (issue 21 §6): the token is added while the job runs and taken out when it ends."""
    key = _running_key(job["user"])
    running = {t: entry for t, entry in (cache.get(key) or {}).items() if t != token}
    if job["state"] == "running":
        running[token] = {"name": job["name"], "started": time.time()}
    cache.set(key, running, JOB_TIMEOUT)


def running_imports(user_id: int) -> list[tuple[str, str]]:
    """(token, file name) of the user's imports in progress, newest first; one started more than
    JOB_TIMEOUT ago is over (its progress has left the cache with it)."""
    since = time.time() - JOB_TIMEOUT
    running = (cache.get(_running_key(user_id)) or {}).items()
    fresh = sorted(((e["started"], t, e["name"]) for t, e in running if e["started"] > since), reverse=True)
    return [(token, name) for _started, token, name in fresh]


def _run(token: str, job: dict, actor: Actor, data: bytes, dry_run: bool) -> dict:
    def progress(done: int, total: int) -> None:
        job.update(done=done, total=total)
        _save_job(token, job)

    try:
        result = positions_import(actor=actor, file=data, dry_run=dry_run, progress=progress)
    except ApplicationError as error:
        job.update(state="failed", message=error.message)
    except Exception as error:  # noqa: BLE001 — a background job must always report
        job.update(state="failed", message=str(FAILED.format(error=error)))
    else:
        job.update(
            state="done",
            result=result.as_dict(),
            errors=[asdict(e) for e in result.errors],
            warnings=[asdict(w) for w in result.warnings],
        )
    _save_job(token, job)
    _track(token, job)
    return job


def _background(token: str, job: dict, actor: Actor, data: bytes, dry_run: bool, context) -> None:
    try:
        with audit_context(**asdict(context)):
            _run(token, job, actor, data, dry_run)
    finally:
        connection.close()


@staff_view
def position_import_template(request):
    require(request.actor, Action.CREATE, Position)
    unit = request.actor.unit
    response = HttpResponse(template_workbook(unit_code=unit.code if unit else ""), content_type=XLSX)
    response["Content-Disposition"] = _attachment("positions-template.xlsx", "服务阵地导入模板.xlsx")
    return response


@staff_view
@require_http_methods(["GET", "POST"])
def position_import(request):
    actor = request.actor
    require(actor, Action.CREATE, Position)
    form = ImportForm(request.POST or None, request.FILES or None)
    file_error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():
            file_error = str(_("文件过大（{size:.1f} MB），上限为 {limit:.0f} MB")).format(
                size=upload.size / 2**20, limit=max_bytes() / 2**20
            )
        else:
            data = upload.read()
            token = secrets.token_urlsafe(16)
            job = {
                "user": request.user.pk,
                "name": upload.name,
                "state": "running",
                "done": 0,
                "total": 0,
                "dry_run": form.cleaned_data["dry_run"],
                "file": data,
            }
            _save_job(token, job)
            _track(token, job)
            if len(data) <= settings.YIZHAN_IMPORT_SYNC_BYTES:
                _run(token, job, actor, data, job["dry_run"])
            else:
                threading.Thread(
                    target=_background,
                    args=(token, job, actor, data, job["dry_run"], current_context()),
                    daemon=True,
                ).start()
            return redirect("positions:import_status", token=token)
    return render(
        request,
        "positions/position_import.html",
        {"form": form, "file_error": file_error, "max_mb": max_bytes() / 2**20},
    )


@staff_view
def position_import_status(request, token: str):
    job = _job(request, token)
    result = job.get("result")
    return render(
        request,
        "positions/position_import_status.html",
        {
            "job": job,
            "token": token,
            "result": ImportResult(**{k: v for k, v in result.items() if k in ("total", "created", "updated",
                                      "unchanged", "transitioned", "dry_run")}) if result else None,
            "errors": job.get("errors", []),
            "warnings": job.get("warnings", []),
            "progress_url": reverse("positions:import_progress", kwargs={"token": token}),
            "percent": int(100 * job["done"] / job["total"]) if job.get("total") else 0,
        },
    )  # fmt: skip


@staff_view
def position_import_progress(request, token: str):
    job = _job(request, token)
    return JsonResponse(
        {
            "state": job["state"],
            "done": job.get("done", 0),
            "total": job.get("total", 0),
            "message": job.get("message", ""),
        }
    )


@staff_view
def position_import_annotated(request, token: str):
    """The uploaded workbook with its errors (red) and warnings (yellow) marked."""
    job = _job(request, token)
    if not job.get("errors") and not job.get("warnings"):
        raise Http404
    errors = [RowError(**e) for e in job.get("errors", [])]
    warnings = [RowError(**w) for w in job.get("warnings", [])]
    response = HttpResponse(annotated_workbook(job["file"], errors, warnings), content_type=XLSX)
    response["Content-Disposition"] = _attachment("positions-errors.xlsx", "导入错误.xlsx")
    return response
