"""unit_delete (spec §1): only empty units below the actor's own, in scope; a DELETE audit entry with the
values before; a refused delete leaves no trace."""

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.orgs import services
from yizhan.orgs.models import Unit


@pytest.fixture
def city_admin(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


def test_deletes_an_empty_unit(dalian, city_admin):
    street_pk = dalian["street"].pk

    services.unit_delete(actor=city_admin, unit=dalian["street"])

    assert not Unit.objects.filter(pk=street_pk).exists()
    assert Unit.objects.get(code="DL-ZS").numchild == 0
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_delete_leaves_an_entry_with_the_values_before(dalian, city_admin):
    street = Unit.objects.get(pk=dalian["street"].pk)
    count = AuditEntry.objects.count()

    services.unit_delete(actor=city_admin, unit=street)

    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == AuditAction.DELETE
    assert entry.object_type == "orgs.unit"
    assert entry.object_id == str(street.pk)
    assert entry.after is None
    assert entry.before["code"] == "DL-ZS-QNWQ"
    assert entry.before["name"] == "青泥洼桥街道工会"
    assert entry.before["path"] == street.path
    assert entry.unit_path == street.path


def test_unit_with_children_is_kept(dalian, city_admin):
    count = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.unit_delete(actor=city_admin, unit=dalian["zs"])
    assert error.value.message == services.DELETE_HAS_CHILDREN.format(unit="中山区总工会", count=1)
    assert Unit.objects.filter(code="DL-ZS").exists()
    assert Unit.objects.filter(code="DL-ZS-QNWQ").exists()
    assert AuditEntry.objects.count() == count


def test_unit_with_memberships_is_kept_and_no_entry_survives(dalian, city_admin, make_user):
    make_user(Role.STATION_MANAGER, dalian["street"])
    count = AuditEntry.objects.count()

    with pytest.raises(ApplicationError) as error:
        services.unit_delete(actor=city_admin, unit=dalian["street"])

    assert error.value.message == services.DELETE_HAS_RECORDS.format(unit="青泥洼桥街道工会")
    assert Unit.objects.filter(code="DL-ZS-QNWQ").exists()
    assert Unit.objects.get(code="DL-ZS").numchild == 1
    assert AuditEntry.objects.count() == count


def test_own_unit_is_kept(dalian, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, dalian["street"])
    with pytest.raises(ApplicationError) as error:
        services.unit_delete(actor=actor, unit=dalian["street"])
    assert error.value.message == services.MOVE_OWN_UNIT
    assert Unit.objects.filter(code="DL-ZS-QNWQ").exists()


def test_unit_out_of_scope_is_not_found(dalian, make_actor, make_unit):
    xg_street = make_unit("street", dalian["xg"], code="DL-XG-BY")
    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(NotFoundError) as error:
        services.unit_delete(actor=actor, unit=xg_street)
    assert error.value.message == OUT_OF_SCOPE_MESSAGE
    assert Unit.objects.filter(code="DL-XG-BY").exists()


def test_unit_admin_deletes_below_own_unit(dalian, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    services.unit_delete(actor=actor, unit=dalian["street"])
    assert not Unit.objects.filter(code="DL-ZS-QNWQ").exists()


@pytest.mark.parametrize(
    "role", [Role.STATION_MANAGER, Role.REVIEWER, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN]
)
def test_roles_without_delete_are_refused(dalian, make_actor, role):
    actor = make_actor(role, dalian["city"])
    with pytest.raises(PermissionDeniedError) as error:
        services.unit_delete(actor=actor, unit=dalian["street"])
    assert error.value.message == FORBIDDEN_MESSAGE
    assert Unit.objects.filter(code="DL-ZS-QNWQ").exists()
