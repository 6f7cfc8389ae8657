"""Staff pages of the orgs context. Thin: forms check formats, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from yizhan.core.audit import audit_record
from yizhan.core.dashboard import dashboard_for
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.exports import xlsx_response
from yizhan.core.geo.tiles import tile_source
from yizhan.core.models import AuditAction
from yizhan.core.personal_data import personal_data_reveal, revealable_fields, shown
from yizhan.core.roles import Action
from yizhan.core.scoping import FORBIDDEN_MESSAGE
from yizhan.core.views_helpers import staff_view
from yizhan.orgs import selectors, services
from yizhan.orgs.accounts import passwords, twofactor
from yizhan.orgs.accounts.forms import PasswordResetForm
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, UnitType
from yizhan.orgs.forms import AccountCreateForm, GrantForm, UnitForm, UnitMoveForm
from yizhan.orgs.geo import region_feature_collection
from yizhan.orgs.models import Membership, Unit

UNIT_EXPORT_HEADERS = [
    "单位代码",
    "单位名称",
    "单位类型",
    "上级单位代码",
    "行政区划代码",
    "行政区划",
    "联系人",
    "联系电话",
    "地址",
]

SWITCHED_TO = _("已切换为：{unit} · {role}")
UNIT_CREATED = _("已新建单位：{name}")
UNIT_CREATE_TITLE = _("在“{parent}”下新建单位")
SAVED = _("已保存")
UNIT_EDIT_TITLE = _("修改“{name}”")
UNIT_MOVED = _("已移动“{name}”及其下级单位")
UNIT_DELETED = _("已删除单位：{name}")
ACCOUNT_CREATED = _("账号已开通")
ROLE_GRANTED = _("已授予角色")
ROLE_REVOKED = _("已撤销角色")
PASSWORD_RESET = _("已重置 {username} 的密码，其下次登录时须修改")


@staff_view
def home(request):
    """The 工作台 (issue 21 §6): the panels the apps provide for the actor (core.dashboard)."""
    return render(
        request, "orgs/home.html", {"dashboard": dashboard_for(actor=request.actor), "today": timezone.localdate()}
    )


@require_POST
@staff_view
def switch_unit(request):
    try:
        membership = services.membership_switch(
            user=request.user, session=request.session, membership_id=int(request.POST.get("membership", "0"))
        )
    except (ValueError, NotFoundError):
        messages.error(request, services.NO_ROLE_AT_UNIT)
        return redirect("staff:home")
    messages.success(request, SWITCHED_TO.format(unit=membership.unit.name, role=membership.get_role_display()))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("staff:home")
    return redirect(target)


def _contact(actor, unit: Unit) -> str:
    """The unit's contact person and phone as staff pages show them: masked (spec §11)."""
    return " ".join(
        value for value in (shown(actor, unit, "contact_name"), shown(actor, unit, "contact_phone")) if value
    )


@staff_view
def unit_list(request):
    actor = request.actor
    search = request.GET.get("q", "").strip()
    unit_type = request.GET.get("type", "")
    units = selectors.unit_list(actor=actor, search=search, type=unit_type)
    base_depth = actor.unit.depth if actor.unit else 1
    rows = [(unit, max(unit.depth - base_depth, 0), _contact(actor, unit)) for unit in units]
    return render(
        request,
        "orgs/unit_list.html",
        {
            "rows": rows,
            "search": search,
            "unit_type": unit_type,
            "type_choices": UnitType.choices,
            "can_export": actor.can(Action.EXPORT, Unit),
            "can_import": actor.can(Action.CREATE, Unit),
        },
    )


@staff_view
def unit_export(request):
    actor = request.actor
    units = list(selectors.unit_list(actor=actor, action=Action.EXPORT))
    codes = {u.path: u.code for u in units}
    rows = [
        [
            u.code,
            u.name,
            u.get_type_display(),
            codes.get(u.path[: -Unit.steplen], ""),
            u.region.adcode,
            u.region.name,
            shown(actor, u, "contact_name"),
            shown(actor, u, "contact_phone"),
            u.address,
        ]
        for u in units
    ]
    audit_record(
        action=AuditAction.EXPORT,
        object_type="orgs.unit",
        object_repr=f"工会单位导出 {len(rows)} 条",
        unit_path=actor.unit.path,
        unit_name=actor.unit.name,
    )
    return xlsx_response("工会单位", UNIT_EXPORT_HEADERS, rows, filename="units.xlsx")


@require_http_methods(["GET", "POST"])
@staff_view
def unit_detail(request, pk: int):
    """GET shows the contact person masked; POST (the reveal button) shows them in full, audited."""
    actor = request.actor
    unit = selectors.unit_get(actor=actor, pk=pk)
    revealed = personal_data_reveal(actor=actor, obj=unit) if request.method == "POST" else None
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "contact_name": shown(actor, unit, "contact_name"),
            "contact_phone": shown(actor, unit, "contact_phone"),
            "revealed": revealed,
            "can_reveal": bool(revealable_fields(actor, Unit)) and bool(unit.contact_name or unit.contact_phone),
            "parent": selectors.unit_parent_in_scope(actor=actor, unit=unit),
            "children": selectors.unit_children(actor=actor, unit=unit),
            "can_update": actor.can(Action.UPDATE, Unit),
            "can_delete": actor.can(Action.DELETE, Unit) and unit.pk != actor.unit.pk,
            "can_create": actor.can(Action.CREATE, Unit),
        },
    )


def _form_error(form, error: ApplicationError) -> None:
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


