"""Staff pages for setting a federation up (issue 14 §2, §3): the unit tree and the accounts from
xlsx (template, upload, every error by row and column; the new accounts' one-time passwords shown
once and downloadable once), and a unit's custom area (uploaded, drawn on the map, or composed of
listed areas). Thin: the importers and services decide."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yizhan.core.errors import ApplicationError
from yizhan.core.geo.tiles import tile_source
from yizhan.core.roles import Action
from yizhan.core.scoping import require
from yizhan.core.views_helpers import staff_view
from yizhan.orgs import selectors, services
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.imports.accounts import accounts_import, accounts_template, result_workbook
from yizhan.orgs.imports.sheets import max_bytes
from yizhan.orgs.imports.units import units_import, units_template
from yizhan.orgs.models import Membership, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How long the one-time passwords of an account import wait for their single download.
PASSWORDS_TIMEOUT = 10 * 60

NO_FILE = _("请选择要导入的 Excel 文件（.xlsx）")
AREA_SAVED = _("已设定“{unit}”的自定义区域：{area}")
AREA_UPDATED = _("已更新自定义区域：{area}")
PASSWORDS_GONE = _("一次性密码的结果文件只能下载一次，且只保留 10 分钟。如需新密码，请在“账号与角色”页重置密码。")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), error_messages={"required": NO_FILE})
    dry_run = forms.BooleanField(label=_("仅校验，不写入（试导入）"), required=False)


class AreaForm(forms.Form):
    name = forms.CharField(label=_("区域名称"), max_length=100, help_text=_("如 郑东新区、高新技术产业开发区"))
    file = forms.FileField(
        label=_("上传 GeoJSON 文件"), required=False, help_text=_("面（Polygon 或 MultiPolygon），GCJ-02 坐标")
    )
    file_crs = forms.ChoiceField(
        label=_("文件坐标系"),
        choices=[("gcj02", "GCJ-02"), ("wgs84", "WGS-84"), ("bd09", "BD-09")],
        initial="gcj02",
        required=False,
    )
    members = forms.CharField(
        label=_("或：由这些区域组成"),
        required=False,
        help_text=_("区划代码或自定义区域代码，用逗号分隔，如 410105,410104"),
    )
    drawn = forms.CharField(widget=forms.HiddenInput(attrs={"data-area-drawn": ""}), required=False)
    drawn_crs = forms.CharField(widget=forms.HiddenInput(attrs={"data-area-drawn-crs": ""}), required=False)

    def clean(self):
        data = super().clean()
        given = [bool(data.get("file")), bool(data.get("drawn")), bool((data.get("members") or "").strip())]
        if sum(given) != 1:
            raise forms.ValidationError(services.AREA_ONE_SOURCE)
        return data

    def source(self) -> dict:
        """The service's arguments for the one way the area was given."""
        data = self.cleaned_data
        if data["file"]:
            return {"geometry": data["file"].read(max_bytes()), "crs": data["file_crs"] or "gcj02"}
        if data["drawn"]:
            return {"geometry": data["drawn"], "crs": data["drawn_crs"] or "gcj02"}
        return {"members": [code.strip() for code in data["members"].replace("，", ",").split(",") if code.strip()]}


def _attachment(response: HttpResponse, ascii_name: str, name: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


# --- Units ----------------------------------------------------------------------------------------


@staff_view
def unit_import_template(request):
    body = units_template(actor=request.actor)
    return _attachment(HttpResponse(body, content_type=XLSX), "units-template.xlsx", "工会单位导入模板.xlsx")


@staff_view
@require_http_methods(["GET", "POST"])
def unit_import(request):
    actor = request.actor
    require(actor, Action.CREATE, Unit)
    form = ImportForm(request.POST or None, request.FILES or None)
    result, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            result = units_import(actor=actor, file=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
        except ApplicationError as error:
            file_error = error.message
    return render(
        request,
        "orgs/unit_import.html",
        {"form": form, "result": result, "file_error": file_error, "max_mb": max_bytes() / 2**20},
    )


# --- Accounts -------------------------------------------------------------------------------------


def _passwords_key(token: str) -> str:
    return f"account-import-passwords:{token}"


@staff_view
def account_import_template(request):
    body = accounts_template(actor=request.actor)
    return _attachment(HttpResponse(body, content_type=XLSX), "accounts-template.xlsx", "账号导入模板.xlsx")


@never_cache
@staff_view
@require_http_methods(["GET", "POST"])
def account_import(request):
    """The security admin's import. The new accounts' one-time passwords are on this answer only
    (never cached) and in a result workbook that can be downloaded once within 10 minutes."""
    actor = request.actor
    require(actor, Action.CREATE, Membership)
    form = ImportForm(request.POST or None, request.FILES or None)
    result, file_error, token = None, "", ""
    if request.method == "POST" and form.is_valid():
        try:
            result = accounts_import(actor=actor, file=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
        except ApplicationError as error:
            file_error = error.message
        else:
            if result.opened:
                token = secrets.token_urlsafe(24)
                cache.set(
                    _passwords_key(token),
                    {"user": request.user.pk, "file": result_workbook(result.opened)},
                    PASSWORDS_TIMEOUT,
                )
    return render(
        request,
        "orgs/account_import.html",
        {"form": form, "result": result, "file_error": file_error, "token": token, "max_mb": max_bytes() / 2**20},
    )


@never_cache
@staff_view
def account_import_passwords(request, token: str):
    """The result workbook of an account import, once: the entry is removed as it is read."""
    require(request.actor, Action.CREATE, Membership)
    key = _passwords_key(token)
    entry = cache.get(key)
    if entry is None or entry.get("user") != request.user.pk:
        messages.warning(request, PASSWORDS_GONE)
        raise Http404
    cache.delete(key)
    return _attachment(HttpResponse(entry["file"], content_type=XLSX), "one-time-passwords.xlsx", "一次性密码.xlsx")


# --- A unit's custom area ------------------------------------------------------------------------


@staff_view
@require_http_methods(["GET", "POST"])
def unit_area(request, pk: int):
    actor = request.actor
    unit = selectors.unit_get(actor=actor, pk=pk, action=Action.UPDATE)
    region = selectors.region_get(actor=actor, adcode=unit.region.adcode)  # its parent without outlines
    own = region if region.level == RegionLevel.CUSTOM and region.owner_id == unit.pk else None
    crs = tile_source().crs
    form = AreaForm(
        request.POST or None, request.FILES or None, initial={"name": own.name if own else "", "drawn_crs": crs}
    )
    if request.method == "POST" and form.is_valid():
        try:
            area, created = services.unit_area_set(
                actor=actor, unit=unit, name=form.cleaned_data["name"], **form.source()
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in ("name", "members") else None, error.message)
        else:
            message = (
                AREA_SAVED.format(unit=unit.name, area=area.name) if created else AREA_UPDATED.format(area=area.name)
            )
            messages.success(request, message)
            return redirect("staff:unit_detail", pk=unit.pk)
    shown = region.parent if own else region  # the area it was drawn in, with its sub-areas
    return render(
        request,
        "orgs/unit_area.html",
        {
            "unit": unit,
            "own": own,
            "form": form,
            "shown": shown,
            "boundaries_url": reverse("api:region_boundaries", kwargs={"adcode": shown.adcode}) + f"?crs={crs}",
            "crs": crs,
        },
    )
