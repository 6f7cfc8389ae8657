"""Staff pages of the position registry (issue 3 §4). Thin: forms check formats, selectors read,
services decide and write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from yizhan.core.errors import ApplicationError, ConflictError
from yizhan.core.geo.crs import from_gcj02
from yizhan.core.geo.tiles import tile_source
from yizhan.core.hours import WEEKDAY_NAMES, WEEKDAYS, schedule_text
from yizhan.core.personal_data import personal_data_reveal, revealable_fields, shown
from yizhan.core.roles import Action
from yizhan.core.scoping import require
from yizhan.core.views_helpers import staff_view
from yizhan.core.wording import clauses, enumeration
from yizhan.orgs import selectors as org_selectors
from yizhan.positions import exports, hours_exceptions, photos, rules, selectors, services
from yizhan.positions.choices import Ability, Facility, PositionState, ServedGroup, Service
from yizhan.positions.dashboard import none_yet_notice
from yizhan.positions.forms import (
    BulkTransitionForm,
    HoursExceptionForm,
    PositionFilterForm,
    PositionForm,
    TransitionForm,
)
from yizhan.positions.models import Position
from yizhan.positions.poster import position_poster_pdf

PER_PAGE = 50

POSITION_CREATED = _("已登记阵地：{name}")
SAVED = _("已保存")
TRANSITIONED = _("“{name}”已变更为“{state}”")
BULK_TRANSITIONED = _("已将 {count} 个阵地变更为“{state}”")
BULK_NOT_FOUND = _("所选阵地中有不存在或不在您管辖范围内的，未做任何变更")
BULK_REFUSED = _("未做任何变更：{error}")
CREATE_TITLE = _("登记服务阵地")
EDIT_TITLE = _("修改“{name}”")
PHOTO_ADDED = _("照片已上传")
PHOTO_REMOVED = _("照片已删除")
EXCEPTION_ADDED = _("已添加开放时间例外：{reason}")
EXCEPTION_SAVED = _("开放时间例外已保存")
EXCEPTION_REMOVED = _("开放时间例外已删除：{reason}")
EXCEPTION_CREATE_TITLE = _("添加开放时间例外")
EXCEPTION_EDIT_TITLE = _("修改开放时间例外")
EDIT_CONFLICT_HINT = _("您填写的内容仍在下面，标出的字段与现在保存的内容不同；请核对后再次保存。")
NOW_STORED = _("现在保存的是：{value}")
STORED_EMPTY = _("（空）")
YES, NO = _("是"), _("否")
# Choice lists stored as JSON lists of values, shown by their labels.
LIST_CHOICES = {"facilities": Facility, "abilities": Ability, "services": Service, "served_groups": ServedGroup}
# The sortable columns of the list: (sort key, heading).
SORT_COLUMNS = [
    ("code", _("编号")),
    ("name", _("名称")),
    ("state", _("状态")),
    ("verified", _("最近核实")),
    ("updated", _("更新时间")),
]


def _filter_form(request) -> PositionFilterForm:
    actor = request.actor
    return PositionFilterForm(
        request.GET or None,
        units=org_selectors.unit_list(actor=actor),
        regions=org_selectors.region_list(actor=actor).order_by("adcode"),
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _labels(enum, values) -> list[str]:
    return [enum(v).label for v in values if v in enum.values]


def _sort_headers(current: str) -> list[dict]:
    """Column headings that sort: a click sorts ascending, a second click descending."""
    headers = []
    for key, label in SORT_COLUMNS:
        active = current.lstrip("-") == key
        descending = current == f"-{key}"
        headers.append(
            {
                "key": key,
                "label": label,
                "next": key if (not active or descending) else f"-{key}",
                "aria_sort": ("descending" if descending else "ascending") if active else "",
            }
        )
    return headers


def _form_error(form, error: ApplicationError) -> None:
    """Show a service's refusal on the field it names (or above the form)."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


