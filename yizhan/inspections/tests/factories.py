"""Test-data factories of inspections. An inspection is planned for an operating station against a
published version of the shipped nine-haves standard of its federation (`shipped_version`); its
findings and rectifications go through the services in the tests of those services."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from yizhan.core.audit import audit_context
from yizhan.inspections.choices import InspectionKind
from yizhan.inspections.models import Inspection
from yizhan.orgs.models import Unit
from yizhan.orgs.tests.factories import UnitFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Standard, StandardVersion
from yizhan.standards.services import standard_defaults_load


def shipped_version(federation, code: str = "nine-haves") -> StandardVersion:
    """The published version of a shipped standard of `federation` (loaded when missing)."""
    if not Standard.objects.filter(unit=federation, code=code).exists():
        with audit_context(actor_name="test"):
            standard_defaults_load(unit=federation)
    return Standard.objects.get(unit=federation, code=code).versions.get(state=VersionState.PUBLISHED)


def jpeg(size=(40, 30), exif: bool = False) -> bytes:
    """A small JPEG, with a GPS-bearing EXIF block when asked."""
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "TestCamera"  # Make
        data[0x8825] = {1: "N", 2: (38.0, 55.0, 0.0)}  # GPS
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


class InspectionFactory(DjangoModelFactory):
    """A planned inspection of an operating station, by the station's unit, against the shipped
    nine-haves of the unit's federation (the root of its tree)."""

    class Meta:
        model = Inspection

    position = factory.SubFactory(PositionFactory, state=PositionState.OPERATING)
    unit = factory.LazyAttribute(lambda o: o.position.unit)
    kind = InspectionKind.PLANNED
    version = factory.LazyAttribute(lambda o: shipped_version(Unit.objects.get(path=o.unit.path[: Unit.steplen])))
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    created_by = "test"


__all__ = ["InspectionFactory", "UnitFactory", "jpeg", "shipped_version"]
