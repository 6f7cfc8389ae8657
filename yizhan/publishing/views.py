"""Staff pages of partners and their API keys (issue 20 §3): the list with the registration form,
and a partner's page with its record, its keys (issue: the key is shown once, on the answer to
the POST, never stored or redirected to), revocation and usage. Thin: services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yizhan.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yizhan.core.personal_data import shown
from yizhan.core.roles import Action
from yizhan.core.scoping import require
from yizhan.core.views_helpers import add_refusal, staff_view
from yizhan.orgs.models import Unit
from yizhan.publishing import marking, selectors, services, webhooks
from yizhan.publishing.api_marking import BAD_PLATFORM
from yizhan.publishing.api_partners import unit_by_code
from yizhan.publishing.choices import MapPlatform
from yizhan.publishing.forms import KeyIssueForm, PartnerForm, WebhookForm
from yizhan.publishing.models import MapMarking, Partner

REGISTERED = _("已登记合作方“{name}”")
UPDATED = _("已保存合作方“{name}”")
REVOKED = _("已吊销密钥 {prefix}…")
MARKED = _("已记录{platform}标注：{rows} 条变更")
SHOWN_ROWS = 100


def _units(actor):
    return Unit.objects.restrict(actor).order_by("path").only("pk", "code", "name", "path", "depth")


def _form_values(form: PartnerForm, actor) -> dict:
    data = dict(form.cleaned_data)
    data["unit"] = unit_by_code(actor, data["unit"])
    return data


@staff_view
def partners_page(request):
    """Partners within reach; the federation admin registers one here."""
    actor = request.actor
    require(actor, Action.VIEW, Partner)
    may_create = actor.can(Action.CREATE, Partner)
    form = PartnerForm(request.POST or None, units=_units(actor) if may_create else ())
    status = 200
    if request.method == "POST":
        require(actor, Action.CREATE, Partner)
        if form.is_valid():
            data = _form_values(form, actor)
            data.pop("active")
            try:
                partner = services.partner_create(actor=actor, **data)
            except (NotFoundError, PermissionDeniedError):
                raise
            except ApplicationError as error:
                add_refusal(form, error)
            else:
                messages.success(request, REGISTERED.format(name=partner.name))
                return redirect(reverse("publishing:partner", args=[partner.pk]))
        status = 400
    partners = [
        {
            "partner": p,
            "contact_name": shown(actor, p, "contact_name"),
            "contact_phone": shown(actor, p, "contact_phone"),
        }
        for p in selectors.partner_list(actor=actor)
    ]
    return render(
        request,
        "publishing/partners.html",
        {"partners": partners, "form": form, "may_create": may_create},
        status=status,
    )


def _partner_context(request, partner, **extra) -> dict:
    actor = request.actor
    may_update = actor.can(Action.UPDATE, Partner)
    initial = {
        "unit": partner.unit.code,
        "name": partner.name,
        "contact_name": shown(actor, partner, "contact_name"),
        "contact_phone": shown(actor, partner, "contact_phone"),
        "contact_email": shown(actor, partner, "contact_email"),
        "rate_per_minute": partner.rate_per_minute,
        "active": partner.active,
    }
    return {
        "partner": partner,
        "contact": {f: shown(actor, partner, f) for f in ("contact_name", "contact_phone", "contact_email")},
        "keys": selectors.api_key_list(actor=actor, partner=partner),
        "usage": selectors.partner_usage(actor=actor, partner=partner),
        "may_update": may_update,
        "form": extra.pop("form", None) or PartnerForm(initial=initial, units=_units(actor) if may_update else ()),
        "key_form": extra.pop("key_form", None) or KeyIssueForm(),
        "webhook_form": extra.pop("webhook_form", None) or WebhookForm(initial={"url": partner.webhook_url}),
        **extra,
    }


@staff_view
def partner_page(request, pk: int):
    """A partner's record, keys and usage; POST saves the record."""
    actor = request.actor
    partner = selectors.partner_get(actor=actor, pk=pk)
    if request.method != "POST":
        return render(request, "publishing/partner.html", _partner_context(request, partner))
    partner = selectors.partner_get(actor=actor, pk=pk, action=Action.UPDATE)
    form = PartnerForm(request.POST, units=_units(actor))
    if form.is_valid():
        changes = _form_values(form, actor)
        try:
            partner = services.partner_update(actor=actor, partner=partner, **changes)
        except (NotFoundError, PermissionDeniedError):
            raise
        except ApplicationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, UPDATED.format(name=partner.name))
            return redirect(reverse("publishing:partner", args=[partner.pk]))
    return render(request, "publishing/partner.html", _partner_context(request, partner, form=form), status=400)


