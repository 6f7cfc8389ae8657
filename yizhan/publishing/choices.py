from django.db import models
from django.utils.translation import gettext_lazy as _


class MapPlatform(models.TextChoices):
    AMAP = "amap", _("高德地图（GCJ-02）")
    BAIDU = "baidu", _("百度地图（BD-09）")


class MarkingChange(models.TextChoices):
    NEW = "new", _("新增")
    MOVED = "moved", _("位置变更")
    RENAMED = "renamed", _("名称变更")
    CLOSED = "closed", _("关闭或摘牌")
