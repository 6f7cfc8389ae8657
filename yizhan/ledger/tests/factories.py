"""Test-data factories of the ledger: feedback as it stands once submitted.

Test data only: tests of submission go through `services.feedback_submit` (its limits, its keyed
address hash); these make the feedback other tests read, handle, reveal or erase."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.models import Feedback
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