@staff_view
def unit_create(request, parent_pk: int):
    actor = request.actor
    parent = selectors.unit_get(actor=actor, pk=parent_pk, action=Action.CREATE)
    form = UnitForm(
        request.POST or None, initial={"region": parent.region_id}, allowed_types=ALLOWED_CHILD_TYPES[parent.type]
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=actor, parent=parent, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, UNIT_CREATED.format(name=unit.name))
            return redirect("staff:unit_detail", pk=unit.pk)
    return render(
        request,
        "orgs/unit_form.html",
        {"form": form, "parent": parent, "title": UNIT_CREATE_TITLE.format(parent=parent.name)},
    )


@staff_view
def unit_edit(request, pk: int):
    actor = request.actor
    unit = selectors.unit_get(actor=actor, pk=pk, action=Action.UPDATE)
    allowed = selectors.unit_type_choices(actor=actor, unit=unit)
    if request.method != "POST":
        # The form carries the stored contact person to edit it: opening it is a reveal (spec §11).
        personal_data_reveal(actor=actor, obj=unit)
    form = UnitForm(request.POST or None, instance=unit, allowed_types=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_update(actor=actor, unit=unit, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, SAVED)
            return redirect("staff:unit_detail", pk=unit.pk)
    return render(
        request,
        "orgs/unit_form.html",
        {"form": form, "unit": unit, "title": UNIT_EDIT_TITLE.format(name=unit.name), "reveals_personal_data": True},
    )


@staff_view
def unit_move(request, pk: int):
    actor = request.actor
    unit = selectors.unit_get(actor=actor, pk=pk, action=Action.UPDATE)
    candidates = selectors.unit_list(actor=actor).exclude(path__startswith=unit.path)
    form = UnitMoveForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(actor=actor, unit=unit, new_parent=form.cleaned_data["parent"])
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, UNIT_MOVED.format(name=unit.name))
            return redirect("staff:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_move.html", {"form": form, "unit": unit})


@staff_view
def unit_delete(request, pk: int):
    actor = request.actor
    unit = selectors.unit_get(actor=actor, pk=pk, action=Action.DELETE)
    if request.method == "POST":
        try:
            services.unit_delete(actor=actor, unit=unit)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("staff:unit_detail", pk=unit.pk)
        messages.success(request, UNIT_DELETED.format(name=unit.name))
        return redirect("staff:unit_list")
    return render(request, "orgs/unit_delete.html", {"unit": unit})


@staff_view
def region_map(request, adcode: str | None = None):
    actor = request.actor
    region = selectors.region_get(actor=actor, adcode=adcode) if adcode else selectors.region_for_actor(actor=actor)
    children = selectors.region_list(actor=actor, parent=region.adcode)
    ancestors = selectors.region_ancestors(actor=actor, region=region)
    return render(
        request,
        "orgs/region_map.html",
        {
            "region": region,
            "children": children,
            "ancestors": ancestors,
            "boundaries_url": reverse("api:region_boundaries", kwargs={"adcode": region.adcode})
            + f"?crs={tile_source().crs}",
        },
    )


@staff_view
def region_boundaries_geojson(request, adcode: str):
    """The same boundaries the map draws, as a file (used when the API is not at hand)."""
    region = selectors.region_get(actor=request.actor, adcode=adcode)
    import json

    body = json.dumps(region_feature_collection(region=region, crs=request.GET.get("crs", "gcj02")), ensure_ascii=False)
    return HttpResponse(body, content_type="application/geo+json")


@staff_view
def accounts(request):
    actor = request.actor
    memberships = selectors.membership_list(actor=actor)
    can_manage = actor.can(Action.CREATE, Membership)
    units = selectors.unit_list(actor=actor) if can_manage else selectors.unit_list(actor=actor).none()
    # Distinct element ids: both forms have username/unit/role fields on the same page.
    create_form = AccountCreateForm(
        request.POST if request.POST.get("form") == "create" else None, units=units, auto_id="create_%s"
    )
    grant_form = GrantForm(
        request.POST if request.POST.get("form") == "grant" else None, units=units, auto_id="grant_%s"
    )
    reset_form = PasswordResetForm(request.POST if request.POST.get("form") == "reset" else None, auto_id="reset_%s")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDeniedError(FORBIDDEN_MESSAGE)
        try:
            if request.POST.get("form") == "create" and create_form.is_valid():
                services.account_create(actor=actor, **create_form.cleaned_data)
                messages.success(request, ACCOUNT_CREATED)
                return redirect("staff:accounts")
            if request.POST.get("form") == "grant" and grant_form.is_valid():
                data = grant_form.cleaned_data
                user = selectors.user_by_username(actor=actor, username=data["username"])
                services.membership_grant(actor=actor, user=user, unit=data["unit"], role=data["role"])
                messages.success(request, ROLE_GRANTED)
                return redirect("staff:accounts")
            if request.POST.get("form") == "reset" and reset_form.is_valid():
                data = reset_form.cleaned_data
                user = selectors.user_by_username(actor=actor, username=data["username"])
                with transaction.atomic():
                    passwords.account_password_reset(actor=actor, user=user, password=data["password"])
                    if data["clear_second_factor"]:
                        twofactor.second_factor_reset(actor=actor, user=user)
                messages.success(request, PASSWORD_RESET.format(username=user.username))
                return redirect("staff:accounts")
        except ApplicationError as error:
            messages.error(request, error.message)
    return render(
        request,
        "orgs/accounts.html",
        {
            "memberships": memberships,
            "can_manage": can_manage,
            "create_form": create_form,
            "grant_form": grant_form,
            "reset_form": reset_form,
        },
    )


@require_POST
@staff_view
def membership_revoke(request, pk: int):
    actor = request.actor
    membership = selectors.membership_get(actor=actor, pk=pk, action=Action.DELETE)
    try:
        services.membership_revoke(actor=actor, membership=membership)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ROLE_REVOKED)
    return redirect("staff:accounts")
