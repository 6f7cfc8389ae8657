"""Coverage and siting hold no personal information (spec §11): demand is weights at places,
candidates are business premises. Fields whose names look personal are declared not personal."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.personal_data import NotPersonal, register_personal_data

NOT_PERSONAL = tuple(
    NotPersonal(f"coverage.{model}", field, reason)
    for model, field, reason in (
        ("demandset", "name", _("需求数据集名称")),
        ("demandset", "file_name", _("导入文件名")),
        ("candidateset", "name", _("候选点集名称")),
        ("candidateset", "file_name", _("导入文件名")),
        ("networkfile", "name", _("路网名称")),
        ("networkfile", "file_name", _("上传的路网文件名")),
    )
)

register_personal_data((), NOT_PERSONAL)
