"""Test-data factories of publishing: partners. Keys are issued through the service
(`services.api_key_issue`), the only place a key's secret exists."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from yizhan.orgs.tests.factories import UnitFactory
from yizhan.publishing.models import Partner


class PartnerFactory(DjangoModelFactory):
    """A partner allowed to read `unit`'s subtree."""

    class Meta:
        model = Partner

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"合作方{n}")
    contact_name = "李四"
    contact_phone = "13900001111"
    contact_email = factory.Sequence(lambda n: f"partner{n}@example.org")
    rate_per_minute = 120
