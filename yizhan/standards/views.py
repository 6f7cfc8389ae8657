"""Staff pages of standards, assessments and star ratings (issue 16 §1–§3, §6), under
/staff/standards/. Rules are the services'; these pages only call them.

- the standards, their versions; a federation admin drafts the next version, edits its items and
  publishes it; the rating policy in force;
- the assessment form, one phone screen wide: item by item, pre-filled with what the record knows,
  a note and a photo as evidence per item; the assessment with its sheet (xlsx, PDF);
- rating a station from an assessment, the rating's arithmetic line by line, a station's rating
  history, a unit's rating list (xlsx), and the yearly review that lists the delistings and makes
  them only when confirmed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import require
from yizhan.core.views_helpers import add_refusal, int_param, staff_view
from yizhan.orgs import selectors as org_selectors
from yizhan.positions import selectors as position_selectors
from yizhan.positions.choices import Facility, PositionKind
from yizhan.standards import assessments, exports, selectors, services
from yizhan.standards.choices import CheckType, VersionState
from yizhan.standards.forms import ItemForm, RateForm, ReviewForm
from yizhan.standards.models import Assessment, Standard, StandardVersion
from yizhan.standards.rating import MANAGEMENT_ITEMS
from yizhan.standards.ratings import rating_policy_for

DRAFT_CREATED = _("已建立第 {number} 版草稿（复制现行版本），可逐条修改后发布")
ITEM_SAVED = _("已保存条目“{text}”")
ITEM_REMOVED = _("已删除条目“{text}”")
PUBLISHED = _("第 {number} 版已发布为现行版本")
ASSESSED = _("评估已保存：达标 {met}/{applicable}")
RATED = _("星级评定已完成：{verdict}")
DELISTED = _("已摘牌 {count} 个站点")
NOTHING_TO_DELIST = _("本周期没有需要摘牌的站点")
PHOTO_TOO_LARGE_NAMED = _("条目“{text}”的照片不能大于 {limit} MB")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- standards and their versions -----------------------------------------------------------------


@staff_view
def standard_list(request):
    actor = request.actor
    standards = list(selectors.standard_list(actor=actor))
    states = {}
    for version in StandardVersion.objects.filter(standard__in=standards).order_by("number"):
        states.setdefault(version.standard_id, {})[version.state] = version
    rows = [
        (s, states.get(s.pk, {}).get(VersionState.PUBLISHED), states.get(s.pk, {}).get(VersionState.DRAFT))
        for s in standards
    ]
    return render(
        request,
        "standards/standard_list.html",
        {
            "rows": rows,
            "may_assess": actor.can(Action.CREATE, Assessment),
            "may_view_assessments": actor.can(Action.VIEW, Assessment),
        },
    )


@staff_view
def standard_detail(request, pk: int):
    actor = request.actor
    standard = selectors.standard_get(actor=actor, pk=pk)
    versions = list(selectors.standard_versions(actor=actor, standard=standard))
    return render(
        request,
        "standards/standard_detail.html",
        {
            "standard": standard,
            "versions": versions,
            "has_draft": any(v.state == VersionState.DRAFT for v in versions),
            "may_edit": actor.can(Action.CREATE, Standard) and actor.covers_unit(standard.unit),
        },
    )


@require_POST
@staff_view
def draft_create(request, pk: int):
    actor = request.actor
    standard = selectors.standard_get(actor=actor, pk=pk, action=Action.CREATE)
    try:
        version = services.standard_draft_create(
            actor=actor, standard=standard, note=request.POST.get("note", "")[:300]
        )
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("standards:detail", pk=standard.pk)
    messages.success(request, DRAFT_CREATED.format(number=version.number))
    return redirect("standards:version", version_id=version.pk)


def _may_edit(actor, version: StandardVersion) -> bool:
    return version.is_draft and actor.can(Action.UPDATE, Standard) and actor.covers_unit(version.standard.unit)


@require_http_methods(["GET", "POST"])
@staff_view
def version_detail(request, version_id: int):
    """A version's items; on a draft, a federation admin adds items here (POST)."""
    actor = request.actor
    version = selectors.standard_version_get(actor=actor, pk=version_id)
    may_edit = _may_edit(actor, version)
    form = ItemForm(initial={"check_type": CheckType.YES_NO, "required": True, "points": 0}) if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDeniedError()
        form = ItemForm(request.POST)
        if form.is_valid():
            try:
                item = services.standard_item_add(actor=actor, version=version, **form.fields_for_service())
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                add_refusal(form, error)
            else:
                messages.success(request, ITEM_SAVED.format(text=item.text))
                return redirect("standards:version", version_id=version.pk)
    return render(
        request,
        "standards/version_detail.html",
        {
            "version": version,
            "standard": version.standard,
            "items": list(selectors.standard_items(actor=actor, version=version)),
            "may_edit": may_edit,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view
def item_edit(request, item_id: int):
    actor = request.actor
    item = selectors.standard_item_get(actor=actor, pk=item_id, action=Action.UPDATE)
    version = item.version
    if not _may_edit(actor, version):
        messages.error(request, str(services.VERSION_FROZEN))
        return redirect("standards:version", version_id=version.pk)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_from(item))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.standard_item_update(actor=actor, item=item, **form.fields_for_service())
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, ITEM_SAVED.format(text=item.text))
            return redirect("standards:version", version_id=version.pk)
    return render(request, "standards/item_edit.html", {"item": item, "version": version, "form": form})