@staff_view
def position_list(request):
    actor = request.actor
    form = _filter_form(request)
    filters = form.filters()
    page = Paginator(selectors.position_list(actor=actor, filters=filters), PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for position in page:
        position.overdue = rules.suspension_overdue(
            state=position.state, expected_reopen_on=position.expected_reopen_on, today=today
        )
    can_operate = actor.can(Action.OPERATE, Position)
    # An empty scope (not an empty filter) is told what to do about it (issue 21 §6).
    none_yet = not page.paginator.count and not selectors.position_list(actor=actor).exists()
    return render(
        request,
        "positions/position_list.html",
        {
            "form": form,
            "page": page,
            "none_yet": none_yet_notice(actor) if none_yet else "",
            "sort_headers": _sort_headers(filters.sort),
            "can_create": actor.can(Action.CREATE, Position),
            "can_export": actor.can(Action.EXPORT, Position),
            "can_operate": can_operate,
            "bulk_form": BulkTransitionForm(auto_id="bulk_%s") if can_operate else None,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view
def position_export(request):
    """The export page (issue 3 §6): each format downloads the filtered set (`?format=…` plus the list's
    filters); the page itself says what each format is for. The xlsx with the manager's full name
    and phone is a POST of the page's form (ticked, CSRF-checked), audited as a reveal (spec §11)."""
    actor = request.actor
    require(actor, Action.EXPORT, Position)
    filters = _filter_form(request).filters()
    format_key = request.GET.get("format", "")
    if format_key in exports.EXPORT_FORMATS:
        full = request.method == "POST" and request.POST.get("full_personal_data") == "1"
        export = exports.position_export(actor=actor, filters=filters, format_key=format_key, full_personal_data=full)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    query = request.GET.copy()
    for name in ("format", "page"):
        query.pop(name, None)
    base = reverse("positions:export") + "?" + (f"{query.urlencode()}&" if query else "")
    formats = [{"format": f, "url": base + urlencode({"format": f.key})} for f in exports.EXPORT_FORMATS.values()]
    return render(
        request,
        "positions/position_export.html",
        {
            "formats": formats,
            "count": selectors.position_list(actor=actor, filters=filters, action=Action.EXPORT).count(),
            "xlsx_url": base + urlencode({"format": "xlsx"}),
            "can_export_full": bool(revealable_fields(actor, Position)),
            "list_url": reverse("positions:list") + (f"?{query.urlencode()}" if query else ""),
        },
    )


@require_POST
@staff_view
def position_bulk_transition(request):
    """One state change for the ticked positions: all of them or none."""
    actor = request.actor
    back = _safe_next(request, reverse("positions:list"))
    form = BulkTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, clauses(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    ids = set(form.cleaned_data["ids"])
    positions = list(selectors.position_list(actor=actor, action=Action.OPERATE).filter(pk__in=ids))
    if len(positions) != len(ids):
        messages.error(request, BULK_NOT_FOUND)
        return redirect(back)
    to_state = form.cleaned_data["to_state"]
    try:
        count = services.positions_transition(
            actor=actor, positions=positions, to_state=to_state, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        messages.error(request, BULK_REFUSED.format(error=error.message))
    else:
        messages.success(request, BULK_TRANSITIONED.format(count=count, state=PositionState(to_state).label))
    return redirect(back)


@staff_view
def position_map(request):
    actor = request.actor
    form = _filter_form(request)
    filters = form.filters()
    tiles = tile_source()
    region = org_selectors.region_get(actor=actor, adcode=filters.region or actor.unit.region.adcode)
    query = request.GET.urlencode()
    return render(
        request,
        "positions/position_map.html",
        {
            "form": form,
            "region": region,
            "boundaries_url": reverse("api:region_boundaries", kwargs={"adcode": region.adcode}) + f"?crs={tiles.crs}",
            "points_url": reverse("positions:map_points") + (f"?{query}" if query else ""),
            "list_url": reverse("positions:list") + (f"?{query}" if query else ""),
            "states": PositionState.choices,
        },
    )


@staff_view
def position_map_points(request):
    """The filtered positions as points in the tile layer's coordinate system (spec §10)."""
    actor = request.actor
    filters = _filter_form(request).filters()
    crs = tile_source().crs
    rows = selectors.position_list(actor=actor, filters=filters).values_list(
        "pk", "official_name", "short_name", "state", "lng", "lat"
    )
    labels = dict(PositionState.choices)
    points = []
    for pk, official_name, short_name, state, lng, lat in rows:
        x, y = from_gcj02(lng, lat, crs)
        points.append(
            {
                "id": pk,
                "name": short_name or official_name,
                "state": state,
                "state_label": str(labels.get(state, state)),
                "lng": round(x, 7),
                "lat": round(y, 7),
                "url": reverse("positions:detail", kwargs={"pk": pk}),
            }
        )
    return JsonResponse({"crs": crs, "count": len(points), "points": points}, json_dumps_params={"ensure_ascii": False})


def _hours_rows(position: Position) -> list[tuple[str, str]]:
    rows = []
    for day in WEEKDAYS:
        spans = position.weekly_hours.get(day, []) if position.weekly_hours else []
        rows.append((str(WEEKDAY_NAMES[day]), enumeration(f"{a}–{b}" for a, b in spans)))
    return rows


def _detail(
    request, position: Position, transition_form: TransitionForm | None = None, revealed: dict[str, str] | None = None
):
    """The detail page; `revealed` holds the manager's full name and phone after an audited reveal."""
    actor = request.actor
    can_operate = actor.can(Action.OPERATE, Position)
    allowed = services.allowed_transitions(position)
    if transition_form is None and can_operate and allowed:
        transition_form = TransitionForm(states=allowed)
    return render(
        request,
        "positions/position_detail.html",
        {
            "position": position,
            # Spec §11: the manager's name and phone masked for everyone until revealed (audited).
            "manager_name": shown(actor, position, "manager_name"),
            "manager_phone": shown(actor, position, "manager_phone"),
            "revealed": revealed,
            "can_reveal": bool(revealable_fields(actor, Position))
            and bool(position.manager_name or position.manager_phone),
            "opening": rules.position_opening(position),
            "overdue": rules.suspension_overdue(
                state=position.state, expected_reopen_on=position.expected_reopen_on, today=timezone.localdate()
            ),
            "hours_rows": _hours_rows(position),
            "history": selectors.position_history(actor=actor, position=position, newest_first=True),
            "facilities": _labels(Facility, position.facilities),
            "abilities": _labels(Ability, position.abilities),
            "services": _labels(Service, position.services),
            "served_groups": _labels(ServedGroup, position.served_groups),
            "transition_form": transition_form,
            "can_update": actor.can(Action.UPDATE, Position),
            "photos": position.photos.all(),
            "can_manage_photos": actor.can(Action.UPDATE, Position) or can_operate,
            "photo_max_mb": settings.YIZHAN_PHOTO_MAX_BYTES // (1024 * 1024),
            **_exceptions_context(actor, position),
        },
    )


@require_POST
@staff_view
def position_photo_add(request, pk: int):
    """Upload a photo: checked by content, re-encoded as JPEG without EXIF (photos.py)."""
    position = selectors.position_get(actor=request.actor, pk=pk)
    upload = request.FILES.get("image")
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    try:
        if upload is not None and upload.size > limit:
            raise ApplicationError(photos.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="image")
        data = upload.read() if upload is not None else b""
        caption = request.POST.get("caption", "")
        photos.position_photo_add(actor=request.actor, position=position, data=data, caption=caption)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, PHOTO_ADDED)
    return redirect("positions:detail", pk=position.pk)


@require_POST
@staff_view
def position_photo_remove(request, pk: int, photo_pk: int):
    position = selectors.position_get(actor=request.actor, pk=pk)
    photo = get_object_or_404(position.photos.all(), pk=photo_pk)
    try:
        photos.position_photo_remove(actor=request.actor, photo=photo)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, PHOTO_REMOVED)
    return redirect("positions:detail", pk=position.pk)


@staff_view
def position_detail(request, pk: int):
    return _detail(request, selectors.position_get(actor=request.actor, pk=pk))


@require_POST
@staff_view
def position_reveal(request, pk: int):
    """The detail page with the manager's full name and phone: the reveal button (POST), audited."""
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=pk)
    return _detail(request, position, revealed=personal_data_reveal(actor=actor, obj=position))


@require_POST
@staff_view
def position_transition(request, pk: int):
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=pk, action=Action.OPERATE)
    form = TransitionForm(request.POST, states=services.allowed_transitions(position))
    if form.is_valid():
        try:
            position = services.position_transition(actor=actor, position=position, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, TRANSITIONED.format(name=position.display_name, state=position.get_state_display())
            )
            return redirect("positions:detail", pk=position.pk)
    return _detail(request, position, transition_form=form)


def _position_form(request, position: Position | None = None, data=None) -> PositionForm:
    actor = request.actor
    return PositionForm(
        data if data is not None else request.POST or None,
        instance=position,
        initial=None if position else {"unit": actor.unit.pk},
        units=org_selectors.unit_list(actor=actor),
        centres=selectors.centre_choices(actor=actor),
        regions=selectors.region_choices(actor=actor),
    )


def _form_page(request, form: PositionForm, title: str, position: Position | None = None):
    actor = request.actor
    tiles = tile_source()
    point = from_gcj02(position.lng, position.lat, tiles.crs) if position else None
    return render(
        request,
        "positions/position_form.html",
        {
            "form": form,
            "title": title,
            "position": position,
            "picker_point": point,
            "boundaries_url": reverse("api:region_boundaries", kwargs={"adcode": actor.unit.region.adcode})
            + f"?crs={tiles.crs}",
        },
    )


@staff_view
def position_create(request):
    actor = request.actor
    require(actor, Action.CREATE, Position)
    form = _position_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_create(actor=actor, **form.service_arguments())
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, POSITION_CREATED.format(name=position.official_name))
            return redirect("positions:detail", pk=position.pk)
    return _form_page(request, form, CREATE_TITLE)


