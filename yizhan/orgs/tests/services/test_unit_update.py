"""unit_update (spec §1): own fields only, unique codes, valid phones, type kept inside the hierarchy,
scope, and an audit entry holding only what changed."""

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.orgs import services
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import PHONE_VALIDATOR, Unit


@pytest.fixture
def city_admin(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


def last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def test_changes_the_given_fields(dalian, city_admin):
    services.unit_update(actor=city_admin, unit=dalian["zs"], name="中山区总工会（新）", address="人民路 1 号")

    zs = Unit.objects.get(code="DL-ZS")
    assert zs.name == "中山区总工会（新）"
    assert zs.address == "人民路 1 号"


def test_audit_entry_holds_only_the_changed_fields(dalian, city_admin):
    count = AuditEntry.objects.count()

    services.unit_update(actor=city_admin, unit=dalian["zs"], name="中山区总工会（新）", contact_name="李四")

    assert AuditEntry.objects.count() == count + 1
    entry = last_entry()
    assert entry.action == AuditAction.UPDATE
    assert entry.object_type == "orgs.unit"
    assert entry.object_id == str(dalian["zs"].pk)
    assert entry.before == {"name": "中山区总工会", "contact_name": ""}
    # The contact person is personal data: the chain keeps it masked (spec §11, core/personal_data.py).
    assert entry.after == {"name": "中山区总工会（新）", "contact_name": "李*"}
    assert entry.unit_path == Unit.objects.get(code="DL-ZS").path


def test_update_without_a_change_writes_no_entry(dalian, city_admin):
    count = AuditEntry.objects.count()
    services.unit_update(actor=city_admin, unit=dalian["zs"], name="中山区总工会")
    assert AuditEntry.objects.count() == count


def test_code_taken_by_another_unit_is_refused(dalian, city_admin):
    with pytest.raises(ApplicationError) as error:
        services.unit_update(actor=city_admin, unit=dalian["zs"], code="DL-XG")
    assert error.value.message == services.CODE_TAKEN.format(code="DL-XG")
    assert error.value.field == "code"
    assert Unit.objects.get(pk=dalian["zs"].pk).code == "DL-ZS"


def test_keeping_its_own_code_is_fine(dalian, city_admin):
    unit = services.unit_update(actor=city_admin, unit=dalian["zs"], code="DL-ZS", name="中山")
    assert unit.code == "DL-ZS"
    assert unit.name == "中山"


def test_bad_phone_is_refused_naming_the_field(dalian, city_admin):
    count = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.unit_update(actor=city_admin, unit=dalian["zs"], contact_phone="call me")
    assert error.value.field == "contact_phone"
    assert error.value.message == str(PHONE_VALIDATOR.message)
    assert Unit.objects.get(pk=dalian["zs"].pk).contact_phone == ""
    assert AuditEntry.objects.count() == count


def test_tree_fields_cannot_be_changed_here(dalian, city_admin):
    old_path = Unit.objects.get(pk=dalian["zs"].pk).path
    for field in ("path", "depth", "numchild"):
        with pytest.raises(ApplicationError) as error:
            services.unit_update(actor=city_admin, unit=dalian["zs"], **{field: "0001"})
        assert field in error.value.message
    assert Unit.objects.get(pk=dalian["zs"].pk).path == old_path


def test_type_change_allowed_by_parent_and_children(dalian, city_admin):
    unit = services.unit_update(actor=city_admin, unit=dalian["zs"], type=UnitType.COUNTY)
    assert unit.type == UnitType.COUNTY
    entry = last_entry()
    assert entry.before == {"type": UnitType.DISTRICT}
    assert entry.after == {"type": UnitType.COUNTY}


def test_type_change_the_parent_does_not_allow_is_refused(dalian, city_admin):
    with pytest.raises(ApplicationError) as error:
        services.unit_update(actor=city_admin, unit=dalian["xg"], type=UnitType.CITY_FEDERATION)
    city = Unit.objects.get(code="DL")
    assert error.value.message == services.CHILD_TYPE_NOT_ALLOWED.format(
        parent=city.name, parent_type=city.get_type_display(), child_type=UnitType.CITY_FEDERATION.label
    )
    assert error.value.field == "type"
    assert Unit.objects.get(code="DL-XG").type == UnitType.DISTRICT


def test_type_change_the_children_do_not_allow_is_refused(dalian, city_admin):
    # 中山区 has a street union below it; an industry union may only hold enterprises.
    with pytest.raises(ApplicationError) as error:
        services.unit_update(actor=city_admin, unit=dalian["zs"], type=UnitType.INDUSTRY)
    assert error.value.message == services.CHILD_TYPES_BLOCK_CHANGE.format(
        child="青泥洼桥街道工会", child_type=UnitType.STREET.label, new_type=UnitType.INDUSTRY.label
    )
    assert Unit.objects.get(code="DL-ZS").type == UnitType.DISTRICT


def test_a_root_stays_a_federation(dalian, city_admin):
    with pytest.raises(ApplicationError) as error:
        services.unit_update(actor=city_admin, unit=dalian["city"], type=UnitType.DISTRICT)
    assert error.value.message == services.ROOT_TYPE_ONLY
    assert Unit.objects.get(code="DL").type == UnitType.CITY_FEDERATION


def test_unit_out_of_scope_is_not_found(dalian, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(NotFoundError) as error:
        services.unit_update(actor=actor, unit=dalian["xg"], name="改名")
    assert error.value.message == OUT_OF_SCOPE_MESSAGE
    assert Unit.objects.get(code="DL-XG").name == "西岗区总工会"
    with pytest.raises(NotFoundError):
        services.unit_update(actor=actor, unit=dalian["city"], name="改名")


def test_unit_admin_updates_own_unit_and_below(dalian, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    services.unit_update(actor=actor, unit=dalian["zs"], address="中山路")
    services.unit_update(actor=actor, unit=dalian["street"], address="青泥洼桥")
    assert Unit.objects.get(code="DL-ZS").address == "中山路"
    assert Unit.objects.get(code="DL-ZS-QNWQ").address == "青泥洼桥"


@pytest.mark.parametrize(
    "role", [Role.STATION_MANAGER, Role.REVIEWER, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN]
)
def test_roles_without_update_are_refused(dalian, make_actor, role):
    actor = make_actor(role, dalian["city"])
    with pytest.raises(PermissionDeniedError) as error:
        services.unit_update(actor=actor, unit=dalian["zs"], name="改名")
    assert error.value.message == FORBIDDEN_MESSAGE
    assert Unit.objects.get(code="DL-ZS").name == "中山区总工会"
