"""Targets (目标任务, spec §8, sources 002 and 003): a dated count or share that a unit is to reach
for one metric (yizhan/targets/metrics.py), and the figures a unit reports by hand for the metrics
the registry cannot count (enterprises covered)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.scoping import ScopedQuerySet
from yizhan.orgs.models import Unit

VALUE_DIGITS = 12
VALUE_PLACES = 2


class Target(AuditedModel):
    """`unit` is to reach `value` of `metric` by `due_on` (a count, or a percentage for a share
    metric), counted over the unit and every unit below it. `start_on` is the baseline date: the
    forecast reads the build rate since then (the last 12 months when empty)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="targets")
    metric = models.CharField(_("指标"), max_length=40)
    value = models.DecimalField(_("目标值"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    start_on = models.DateField(_("起始日期"), null=True, blank=True)
    due_on = models.DateField(_("完成期限"))
    basis = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如文件名称、文号"))
    set_by = models.CharField(_("设定人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "unit__path", "metric", "pk"]
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        constraints = [
            models.UniqueConstraint(fields=["unit", "metric", "due_on"], name="target_one_per_unit_metric_due"),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_value_positive"),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(start_on__lte=F("due_on")), name="target_start_before_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.metric} {self.value} @ {self.due_on}"

    def audit_unit(self):
        return self.unit


class ReportedFigure(AuditedModel):
    """A figure a unit reports for a metric the registry cannot count (enterprises covered): the
    value as of a date and where it comes from. The latest figure on or before a date is the unit's
    achievement on that date; a correction is a newer figure, nothing is overwritten."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reported_figures")
    metric = models.CharField(_("指标"), max_length=40)
    value = models.DecimalField(_("数值"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    as_of = models.DateField(_("截至日期"))
    source = models.CharField(_("来源"), max_length=200)
    recorded_by = models.CharField(_("填报人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-pk"]
        verbose_name = _("填报数")
        verbose_name_plural = _("填报数")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="reported_figure_not_negative")]

    def __str__(self) -> str:
        return f"{self.unit} {self.metric} {self.value} @ {self.as_of}"

    def audit_unit(self):
        return self.unit
