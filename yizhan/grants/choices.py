"""Enumerations of grants and self-evaluation reports (spec §7 "Funds", source 000 §五, §六)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GrantState(models.TextChoices):
    AWARDED = "awarded", _("已核定待拨付")
    DISBURSED = "disbursed", _("已拨付")


class UsePurpose(models.TextChoices):
    """What a grant may be spent on (source 000 §五: 改建扩建、软硬件升级和日常运维)."""

    REBUILDING = "rebuilding", _("改造提升")
    UPGRADE = "upgrade", _("软硬件升级")
    OPERATION = "operation", _("日常运营")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    PDF = "pdf", _("PDF 文件")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已提交")