@staff_view
@require_POST
def key_issue_page(request, pk: int):
    """Issue a key and show it on this answer, once."""
    actor = request.actor
    partner = selectors.partner_get(actor=actor, pk=pk, action=Action.UPDATE)
    form = KeyIssueForm(request.POST)
    if not form.is_valid():
        return render(request, "publishing/partner.html", _partner_context(request, partner, key_form=form), status=400)
    issued = services.api_key_issue(actor=actor, partner=partner, label=form.cleaned_data["label"])
    response = render(request, "publishing/partner.html", _partner_context(request, partner, issued=issued))
    response["Cache-Control"] = "no-store"
    return response


@staff_view
@require_POST
def webhook_set_page(request, pk: int):
    """Set or remove the webhook address; the new signing secret is shown on this answer, once."""
    actor = request.actor
    partner = selectors.partner_get(actor=actor, pk=pk, action=Action.UPDATE)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            secret = webhooks.partner_webhook_set(actor=actor, partner=partner, url=form.cleaned_data["url"])
        except (NotFoundError, PermissionDeniedError):
            raise
        except ApplicationError as error:
            form.add_error("url", error.message)
        else:
            partner.refresh_from_db()
            response = render(request, "publishing/partner.html", _partner_context(request, partner, secret=secret))
            response["Cache-Control"] = "no-store"
            return response
    context = _partner_context(request, partner, webhook_form=form)
    return render(request, "publishing/partner.html", context, status=400)


@staff_view
@require_POST
def key_revoke_page(request, pk: int, key_pk: int):
    actor = request.actor
    partner = selectors.partner_get(actor=actor, pk=pk)
    key = selectors.api_key_get(actor=actor, partner=partner, pk=key_pk, action=Action.UPDATE)
    try:
        services.api_key_revoke(actor=actor, key=key)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, REVOKED.format(prefix=key.prefix))
    return redirect(reverse("publishing:partner", args=[partner.pk]))


# ------------------------------------------------------------------ map-platform marking


def _marking_unit(request) -> Unit:
    code = request.GET.get("unit") or request.POST.get("unit") or request.actor.unit.code
    return unit_by_code(request.actor, code)


@staff_view
def map_marking_page(request):
    """Per platform: how many map points of the unit's subtree are out of date, the difference
    (download in the platform's layout) and the button that records the upload."""
    actor = request.actor
    require(actor, Action.VIEW, MapMarking)
    unit = _marking_unit(request)
    if request.method == "POST":
        platform = request.POST.get("platform", "")
        if platform not in MapPlatform.values:
            raise NotFoundError(str(BAD_PLATFORM))
        try:
            recorded = marking.map_marking_record(
                actor=actor, unit=unit, platform=platform, expected_digest=request.POST.get("digest", "")
            )
        except ConflictError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, MARKED.format(platform=recorded.get_platform_display(), rows=recorded.rows))
        return redirect(reverse("publishing:map_marking") + f"?unit={unit.code}")
    platforms = []
    for platform in MapPlatform:
        rows = marking.marking_difference(actor=actor, unit=unit, platform=platform)
        platforms.append(
            {
                "platform": platform,
                "rows": rows[:SHOWN_ROWS],
                "count": len(rows),
                "digest": marking.difference_digest(rows),
                "last": selectors.map_marking_list(actor=actor, unit=unit).filter(platform=platform).first(),
            }
        )
    return render(
        request,
        "publishing/map_marking.html",
        {
            "unit": unit,
            "units": _units(actor),
            "platforms": platforms,
            "may_export": actor.can(Action.EXPORT, MapMarking),
            "may_record": actor.can(Action.CREATE, MapMarking),
            "may_see_partners": actor.can(Action.VIEW, Partner),
            "markings": selectors.map_marking_list(actor=actor, unit=unit)[:20],
            "shown_rows": SHOWN_ROWS,
        },
    )


@staff_view
def map_difference_download(request, platform: str):
    if platform not in MapPlatform.values:
        raise NotFoundError(str(BAD_PLATFORM))
    found = marking.marking_difference_export(actor=request.actor, unit=_marking_unit(request), platform=platform)
    response = HttpResponse(found.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response["X-Difference-Digest"] = found.digest
    return response


@staff_view
def out_of_date_page(request, platform: str):
    """The map points of a unit's subtree out of date on one platform: the 工作台's figure's rows."""
    if platform not in MapPlatform.values:
        raise NotFoundError(str(BAD_PLATFORM))
    actor = request.actor
    unit = _marking_unit(request)
    rows = marking.marking_difference(actor=actor, unit=unit, platform=platform)
    return render(
        request,
        "publishing/out_of_date.html",
        {
            "unit": unit,
            "platform": MapPlatform(platform),
            "rows": rows,
            "may_export": actor.can(Action.EXPORT, MapMarking),
        },
    )
