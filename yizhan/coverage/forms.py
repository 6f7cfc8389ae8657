"""Forms of the coverage pages (issue 18): the uploads of a candidate set and of demand."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.core.geo.crs import CRS
from yizhan.coverage.choices import CandidateSource

NO_CANDIDATE_FILE = _("请选择候选点文件（.xlsx、.csv 或 .geojson）")
EMPTY_FILE = _("上传的文件是空的，请检查后重新选择")
TOO_LARGE = _("文件过大（{size:.1f} MB），上限为 {limit:.0f} MB")


class CandidateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("候选点文件（.xlsx、.csv 或 .geojson）"),
        error_messages={"required": NO_CANDIDATE_FILE, "empty": EMPTY_FILE},
        help_text=_("每行一个候选点：名称、类型、经度、纬度；GeoJSON 为点要素，属性 name、kind。"),
    )
    source = forms.ChoiceField(
        label=_("候选点类别"),
        choices=[
            (CandidateSource.UPLOAD, _("选址候选点（自选地块、场所）")),
            (CandidateSource.PARTNERS, _("共建单位网点（银行网点、加油站、通信营业厅、公厕等，须有名称）")),
        ],
        initial=CandidateSource.UPLOAD,
    )
    crs = forms.ChoiceField(
        label=_("坐标系"),
        choices=[
            (CRS.GCJ02, _("GCJ-02（高德、腾讯地图）")),
            (CRS.WGS84, _("WGS-84（GPS、奥维）")),
            (CRS.BD09, _("BD-09（百度地图）")),
        ],
        initial=CRS.GCJ02,
    )
    name = forms.CharField(label=_("名称"), max_length=100, required=False, help_text=_("留空则用文件名"))

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(TOO_LARGE.format(size=upload.size / 2**20, limit=self.max_bytes / 2**20))
        return upload


NO_DEMAND_FILE = _("请选择需求数据文件（.xlsx、.csv 或 .geojson）")


class DemandUploadForm(forms.Form):
    file = forms.FileField(
        label=_("需求数据文件（.xlsx、.csv 或 .geojson）"),
        error_messages={"required": NO_DEMAND_FILE, "empty": EMPTY_FILE},
        help_text=_(
            "表格每行一个点：经度、纬度、权重（人数，可留空为 1），可有名称；"
            "GeoJSON 可为点（属性 weight）或面（属性 population：该面的人数，平均分到面内网格）。"
        ),
    )
    crs = forms.ChoiceField(
        label=_("坐标系"),
        choices=[
            (CRS.GCJ02, _("GCJ-02（高德、腾讯地图）")),
            (CRS.WGS84, _("WGS-84（GPS、奥维）")),
            (CRS.BD09, _("BD-09（百度地图）")),
        ],
        initial=CRS.GCJ02,
    )
    name = forms.CharField(label=_("名称"), max_length=100, required=False, help_text=_("留空则用文件名"))
    cell_m = forms.IntegerField(
        label=_("面要素的网格边长（米）"), min_value=50, max_value=5000, required=False, initial=250
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(TOO_LARGE.format(size=upload.size / 2**20, limit=self.max_bytes / 2**20))
        return upload
