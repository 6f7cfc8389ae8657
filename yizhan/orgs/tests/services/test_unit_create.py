"""unit_create / federation_create (spec §1): the type hierarchy, unique codes, valid phones, scope, audit."""

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.orgs import services
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, FEDERATION_TYPES, UnitType
from yizhan.orgs.models import PHONE_VALIDATOR, Unit

NON_FEDERATION_TYPES = [t for t in UnitType if t not in FEDERATION_TYPES]


@pytest.fixture
def one_of_each(make_unit):
    """A tree holding a unit of every type, each under a parent the hierarchy allows."""
    province = make_unit(UnitType.PROVINCIAL_FEDERATION, name="辽宁省总工会")
    city = make_unit(UnitType.CITY_FEDERATION, province, name="大连市总工会")
    district = make_unit(UnitType.DISTRICT, city)
    street = make_unit(UnitType.STREET, district)
    return {
        UnitType.PROVINCIAL_FEDERATION: province,
        UnitType.CITY_FEDERATION: city,
        UnitType.DISTRICT: district,
        UnitType.COUNTY: make_unit(UnitType.COUNTY, city),
        UnitType.DEVELOPMENT_ZONE: make_unit(UnitType.DEVELOPMENT_ZONE, city),
        UnitType.INDUSTRY: make_unit(UnitType.INDUSTRY, city),
        UnitType.STREET: street,
        UnitType.ENTERPRISE: make_unit(UnitType.ENTERPRISE, street),
    }


def test_creates_a_child_below_the_parent(dalian, make_actor, regions):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian["city"])

    unit = services.unit_create(
        actor=actor,
        parent=dalian["city"],
        code="DL-SHK",
        name="沙河口区总工会",
        type=UnitType.DISTRICT,
        region=regions["210200"],
        contact_phone="0411-82345678",
    )

    unit.refresh_from_db()
    assert Unit.objects.get_parent(unit) == dalian["city"]
    assert unit.path.startswith(dalian["city"].path)
    assert unit.depth == dalian["city"].depth + 1
    dalian["city"].refresh_from_db()
    assert dalian["city"].numchild == 3


def test_every_parent_child_type_pair_follows_the_hierarchy(one_of_each, make_actor, regions):
    actor = make_actor(Role.FEDERATION_ADMIN, one_of_each[UnitType.PROVINCIAL_FEDERATION])
    for parent_type, parent in one_of_each.items():
        for n, child_type in enumerate(UnitType):
            code = f"P-{parent.pk}-{n}"
            kwargs = {"actor": actor, "parent": parent, "code": code, "type": child_type, "region": parent.region}
            kwargs["name"] = "新单位"
            if child_type in ALLOWED_CHILD_TYPES[parent_type]:
                unit = services.unit_create(**kwargs)
                assert Unit.objects.get_parent(unit).pk == parent.pk, (parent_type, child_type)
            else:
                with pytest.raises(ApplicationError) as error:
                    services.unit_create(**kwargs)
                assert error.value.message == services.CHILD_TYPE_NOT_ALLOWED.format(
                    parent=parent.name, parent_type=parent.get_type_display(), child_type=UnitType(child_type).label
                ), (parent_type, child_type)
                assert error.value.field == "type"
                assert not Unit.objects.filter(code=code).exists()


def test_spec_hierarchy_examples():
    # spec §1: federation → district/county, development zones, industry unions → street unions → enterprises
    city = ALLOWED_CHILD_TYPES[UnitType.CITY_FEDERATION]
    assert {UnitType.DISTRICT, UnitType.COUNTY, UnitType.DEVELOPMENT_ZONE, UnitType.INDUSTRY} <= city
    assert UnitType.CITY_FEDERATION not in ALLOWED_CHILD_TYPES[UnitType.DISTRICT]
    assert UnitType.STREET in ALLOWED_CHILD_TYPES[UnitType.DISTRICT]
    assert UnitType.ENTERPRISE in ALLOWED_CHILD_TYPES[UnitType.STREET]
    assert ALLOWED_CHILD_TYPES[UnitType.ENTERPRISE] == frozenset()
    assert set(ALLOWED_CHILD_TYPES) == set(UnitType)
    for children in ALLOWED_CHILD_TYPES.values():
        assert UnitType.PROVINCIAL_FEDERATION not in children


@pytest.mark.parametrize("unit_type", NON_FEDERATION_TYPES)
def test_only_federations_are_roots(regions, unit_type):
    with pytest.raises(ApplicationError) as error:
        services.federation_create(code="ROOT", name="顶级", type=unit_type, region=regions["210200"])
    assert error.value.message == services.ROOT_TYPE_ONLY
    assert error.value.field == "type"
    assert not Unit.objects.exists()


@pytest.mark.parametrize("unit_type", sorted(FEDERATION_TYPES))
def test_federations_may_be_roots(regions, unit_type):
    unit = services.federation_create(code="ROOT", name="顶级", type=unit_type, region=regions["210200"])
    assert unit.depth == 1
    assert Unit.objects.get_parent(unit) is None


def test_duplicate_code_is_refused_with_a_clear_message(dalian, make_actor, regions):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    before = Unit.objects.count()

    with pytest.raises(ApplicationError) as error:
        services.unit_create(
            actor=actor,
            parent=dalian["city"],
            code="DL-ZS",
            name="另一个",
            type=UnitType.DISTRICT,
            region=regions["210200"],
        )

    assert error.value.message == services.CODE_TAKEN.format(code="DL-ZS")
    assert "DL-ZS" in error.value.message
    assert error.value.field == "code"
    assert Unit.objects.count() == before


