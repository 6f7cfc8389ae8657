"""Coverage and siting (issue 18; spec §10): demand, candidate sites, street networks, and the
results of coverage and siting runs.

Large arrays (up to ~2 million demand points) are not rows: each record keeps them in one binary
column as a compressed .npz archive (`arrays.pack`), with its SHA-256. Demand is stored in the
metric frame it was built in (`frame_lng`, `frame_lat`: the WGS-84 centre of a local azimuthal
equidistant projection, engine/frame.py), so a run reads it without projecting again; candidates
are few and stay in GCJ-02 like positions. Runs are written once, when computed, and keep a
snapshot of the stations they counted (positions change afterwards).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.scoping import ScopedQuerySet
from yizhan.coverage import arrays
from yizhan.coverage.choices import CandidateSource, DemandKind, DemandSource, ReachMode, SitingObjective
from yizhan.orgs.models import Region, Unit


class _UnitRecord(AuditedModel):
    """A record owned by a union unit, with its arrays in `data` (audited by digest)."""

    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    data = models.BinaryField(_("数组数据（npz）"), editable=False)
    digest = models.CharField(_("数据摘要（SHA-256）"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"
    audit_exclude = ("data",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_unit(self):
        return self.unit

    def set_arrays(self, **values) -> None:
        self.data = arrays.pack(**values)
        self.digest = arrays.digest(self.data)

    def arrays(self) -> dict:
        return arrays.unpack(self.data)


class DemandSet(_UnitRecord):
    """Where outdoor workers are (issue 18 §2): weighted points or grid cells over a unit's area."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=DemandKind.choices)
    source = models.CharField(_("来源"), max_length=10, choices=DemandSource.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("覆盖区域"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cell_m = models.PositiveIntegerField(_("网格边长（米）"), null=True, blank=True)
    points = models.PositiveIntegerField(_("点数"))
    total_weight = models.FloatField(_("总权重"))
    frame_lng = models.FloatField(_("投影中心经度（WGS-84）"))
    frame_lat = models.FloatField(_("投影中心纬度（WGS-84）"))
    # The districts points were counted in: [{"adcode", "name"}]; each point's index is in `data`.
    districts = models.JSONField(_("分区"), default=list, blank=True)
    file_name = models.CharField(_("导入文件"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("需求数据")
        verbose_name_plural = _("需求数据")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="grid") | Q(cell_m__gt=0), name="demandset_grid_has_cell_size"),
            models.CheckConstraint(condition=Q(total_weight__gte=0), name="demandset_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class CandidateSet(_UnitRecord):
    """Candidate sites for new stations (issue 18 §5): loaded, generated from a grid, or the
    branches of co-building partners. Arrays: lng, lat (GCJ-02), label, kind."""

    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("来源"), max_length=10, choices=CandidateSource.choices)
    sites = models.PositiveIntegerField(_("候选点数"))
    file_name = models.CharField(_("导入文件"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("候选点")
        verbose_name_plural = _("候选点")

    def __str__(self) -> str:
        return self.name


class NetworkFile(_UnitRecord):
    """A street network a unit supplied as an OpenStreetMap PBF file (issue 18 §3): the file as
    uploaded, and the walking graph read from it (`data`: engine.network.StreetNetwork)."""

    name = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("PBF 文件"), upload_to="coverage/networks/")
    file_name = models.CharField(_("原文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    file_digest = models.CharField(_("文件摘要（SHA-256）"), max_length=64)
    nodes = models.PositiveIntegerField(_("节点数"))
    edges = models.PositiveIntegerField(_("路段数"))
    length_km = models.FloatField(_("步行道路总长（千米）"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("步行路网")
        verbose_name_plural = _("步行路网")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["file"], name="networkfile_file_idx")]

    def __str__(self) -> str:
        return self.name


class CoverageRun(_UnitRecord):
    """A coverage report (issue 18 §4) as computed: `summary` holds the figures and the stations
    counted; `data` each demand point's covered flag, number of stations reaching it, nearest
    station and its distance."""

    demand_set = models.ForeignKey(DemandSet, verbose_name=_("需求数据"), on_delete=models.PROTECT, related_name="+")
    network = models.ForeignKey(
        NetworkFile, verbose_name=_("步行路网"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    mode = models.CharField(_("可达方式"), max_length=10, choices=ReachMode.choices)
    reach_m = models.FloatField(_("可达距离（米）"), validators=[MinValueValidator(0)])
    walk_m = models.FloatField(_("步行距离（米）"))
    open_at = models.DateTimeField(_("按此时开放计算"), null=True, blank=True)
    stations = models.PositiveIntegerField(_("计入站点数"))
    share = models.FloatField(_("覆盖率"), validators=[MinValueValidator(0), MaxValueValidator(1)])
    summary = models.JSONField(_("结果"), default=dict)
    seconds = models.FloatField(_("计算用时（秒）"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("覆盖分析")
        verbose_name_plural = _("覆盖分析")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="straight") | Q(network__isnull=False), name="coveragerun_network_mode_has_network"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand_set} · {self.get_mode_display()} · {self.share:.1%}"


class SitingRun(_UnitRecord):
    """A siting result (issue 18 §5): greedy and exact answers with their proved gaps in `summary`,
    the chosen candidates, and the codes of the planned positions made from them."""

    demand_set = models.ForeignKey(DemandSet, verbose_name=_("需求数据"), on_delete=models.PROTECT, related_name="+")
    candidate_set = models.ForeignKey(
        CandidateSet, verbose_name=_("候选点"), on_delete=models.PROTECT, related_name="+"
    )
    network = models.ForeignKey(
        NetworkFile, verbose_name=_("步行路网"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    mode = models.CharField(_("可达方式"), max_length=10, choices=ReachMode.choices)
    reach_m = models.FloatField(_("可达距离（米）"))
    objective = models.CharField(_("目标"), max_length=10, choices=SitingObjective.choices)
    k = models.PositiveIntegerField(_("新增站点数 k"), null=True, blank=True)
    target_share = models.FloatField(_("目标覆盖率"), null=True, blank=True)
    time_limit = models.FloatField(_("精确求解时限（秒）"))
    stations = models.PositiveIntegerField(_("计入的现有站点数"))
    summary = models.JSONField(_("结果"), default=dict)
    planned_codes = models.JSONField(_("已生成的规划阵地编号"), default=list, blank=True)
    seconds = models.FloatField(_("计算用时（秒）"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("选址分析")
        verbose_name_plural = _("选址分析")
        constraints = [
            models.CheckConstraint(
                condition=Q(objective="max_cover", k__gt=0) | Q(objective="set_cover", target_share__gt=0),
                name="sitingrun_objective_has_its_parameter",
            ),
            models.CheckConstraint(
                condition=Q(mode="straight") | Q(network__isnull=False), name="sitingrun_network_mode_has_network"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand_set} · {self.get_objective_display()}"
