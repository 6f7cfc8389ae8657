"""Test-data factories of the ledger: feedback as it stands once submitted, days of the ledger.

Test data only: tests of submission go through `services.feedback_submit` (its limits, its keyed
address hash); these make the feedback other tests read, handle, reveal or erase."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from yizhan.ledger import services
from yizhan.ledger.choices import ActivityKind, FeedbackSource, ProblemKind
from yizhan.ledger.models import (
    SERVICE_ITEM_NAMES,
    VISIT_NAMES,
    Activity,
    ActivityPhoto,
    DailyLedger,
    Feedback,
    ProblemReport,
)
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory


class FeedbackFactory(DjangoModelFactory):
    """A rated comment with a phone for the reply, sent from a QR code, on an operating station."""

    class Meta:
        model = Feedback

    position = factory.SubFactory(PositionFactory, state=PositionState.OPERATING)
    rating = 4
    text = "还不错"
    phone = "13812345678"
    source = FeedbackSource.QR
    client_key = "0" * 64


class DailyLedgerFactory(DjangoModelFactory):
    """Yesterday's ledger of an operating station: a few riders and couriers who drank and rested.
    Totals and the month's summary are kept as `services.ledger_day_save` keeps them."""

    class Meta:
        model = DailyLedger

    position = factory.SubFactory(PositionFactory, state=PositionState.OPERATING)
    day = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    visits_delivery = 6
    visits_courier = 4
    ability_drink = 7
    ability_rest = 5
    entered_by_name = "factory"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        ledger = model_class(*args, **kwargs)
        ledger.visits_total = sum(getattr(ledger, name) for name in VISIT_NAMES)
        ledger.services_total = sum(getattr(ledger, name) for name in SERVICE_ITEM_NAMES) + sum(
            ledger.own_items.values()
        )
        ledger.save()
        # The monthly summary is derived from the days: kept as the service keeps it.
        services.ledger_month_refresh(services._month_locked(ledger.position_id, ledger.day))
        return ledger


class ProblemReportFactory(DjangoModelFactory):
    """An open report that an operating station was locked, due in three days."""

    class Meta:
        model = ProblemReport

    position = factory.SubFactory(PositionFactory, state=PositionState.OPERATING)
    kind = ProblemKind.LOCKED
    text = "早上六点门还锁着"
    client_key = "0" * 64
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3))


class ActivityFactory(DjangoModelFactory):
    """A safety training held yesterday by the position's unit at an operating station."""

    class Meta:
        model = Activity

    position = factory.SubFactory(PositionFactory, state=PositionState.OPERATING)
    unit = factory.SelfAttribute("position.unit")
    title = factory.Sequence(lambda n: f"夏季安全培训{n}")
    kind = ActivityKind.SAFETY_TRAINING
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    participants = 25


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    """A small PNG, for the photo pipeline."""
    out = BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


class ActivityPhotoFactory(DjangoModelFactory):
    class Meta:
        model = ActivityPhoto

    activity = factory.SubFactory(ActivityFactory)
    image = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="photo.jpg"))
    width = 40
    height = 30
    caption = factory.Sequence(lambda n: f"现场照片{n}")
    uploaded_by = "factory"