def _stored_text(position: Position, name: str) -> str:
    """A field's stored value as a person reads it (labels, not codes)."""
    value = getattr(position, name)
    if name == "weekly_hours":
        text = schedule_text(value or {})
    elif name in LIST_CHOICES:
        text = enumeration(_labels(LIST_CHOICES[name], value or []))
    elif isinstance(value, list):
        text = enumeration(str(item) for item in value)
    elif isinstance(value, bool):
        text = str(YES if value else NO)
    elif Position._meta.get_field(name).choices and value:
        text = str(getattr(position, f"get_{name}_display")())
    else:
        text = "" if value is None else str(value)
    return text or str(STORED_EMPTY)


def _conflict_form(request, position: Position, error: ConflictError) -> PositionForm:
    """After a refused save: the form as the person filled it, against the record as it is now
    stored. It carries the stored version (saving again, after checking, is allowed) and marks each
    field whose stored value differs from what was sent with the stored value."""
    current = selectors.position_get(actor=request.actor, pk=position.pk, action=Action.UPDATE)
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = _position_form(request, current, data=data)
    form.is_valid()
    differing = [name for name in form.changed_data if name in services.EDITABLE_FIELDS]
    form.add_error(None, f"{error.message}。{EDIT_CONFLICT_HINT}")
    # The stored manager's name or phone shown here is a reveal like opening the form (spec §11).
    if personal := [name for name in differing if name in revealable_fields(request.actor, Position)]:
        personal_data_reveal(actor=request.actor, obj=current, fields=personal)
    for name in differing:
        form.add_error(name, NOW_STORED.format(value=_stored_text(current, name)))
    return form


