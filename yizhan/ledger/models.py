"""Ledgers and feedback (spec §6). For now: feedback from the public on a position, and its handling."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.models import StateChangeBase
from yizhan.core.personal_data import personal_field
from yizhan.core.scoping import ScopedQuerySet
from yizhan.ledger.choices import FeedbackSource, FeedbackStatus
from yizhan.orgs.models import PHONE_VALIDATOR
from yizhan.positions.models import Position

TEXT_MAX_LENGTH = 500
RATING_MIN, RATING_MAX = 1, 5


class Feedback(AuditedModel):
    """A worker's rating and/or text about a position, given without an account (QR code, public
    page, mini-program). The phone is optional and only for replying (spec §11); the sender is
    known only by `client_key`, a keyed hash of the address — the address itself is never stored.
    Both are removed after YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS or at the submitter's request
    (`services.feedback_anonymise_expired`, `services.feedback_subject_erase`)."""

    position = models.ForeignKey(
        Position, verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
        help_text=_("1–5，5 为最满意；可不评分，但评分和意见内容至少要有一项"),
    )
    text = models.CharField(_("意见内容"), max_length=TEXT_MAX_LENGTH, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[PHONE_VALIDATOR])
    source = models.CharField(_("来源"), max_length=10, choices=FeedbackSource.choices)
    client_key = models.CharField(
        _("提交端标识"),
        max_length=64,
        blank=True,  # emptied with the phone when anonymised
        editable=False,
        help_text=_("提交地址的加密散列（HMAC-SHA256），不保存原始 IP 地址"),
    )
    status = models.CharField(_("处理状态"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("意见反馈")
        verbose_name_plural = _("意见反馈")
        # A position's feedback over a period: its page, its satisfaction rate (spec §6).
        indexes = [models.Index(fields=["position", "created_at"], name="feedback_position_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="feedback_rating_1_to_5",
            ),
            models.CheckConstraint(condition=Q(rating__isnull=False) | ~Q(text=""), name="feedback_rating_or_text"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.position}"

    def audit_unit(self):
        return self.position.unit

    @property
    def masked_phone(self) -> str:
        return personal_field(self._meta.label_lower, "phone").mask(self.phone)


class FeedbackStatusChange(StateChangeBase):
    """One row per handling move of a feedback (`choices.FEEDBACK_HANDLING`): read, resolved with
    the note of the reply or what was done (`reason`), reopened with why. Kept with the feedback,
    read by whoever may read it."""

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("意见反馈"), on_delete=models.PROTECT, related_name="status_changes"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=FeedbackStatus.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=FeedbackStatus.choices)

    scope_path_field = "feedback__position__unit__path"
    scope_permissions_from = "ledger.feedback"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("意见处理记录")
        verbose_name_plural = _("意见处理记录")

    def __str__(self) -> str:
        return f"{self.feedback}: {self.from_state} → {self.to_state}"