@require_POST
@staff_view
def item_remove(request, item_id: int):
    actor = request.actor
    item = selectors.standard_item_get(actor=actor, pk=item_id, action=Action.UPDATE)
    try:
        services.standard_item_remove(actor=actor, item=item)
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ITEM_REMOVED.format(text=item.text))
    return redirect("standards:version", version_id=item.version_id)


@require_POST
@staff_view
def version_publish(request, version_id: int):
    actor = request.actor
    version = selectors.standard_version_get(actor=actor, pk=version_id, action=Action.UPDATE)
    try:
        version = services.standard_version_publish(actor=actor, version=version)
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, PUBLISHED.format(number=version.number))
    return redirect("standards:version", version_id=version.pk)


POLICY_SAVED = _("评星规则草稿已保存（第 {number} 版）")
POLICY_PUBLISHED = _("评星规则第 {number} 版已发布，此后的评定按此版执行")
POLICY_NUMBER = _("请填写 0 至 1000 之间的数：{field}")


def _policy_number(request, name: str, label) -> str:
    """A number of the policy form as the policy's data holds it (a decimal string), or refused."""
    text = (request.POST.get(name) or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > 1000:
        raise ApplicationError(POLICY_NUMBER.format(field=label), field=name)
    return str(value)


@require_POST
@staff_view
def policy_draft_save(request):
    """The federation admin's draft of the next policy version from the page's numbers (the star
    thresholds, the points of volume and effect, the delisting periods); the facility and management
    points stay as the policy in force has them (the API sets every number)."""
    actor = request.actor
    policy, _version = rating_policy_for(unit=actor.unit)
    data = policy.to_data()
    try:
        data["thresholds"] = [
            [stars, _policy_number(request, f"threshold-{stars}", _("{n} 星门槛").format(n=stars))]
            for stars, _low in policy.thresholds
        ]
        data["volume_points"] = _policy_number(request, "volume_points", _("服务量分值"))
        data["effect_points"] = _policy_number(request, "effect_points", _("服务效果分值"))
        data["delist_after_unrated_periods"] = int(
            Decimal(_policy_number(request, "delist_after_unrated_periods", _("摘牌周期数")))
        )
        draft = services.rating_policy_draft_save(
            actor=actor, unit=actor.unit, data=data, note=(request.POST.get("note") or "")[:300]
        )
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, POLICY_SAVED.format(number=draft.number))
    return redirect("standards:policy")


