"""Enumerations of the ledger and feedback context (spec §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackSource(models.TextChoices):
    """Where a piece of public feedback came in."""

    PAGE = "page", _("公众页面")
    QR = "qr", _("扫码")
    API = "api", _("接口（小程序等）")


class FeedbackStatus(models.TextChoices):
    """How far staff have handled it: new → read → resolved (moves come with the handling issue)."""

    NEW = "new", _("未读")
    READ = "read", _("已读")
    RESOLVED = "resolved", _("已处理")
