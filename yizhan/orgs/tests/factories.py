"""Test-data factories of the orgs context: areas, the unit tree, accounts and their roles.

Test data only: a test of a service calls the service itself. The project conftest numbers every
factory's sequence from 1 again before each test, so a test's codes and names do not depend on the
tests that ran before it in the same worker."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from yizhan.core.roles import Role
from yizhan.orgs.accounts.passwords import password_set_checked
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, RegionLevel, UnitType
from yizhan.orgs.models import Membership, Region, Unit, User
from yizhan.orgs.services import federation_create

# Meets every configured password validator (length, classes, not common): a test can sign in with it
# through the login form without being sent to change it.
PASSWORD = "Test-pass-2026"
# The type a child unit takes unless told: the first of these its parent may hold.
CHILD_TYPES = (UnitType.CITY_FEDERATION, UnitType.DISTRICT, UnitType.STREET, UnitType.ENTERPRISE)


def _child_type(parent: Unit) -> str:
    return next(t for t in CHILD_TYPES if t in ALLOWED_CHILD_TYPES[parent.type])


def _points(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
        return
    for part in coordinates:
        yield from _points(part)


def _corner(boundary: dict | None, pick, axis: int) -> float | None:
    """One side of the bounding box of a Polygon or MultiPolygon (None without a boundary)."""
    if not boundary:
        return None
    return pick(point[axis] for point in _points(boundary["coordinates"]))


class RegionFactory(DjangoModelFactory):
    """An area; `boundary` (a GeoJSON Polygon in GCJ-02) sets the bounding box the map and the
    point-in-area lookups read. Default codes are 9xxxxx, which GB/T 2260 never assigns."""

    class Meta:
        model = Region
        django_get_or_create = ("adcode",)

    adcode = factory.Sequence(lambda n: f"{900000 + n}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = RegionLevel.DISTRICT
    parent = None
    boundary = None
    min_lng = factory.LazyAttribute(lambda o: _corner(o.boundary, min, 0))
    max_lng = factory.LazyAttribute(lambda o: _corner(o.boundary, max, 0))
    min_lat = factory.LazyAttribute(lambda o: _corner(o.boundary, min, 1))
    max_lat = factory.LazyAttribute(lambda o: _corner(o.boundary, max, 1))


class UnitFactory(DjangoModelFactory):
    """A unit placed in the tree by `orgs.services.federation_create` (treebeard's add_root or the
    parent's add_child, with the service's checks: code free, type allowed below `parent`). A root
    is a city federation of a new city area; a child takes the first type its parent may hold
    (CHILD_TYPES) and lies in its parent's area unless told."""

    class Meta:
        model = Unit

    parent = None
    type = factory.Maybe(
        "parent",
        yes_declaration=factory.LazyAttribute(lambda o: _child_type(o.parent)),
        no_declaration=UnitType.CITY_FEDERATION,
    )
    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.LazyAttributeSequence(lambda o, n: f"{UnitType(o.type).label}{n}")
    region = factory.Maybe(
        "parent",
        yes_declaration=factory.SelfAttribute("parent.region"),
        no_declaration=factory.SubFactory(RegionFactory, level=RegionLevel.CITY),
    )

    @classmethod
    def _build(cls, model_class, *args, parent=None, **fields):
        return super()._build(model_class, *args, **fields)  # not in the tree: no path until saved

    @classmethod
    def _create(cls, model_class, *args, parent=None, **fields):
        # The stored parent: a caller's copy may predate a sibling added since (treebeard's numchild).
        return federation_create(parent=Unit.objects.get(pk=parent.pk) if parent else None, **fields)


class UserFactory(DjangoModelFactory):
    """An account without a role; its password is set through the configured validators."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **fields):
        user = model_class(**fields)
        password_set_checked(user=user, password=password)
        user.save()
        return user


class MembershipFactory(DjangoModelFactory):
    """A role held at a unit, by a new account unless `user` is given."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.UNIT_ADMIN