@staff_view
def position_edit(request, pk: int):
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=pk, action=Action.UPDATE)
    if request.method != "POST":
        # The form carries the stored name and phone to edit them: opening it is a reveal (spec §11).
        personal_data_reveal(actor=actor, obj=position)
    form = _position_form(request, position)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_update(actor=actor, position=position, **form.service_arguments())
        except ConflictError as error:
            form = _conflict_form(request, position, error)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, SAVED)
            return redirect("positions:detail", pk=position.pk)
    return _form_page(request, form, EDIT_TITLE.format(name=position.official_name), position)


@staff_view
def position_poster(request, pk: int):
    """The printable A4 QR poster (issue 3 §7), opened inline in the browser for printing."""
    position = selectors.position_get(actor=request.actor, pk=pk)
    response = HttpResponse(position_poster_pdf(position), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{position.code}.pdf"'
    return response


def _exceptions_context(actor, position: Position) -> dict:
    """The position's hours exceptions for its page: current and upcoming first (by date), then the
    past ones (most recent first), which the page folds away."""
    today = timezone.localdate()
    upcoming, past = [], []
    for exception in selectors.hours_exception_list(actor=actor, position=position):
        exception.is_current = exception.start <= today <= exception.end
        (past if exception.end < today else upcoming).append(exception)
    current = next((e for e in upcoming if e.is_current), None)
    return {"upcoming_exceptions": upcoming, "past_exceptions": past[::-1], "current_exception": current}


def _exception_form_page(request, form: HoursExceptionForm, position: Position, title: str):
    return render(request, "positions/hours_exception_form.html", {"form": form, "position": position, "title": title})


def _exceptions_anchor(position: Position) -> str:
    return reverse("positions:detail", kwargs={"pk": position.pk}) + "#h-exceptions"


@staff_view
def hours_exception_create(request, pk: int):
    """Add a dated exception (a closure or other hours) to a position's hours."""
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=pk, action=Action.UPDATE)
    today = timezone.localdate()
    form = HoursExceptionForm(request.POST or None, initial={"start": today, "end": today, "closed": True})
    if request.method == "POST" and form.is_valid():
        try:
            exception = hours_exceptions.hours_exception_create(actor=actor, position=position, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, EXCEPTION_ADDED.format(reason=exception.reason))
            return redirect(_exceptions_anchor(position))
    return _exception_form_page(request, form, position, EXCEPTION_CREATE_TITLE)


@staff_view
def hours_exception_edit(request, pk: int, exception_pk: int):
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=pk, action=Action.UPDATE)
    exception = selectors.hours_exception_get(actor=actor, position=position, pk=exception_pk, action=Action.UPDATE)
    form = HoursExceptionForm(request.POST or None, exception=exception)
    if request.method == "POST" and form.is_valid():
        try:
            hours_exceptions.hours_exception_update(
                actor=actor, position=position, exception=exception, **form.cleaned_data
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, EXCEPTION_SAVED)
            return redirect(_exceptions_anchor(position))
    return _exception_form_page(request, form, position, EXCEPTION_EDIT_TITLE)


@require_POST
@staff_view
def hours_exception_delete(request, pk: int, exception_pk: int):
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=pk, action=Action.UPDATE)
    exception = selectors.hours_exception_get(actor=actor, position=position, pk=exception_pk, action=Action.UPDATE)
    try:
        hours_exceptions.hours_exception_delete(actor=actor, position=position, exception=exception)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, EXCEPTION_REMOVED.format(reason=exception.reason))
    return redirect(_exceptions_anchor(position))