@require_POST
@staff_view
def policy_publish(request, version_id: int):
    actor = request.actor
    version = selectors.rating_policy_version_get(actor=actor, pk=version_id)
    try:
        version = services.rating_policy_publish(actor=actor, version=version)
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, POLICY_PUBLISHED.format(number=version.number))
    return redirect("standards:policy")


@staff_view
def policy_view(request):
    """The star-rating policy the actor's unit rates by (its federation's published version, or the
    default), with the versions of the actor's federation; the federation admin drafts the next
    version here and publishes it."""
    actor = request.actor
    require(actor, Action.VIEW, Standard)
    policy, version = rating_policy_for(unit=actor.unit)
    versions = selectors.rating_policy_versions(actor=actor)
    facility_labels = dict(Facility.choices)
    return render(
        request,
        "standards/policy.html",
        {
            "policy": policy,
            "version": version,
            "versions": versions,
            "required": [(facility_labels.get(k, k), v) for k, v in policy.required_points.items()],
            "optional": [(facility_labels.get(k, k), v) for k, v in policy.optional_points.items()],
            "management": [(MANAGEMENT_ITEMS.get(k, k), v) for k, v in policy.management_points.items()],
            # The federation admin of a federation drafts and publishes its own versions.
            "can_edit": actor.role == Role.FEDERATION_ADMIN,
        },
    )


# --- assessments ------------------------------------------------------------------------------------


ASSESSMENTS_PER_PAGE = 100


@staff_view
def assessment_list(request):
    actor = request.actor
    position_id = int_param(request, "position")
    position = position_selectors.position_get(actor=actor, pk=position_id) if position_id else None
    page = Paginator(selectors.assessment_list(actor=actor, position_id=position_id), ASSESSMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "standards/assessment_list.html",
        {
            "assessments": page.object_list,
            "page": page,
            "position": position,
            "may_assess": actor.can(Action.CREATE, Assessment),
        },
    )


def _record_hint(position, item) -> str:
    """What the position's record says about an item, shown beside it for the assessor to confirm."""
    if item.check_type == CheckType.YES_NO and item.key in Facility.values:
        has = item.key in (position.facilities or [])
        return str(_("档案记录：有")) if has else str(_("档案记录：无"))
    if item.check_type == CheckType.NUMBER and item.key.endswith("_total"):
        if position.floor_area is None:
            return str(_("档案未记录面积"))
        return str(_("档案记录：{area} 平方米")).format(area=position.floor_area)
    if item.key in ("info_shown", "online_map"):
        if position.always_open:
            return str(_("档案开放时间：24 小时开放"))
        if position.hours_unknown:
            return str(_("档案开放时间：待核实"))
        return str(_("档案已记录每周开放时间"))
    return ""


