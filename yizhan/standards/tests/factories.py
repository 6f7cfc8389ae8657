"""Test-data factories of standards. A standard with items is made as a federation gets it,
through `services.standard_defaults_load` (`shipped_standard`), or with the factories below: a
standard, a draft version and its items (a version is published through the service)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from yizhan.orgs.tests.factories import UnitFactory
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Standard, StandardItem, StandardVersion


class StandardFactory(DjangoModelFactory):
    class Meta:
        model = Standard

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"standard-{n}")
    name = factory.Sequence(lambda n: f"标准{n}")


class StandardVersionFactory(DjangoModelFactory):
    """A draft version of a standard."""

    class Meta:
        model = StandardVersion

    standard = factory.SubFactory(StandardFactory)
    number = factory.Sequence(lambda n: n)
    state = VersionState.DRAFT


class StandardItemFactory(DjangoModelFactory):
    """A yes/no item of a draft version."""

    class Meta:
        model = StandardItem

    version = factory.SubFactory(StandardVersionFactory)
    order = factory.Sequence(lambda n: n)
    key = factory.Sequence(lambda n: f"item-{n}")
    text = factory.Sequence(lambda n: f"条目{n}")
