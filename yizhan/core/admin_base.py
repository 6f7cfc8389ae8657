"""Django admin for raw data only: read-only and scoped like every other view.

Writes go through services (rules, audit), so the admin never adds, changes or deletes. Access
requires a role allowed to view the model, and rows are filtered by the same `restrict()`.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE


def request_actor(request):
    """The request's actor, or None when nobody is signed in. `request.actor` is a lazy object,
    never None itself even when what it wraps is: comparing it with None is always false."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(request, "actor", None)


# Django's select_related() without names follows every non-null foreign key this deep.
_SELECT_RELATED_DEPTH = 5


def region_boundary_paths(model, prefix: str = "", depth: int = 1) -> list[str]:
    """The lookups of orgs.Region's `boundary` reached by `select_related()` from `model` (non-null
    foreign keys, as Django follows them): a list page needs a unit's region, never its GeoJSON."""
    paths = []
    for field in model._meta.concrete_fields:
        if not field.many_to_one or field.null:
            continue
        path = f"{prefix}{field.name}"
        if field.related_model._meta.label == "orgs.Region":
            paths.append(f"{path}__boundary")
        elif depth < _SELECT_RELATED_DEPTH:
            paths.extend(region_boundary_paths(field.related_model, f"{path}__", depth + 1))
    return paths


class _ChangeList(ChangeList):
    def apply_select_related(self, qs):
        """Django's changelist joins every foreign key of a list showing one (`select_related()`);
        the regions it reaches come without their boundaries, which a list never shows and which
        took most of a list page's time to decode (real district boundaries, one per row)."""
        qs = super().apply_select_related(qs)
        paths = region_boundary_paths(qs.model) if qs.query.select_related is True else []
        return qs.defer(*paths) if paths else qs


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    def get_changelist(self, request, **kwargs):
        return _ChangeList

    def _actor(self, request):
        return request_actor(request)

    def get_queryset(self, request):
        return self.model._default_manager.get_queryset().restrict(self._actor(request), Action.VIEW)

    def get_object(self, request, object_id, from_field=None):
        """An object outside the actor's scope, or none at all, answers 404 as everywhere else
        (spec §1): Django's admin would send the browser to its index with a message naming the id."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(OUT_OF_SCOPE_MESSAGE)
        return obj

    def has_module_permission(self, request):
        actor = self._actor(request)
        return actor is not None and actor.can(Action.VIEW, self.model)

    def has_view_permission(self, request, obj=None):
        actor = self._actor(request)
        if actor is None or not actor.can(Action.VIEW, self.model):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class YizhanAdminSite(admin.AdminSite):
    site_header = _("驿站 · 原始数据（只读）")
    site_title = _("驿站原始数据")

    def has_permission(self, request):
        actor = request_actor(request)
        return bool(actor is not None and request.user.is_active and actor.membership is not None)