@require_http_methods(["GET", "POST"])
@staff_view
def assessment_new(request, position_id: int):
    """The assessment form of a position: first the standard (its published versions that apply),
    then its items one under the other, each pre-filled with what the record knows, with a note and
    a photo as evidence. Saved through `assessments.assessment_record` (all or nothing)."""
    actor = request.actor
    require(actor, Action.CREATE, Assessment)
    position = position_selectors.position_get(actor=actor, pk=position_id)
    version_id = int_param(request, "version") or (
        int(request.POST["version"]) if request.POST.get("version", "").isdecimal() else None
    )
    if version_id is None:
        versions = [
            v
            for v in StandardVersion.objects.filter(state=VersionState.PUBLISHED)
            .select_related("standard__unit")
            .order_by("standard__unit__path", "standard__code")
            if position.unit.path.startswith(v.standard.unit.path)
            and any(i.applies_to(position.kind, position.centre_level or "") for i in v.items.all())
        ]
        return render(request, "standards/assessment_choose.html", {"position": position, "versions": versions})
    try:
        position, version, items = assessments.assessment_form(
            actor=actor, position_id=position.pk, version_id=version_id
        )
    except ApplicationError as error:
        if isinstance(error, PermissionDeniedError):
            raise
        messages.error(request, error.message)
        return redirect("standards:assess", position_id=position.pk)
    values = {}
    error_field, error_message = None, None
    if request.method == "POST":
        answers, notes, photos = {}, {}, {}
        limit = settings.YIZHAN_PHOTO_MAX_BYTES
        for form_item in items:
            key = form_item.item.key
            answers[key] = request.POST.get(f"answer-{key}", "").strip()
            notes[key] = request.POST.get(f"note-{key}", "").strip()
            values[key] = {"answer": answers[key], "note": notes[key]}
        try:
            for form_item in items:
                upload = request.FILES.get(f"photo-{form_item.item.key}")
                if upload is None:
                    continue
                if upload.size > limit:
                    message = PHOTO_TOO_LARGE_NAMED.format(text=form_item.item.text, limit=limit // (1024 * 1024))
                    raise ApplicationError(message, field=form_item.item.key)
                photos[form_item.item.key] = upload.read()
            assessed_on = date.fromisoformat(request.POST.get("assessed_on", ""))
        except ValueError:
            error_field, error_message = "assessed_on", str(_("请填写评估日期"))
        except ApplicationError as error:
            error_field, error_message = error.field, error.message
        else:
            try:
                assessment = assessments.assessment_record(
                    actor=actor,
                    position=position,
                    version=version,
                    assessed_on=assessed_on,
                    answers=answers,
                    notes=notes,
                    note=request.POST.get("note", "").strip()[:2000],
                    correct_record=request.POST.get("correct_record") == "on",
                    photos=photos,
                )
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                error_field, error_message = error.field, error.message
            else:
                messages.success(request, ASSESSED.format(met=assessment.met, applicable=assessment.applicable))
                return redirect("standards:assessment", pk=assessment.pk)
    rows = []
    for form_item in items:
        item = form_item.item
        given = values.get(item.key, {})
        if given:
            answer = given["answer"]
        elif form_item.known is None:
            answer = ""
        elif isinstance(form_item.known, bool):
            answer = "yes" if form_item.known else "no"
        else:
            answer = str(form_item.known)
        rows.append(
            {
                "item": item,
                "answer": answer,
                "note": given.get("note", ""),
                "known": form_item.known is not None,
                "hint": _record_hint(position, item),
                "error": error_message if error_field == item.key else "",
            }
        )
    return render(
        request,
        "standards/assessment_form.html",
        {
            "position": position,
            "version": version,
            "rows": rows,
            "assessed_on": request.POST.get("assessed_on") or f"{timezone.localdate():%Y-%m-%d}",
            "note": request.POST.get("note", ""),
            "correct_record": request.method == "GET" or request.POST.get("correct_record") == "on",
            "form_error": error_message if error_field not in {r["item"].key for r in rows} else "",
            "photo_max_mb": settings.YIZHAN_PHOTO_MAX_BYTES // (1024 * 1024),
        },
    )


def _assessment_parts(actor, assessment):
    answers = list(selectors.assessment_answers(actor=actor, assessment=assessment))
    photos = selectors.answer_photos(actor=actor, assessment=assessment)
    return answers, photos


@staff_view
def assessment_detail(request, pk: int):
    actor = request.actor
    assessment = selectors.assessment_get(actor=actor, pk=pk)
    answers, photos = _assessment_parts(actor, assessment)
    position = assessment.position
    may_rate = (
        assessment.version.standard.code == assessments.RATING_STANDARD
        and position.kind == PositionKind.STATION
        and actor.can(Action.CREATE, Assessment)
    )
    return render(
        request,
        "standards/assessment_detail.html",
        {
            "assessment": assessment,
            "position": position,
            "rows": [(a, photos.get(a.pk, [])) for a in answers],
            "may_rate": may_rate,
            "rate_form": RateForm(initial=RateForm.initial_for(assessment.assessed_on)) if may_rate else None,
            "ratings": list(assessment.star_ratings.order_by("-pk")),
        },
    )


@staff_view
def assessment_sheet(request, pk: int, fmt: str):
    actor = request.actor
    assessment = selectors.assessment_get(actor=actor, pk=pk)
    answers, photos = _assessment_parts(actor, assessment)
    counts = {answer_id: len(found) for answer_id, found in photos.items()}
    name = f"assessment-{assessment.position.code}-{assessment.assessed_on:%Y%m%d}"
    if fmt == "xlsx":
        return _xlsx(exports.assessment_sheet_xlsx(assessment, answers, counts), f"{name}.xlsx")
    if fmt == "pdf":
        response = HttpResponse(
            exports.assessment_sheet_pdf(assessment, answers, counts), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    raise Http404


# --- star ratings -------------------------------------------------------------------------------------


@require_POST
@staff_view
def assessment_rate(request, pk: int):
    actor = request.actor
    assessment = selectors.assessment_get(actor=actor, pk=pk, action=Action.CREATE)
    form = RateForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, first)
        return redirect("standards:assessment", pk=assessment.pk)
    try:
        record = assessments.station_rate(actor=actor, assessment=assessment, **form.cleaned_data)
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("standards:assessment", pk=assessment.pk)
    messages.success(request, RATED.format(verdict=record.verdict))
    return redirect("standards:rating", rating_id=record.pk)


@staff_view
def rating_detail(request, rating_id: int):
    record = selectors.star_rating_get(actor=request.actor, pk=rating_id)
    return render(request, "standards/rating_detail.html", {"record": record, "position": record.position})


@staff_view
def rating_history(request, position_id: int):
    actor = request.actor
    position = position_selectors.position_get(actor=actor, pk=position_id)
    return render(
        request,
        "standards/rating_history.html",
        {
            "position": position,
            "records": list(selectors.star_rating_history(actor=actor, position_id=position.pk)),
            "assessments": list(selectors.assessment_list(actor=actor, position_id=position.pk)[:20]),
            "may_assess": actor.can(Action.CREATE, Assessment),
        },
    )


@staff_view
def rating_list(request):
    """A unit's stations with their stars and latest rating; ?format=xlsx downloads it."""
    actor = request.actor
    unit_id = int_param(request, "unit")
    unit = org_selectors.unit_get(actor=actor, pk=unit_id) if unit_id is not None else actor.unit
    rows = selectors.rating_list(actor=actor, unit=unit)
    if request.GET.get("format") == "xlsx":
        return _xlsx(exports.rating_list_xlsx(unit.name, rows), f"ratings-{unit.code}.xlsx")
    counts = {}
    for station, _record in rows:
        counts[station.stars] = counts.get(station.stars, 0) + 1
    return render(
        request,
        "standards/rating_list.html",
        {
            "unit": unit,
            "rows": rows[:500],
            "total": len(rows),
            "counts": [(s, counts.get(s, 0)) for s in (5, 4, 3, None)],
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view
def ratings_review(request):
    """The review of a period (spec §4): GET lists the stations it would delist and why; the button
    (POST with confirm) delists them through the position's lifecycle, all or none."""
    actor = request.actor
    require(actor, Action.CREATE, Assessment)
    data = request.POST if request.method == "POST" else (request.GET if "period" in request.GET else None)
    form = ReviewForm(data, initial={"period": timezone.localdate().year})
    due = None
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                done = assessments.ratings_review(actor=actor, period=period, confirm=True)
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, DELISTED.format(count=len(done)) if done else NOTHING_TO_DELIST)
                return redirect(f"{request.path}?period={period}")
        due = assessments.ratings_review(actor=actor, period=period)
    policy, _version = rating_policy_for(unit=actor.unit)
    return render(
        request,
        "standards/ratings_review.html",
        {"form": form, "due": due, "delist_periods": policy.delist_after_unrated_periods},
    )
