"""unit_move (spec §1): the whole subtree follows, no cycles, never the actor's own unit, both ends in
scope, parent/child types kept, and a MOVE audit entry."""

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.orgs import services
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Unit


@pytest.fixture
def tree(dalian, make_unit):
    """dalian plus an enterprise under the street union and an industry union beside the districts,
    fetched fresh (sorted inserts shift sibling paths after the fixture's objects were made)."""
    make_unit(UnitType.ENTERPRISE, dalian["street"], name="大连港工会", code="DL-ZS-QNWQ-GANG")
    make_unit(UnitType.INDUSTRY, dalian["city"], name="机重石化电信工会", code="DL-JZSH")
    return {
        code: Unit.objects.get(code=code)
        for code in ("DL", "DL-ZS", "DL-XG", "DL-ZS-QNWQ", "DL-ZS-QNWQ-GANG", "DL-JZSH")
    }


@pytest.fixture
def city_admin(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


def fresh(code: str) -> Unit:
    return Unit.objects.get(code=code)


def snapshot() -> dict[str, str]:
    return dict(Unit.objects.values_list("code", "path"))


def test_move_carries_the_whole_subtree(tree, city_admin):
    moved = services.unit_move(actor=city_admin, unit=tree["DL-ZS-QNWQ"], new_parent=tree["DL-XG"])

    street, enterprise, xg, zs = fresh("DL-ZS-QNWQ"), fresh("DL-ZS-QNWQ-GANG"), fresh("DL-XG"), fresh("DL-ZS")
    assert moved.path == street.path
    assert Unit.objects.get_parent(street) == xg
    assert street.path.startswith(xg.path) and street.depth == xg.depth + 1
    assert Unit.objects.get_parent(enterprise) == street
    assert enterprise.path.startswith(street.path) and enterprise.depth == street.depth + 1
    assert list(Unit.objects.get_descendants(xg)) == [street, enterprise]
    assert list(Unit.objects.get_descendants(zs)) == []
    assert (zs.numchild, xg.numchild, street.numchild) == (0, 1, 1)
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_move_leaves_a_move_entry(tree, city_admin):
    old_path = tree["DL-ZS-QNWQ"].path
    count = AuditEntry.objects.count()

    services.unit_move(actor=city_admin, unit=tree["DL-ZS-QNWQ"], new_parent=tree["DL-XG"])

    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == AuditAction.MOVE
    assert entry.object_type == "orgs.unit"
    assert entry.object_id == str(tree["DL-ZS-QNWQ"].pk)
    assert entry.before == {"parent": "DL-ZS", "path": old_path}
    assert entry.after == {"parent": "DL-XG", "path": fresh("DL-ZS-QNWQ").path}


def test_moving_to_the_current_parent_changes_nothing(tree, city_admin):
    before, count = snapshot(), AuditEntry.objects.count()
    services.unit_move(actor=city_admin, unit=tree["DL-ZS-QNWQ"], new_parent=tree["DL-ZS"])
    assert snapshot() == before
    assert AuditEntry.objects.count() == count


@pytest.mark.parametrize("target", ["DL-ZS", "DL-ZS-QNWQ", "DL-ZS-QNWQ-GANG"])
def test_moving_into_itself_or_a_descendant_is_refused(tree, city_admin, target):
    before, count = snapshot(), AuditEntry.objects.count()

    with pytest.raises(ApplicationError) as error:
        services.unit_move(actor=city_admin, unit=tree["DL-ZS"], new_parent=tree[target])

    assert error.value.message == services.MOVE_INTO_OWN_SUBTREE
    assert snapshot() == before
    assert AuditEntry.objects.count() == count


def test_moving_the_actors_own_unit_is_refused(tree, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, tree["DL-ZS"])
    before = snapshot()
    with pytest.raises(ApplicationError) as error:
        services.unit_move(actor=actor, unit=tree["DL-ZS"], new_parent=tree["DL-ZS-QNWQ"])
    assert error.value.message == services.MOVE_OWN_UNIT
    assert snapshot() == before


def test_moving_to_a_parent_out_of_scope_is_not_found(tree, make_actor):
    actor = make_actor(Role.UNIT_ADMIN, tree["DL-ZS"])
    before = snapshot()
    with pytest.raises(NotFoundError) as error:
        services.unit_move(actor=actor, unit=tree["DL-ZS-QNWQ"], new_parent=tree["DL-XG"])
    assert error.value.message == OUT_OF_SCOPE_MESSAGE
    with pytest.raises(NotFoundError):
        services.unit_move(actor=actor, unit=tree["DL-ZS-QNWQ"], new_parent=tree["DL"])
    assert snapshot() == before


def test_moving_a_unit_out_of_scope_is_not_found(tree, make_actor, make_unit):
    xg_street = make_unit(UnitType.STREET, tree["DL-XG"], code="DL-XG-BY")
    actor = make_actor(Role.UNIT_ADMIN, tree["DL-ZS"])
    with pytest.raises(NotFoundError):
        services.unit_move(actor=actor, unit=xg_street, new_parent=tree["DL-ZS"])
    assert Unit.objects.get_parent(fresh("DL-XG-BY")) == fresh("DL-XG")


def test_unit_admin_moves_inside_own_subtree(tree, make_actor, make_unit):
    second_street = make_unit(UnitType.STREET, tree["DL-ZS"], code="DL-ZS-RMR")
    actor = make_actor(Role.UNIT_ADMIN, tree["DL-ZS"])
    services.unit_move(actor=actor, unit=tree["DL-ZS-QNWQ-GANG"], new_parent=second_street)
    assert Unit.objects.get_parent(fresh("DL-ZS-QNWQ-GANG")) == fresh("DL-ZS-RMR")


def test_move_keeps_the_type_hierarchy(tree, city_admin):
    # A street union cannot sit below an industry union (industry unions hold enterprises only).
    before = snapshot()
    with pytest.raises(ApplicationError) as error:
        services.unit_move(actor=city_admin, unit=tree["DL-ZS-QNWQ"], new_parent=tree["DL-JZSH"])
    assert error.value.message == services.CHILD_TYPE_NOT_ALLOWED.format(
        parent="机重石化电信工会", parent_type=UnitType.INDUSTRY.label, child_type=UnitType.STREET.label
    )
    assert snapshot() == before


def test_enterprise_moves_to_an_industry_union(tree, city_admin):
    services.unit_move(actor=city_admin, unit=tree["DL-ZS-QNWQ-GANG"], new_parent=tree["DL-JZSH"])
    assert Unit.objects.get_parent(fresh("DL-ZS-QNWQ-GANG")) == fresh("DL-JZSH")
    assert fresh("DL-ZS-QNWQ").numchild == 0


@pytest.mark.parametrize(
    "role", [Role.STATION_MANAGER, Role.REVIEWER, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN]
)
def test_roles_without_update_are_refused(tree, make_actor, role):
    actor = make_actor(role, tree["DL"])
    with pytest.raises(PermissionDeniedError) as error:
        services.unit_move(actor=actor, unit=tree["DL-ZS-QNWQ"], new_parent=tree["DL-XG"])
    assert error.value.message == FORBIDDEN_MESSAGE
