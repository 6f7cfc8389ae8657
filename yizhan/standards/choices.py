"""Enumerations of standards (spec §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionState(models.TextChoices):
    """A standard's version is edited as a draft, then published; publishing the next version
    supersedes it. A published or superseded version never changes again."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("现行")
    SUPERSEDED = "superseded", _("已废止")


class CheckType(models.TextChoices):
    """How an item is checked on site."""

    YES_NO = "yes_no", _("是/否")
    NUMBER = "number", _("数值（不低于最小值）")
    CHOICE = "choice", _("选项")