def test_duplicate_code_refused_for_federations_too(dalian, regions):
    with pytest.raises(ApplicationError) as error:
        services.federation_create(code="DL", name="重复", type=UnitType.CITY_FEDERATION, region=regions["210200"])
    assert error.value.message == services.CODE_TAKEN.format(code="DL")


def test_bad_code_is_refused_naming_the_field(dalian, make_actor, regions):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    with pytest.raises(ApplicationError) as error:
        services.unit_create(
            actor=actor, parent=dalian["city"], code="中 山", name="x", type=UnitType.DISTRICT, region=regions["210200"]
        )
    assert error.value.field == "code"


@pytest.mark.parametrize("phone", ["1234", "0411-8234", "1381234567a", "电话", "+86 138 1234 5678"])
def test_bad_phone_is_refused_naming_the_field(dalian, make_actor, regions, phone):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    before = Unit.objects.count()

    with pytest.raises(ApplicationError) as error:
        services.unit_create(
            actor=actor,
            parent=dalian["city"],
            code="DL-NEW",
            name="新区总工会",
            type=UnitType.DISTRICT,
            region=regions["210200"],
            contact_phone=phone,
        )

    assert error.value.field == "contact_phone"
    assert error.value.message == str(PHONE_VALIDATOR.message)
    assert Unit.objects.count() == before


@pytest.mark.parametrize("phone", ["13812345678", "0411-82345678", "041182345678", "95598"])
def test_good_phones_are_accepted(dalian, make_actor, regions, phone):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    unit = services.unit_create(
        actor=actor,
        parent=dalian["city"],
        code="DL-NEW",
        name="新区总工会",
        type=UnitType.DISTRICT,
        region=regions["210200"],
        contact_phone=phone,
    )
    assert Unit.objects.get(pk=unit.pk).contact_phone == phone


def test_parent_out_of_scope_is_not_found(dalian, make_actor, regions):
    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(NotFoundError) as error:
        services.unit_create(
            actor=actor, parent=dalian["xg"], code="DL-XG-X", name="x", type=UnitType.STREET, region=regions["210203"]
        )
    assert error.value.message == OUT_OF_SCOPE_MESSAGE
    assert not Unit.objects.filter(code="DL-XG-X").exists()


def test_unit_admin_creates_within_own_subtree(dalian, make_actor, regions):
    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    unit = services.unit_create(
        actor=actor, parent=dalian["zs"], code="DL-ZS-X", name="x街道", type=UnitType.STREET, region=regions["210202"]
    )
    assert unit.path.startswith(Unit.objects.get(code="DL-ZS").path)


def test_scope_is_checked_on_the_stored_tree_not_a_stale_copy(dalian, make_actor, regions):
    # The caller's copy of the street union still carries its old path below 中山区 after it moved to 西岗区.
    stale_street = Unit.objects.get(code="DL-ZS-QNWQ")
    city_admin = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    services.unit_move(actor=city_admin, unit=stale_street, new_parent=dalian["xg"])
    zs_path = Unit.objects.get(code="DL-ZS").path
    assert stale_street.path.startswith(zs_path)
    assert not Unit.objects.get(code="DL-ZS-QNWQ").path.startswith(zs_path)
    zs_admin = make_actor(Role.UNIT_ADMIN, dalian["zs"])

    with pytest.raises(NotFoundError):
        services.unit_create(
            actor=zs_admin,
            parent=stale_street,
            code="DL-X",
            name="x",
            type=UnitType.ENTERPRISE,
            region=regions["210202"],
        )

    assert not Unit.objects.filter(code="DL-X").exists()


@pytest.mark.parametrize(
    "role", [Role.STATION_MANAGER, Role.REVIEWER, Role.SOCIAL_ORG, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN]
)
def test_roles_without_create_are_refused(dalian, make_actor, regions, role):
    actor = make_actor(role, dalian["city"])
    with pytest.raises(PermissionDeniedError) as error:
        services.unit_create(
            actor=actor, parent=dalian["city"], code="DL-X", name="x", type=UnitType.DISTRICT, region=regions["210200"]
        )
    assert error.value.message == FORBIDDEN_MESSAGE
    assert not Unit.objects.filter(code="DL-X").exists()


def test_create_leaves_an_audit_entry_with_the_values_after(dalian, make_actor, regions):
    actor = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    count = AuditEntry.objects.count()

    unit = services.unit_create(
        actor=actor,
        parent=dalian["city"],
        code="DL-SHK",
        name="沙河口区总工会",
        type=UnitType.DISTRICT,
        region=regions["210200"],
    )

    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == AuditAction.CREATE
    assert entry.object_type == "orgs.unit"
    assert entry.object_id == str(unit.pk)
    assert entry.before is None
    assert entry.after["code"] == "DL-SHK"
    assert entry.after["name"] == "沙河口区总工会"
    assert entry.after["type"] == UnitType.DISTRICT
    assert entry.after["region_id"] == regions["210200"].pk
    assert entry.unit_path == Unit.objects.get(pk=unit.pk).path
    assert "numchild" not in entry.after
