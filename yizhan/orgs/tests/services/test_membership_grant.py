"""membership_grant / membership_revoke / account_create (spec §1): the security admin alone manages
roles, never their own; federation-only roles; 三员分立; no duplicates; scope."""

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import SEPARATED_ROLES, Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.orgs import services
from yizhan.orgs.models import PHONE_VALIDATOR, Membership, User
from yizhan.orgs.tests.factories import UserFactory

BUSINESS_ROLES = [r for r in Role if r not in SEPARATED_ROLES]
NOT_SECURITY = [r for r in Role if r != Role.SECURITY_ADMIN]


def unit_for(role, dalian):
    """A unit where `role` may be held: federation admins at the federation, unit admins below it."""
    return dalian["zs"] if role == Role.UNIT_ADMIN else dalian["city"]


@pytest.fixture
def security(dalian, make_actor):
    return make_actor(Role.SECURITY_ADMIN, dalian["city"])


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer")


def test_security_admin_grants_a_role(dalian, security, newcomer):
    membership = services.membership_grant(
        actor=security, user=newcomer, unit=dalian["street"], role=Role.STATION_MANAGER
    )

    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.user, stored.unit_id, stored.role) == (newcomer, dalian["street"].pk, Role.STATION_MANAGER)
    assert stored.granted_by == security.user


def test_grant_and_revoke_leave_audit_entries(dalian, security, newcomer):
    count = AuditEntry.objects.count()
    membership = services.membership_grant(actor=security, user=newcomer, unit=dalian["zs"], role=Role.UNIT_ADMIN)
    created = AuditEntry.objects.order_by("-seq").first()
    assert created.action == AuditAction.CREATE
    assert created.object_type == "orgs.membership"
    assert created.after["role"] == Role.UNIT_ADMIN
    assert created.after["user_id"] == newcomer.pk
    assert created.after["granted_by_id"] == security.user.pk

    services.membership_revoke(actor=security, membership=membership)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    deleted = AuditEntry.objects.order_by("-seq").first()
    assert deleted.action == AuditAction.DELETE
    assert deleted.object_id == str(membership.pk)
    assert deleted.before["role"] == Role.UNIT_ADMIN
    assert AuditEntry.objects.count() == count + 2


@pytest.mark.parametrize("role", NOT_SECURITY)
def test_only_the_security_admin_grants(dalian, make_actor, newcomer, role):
    actor = make_actor(role, unit_for(role, dalian))
    with pytest.raises(PermissionDeniedError) as error:
        services.membership_grant(actor=actor, user=newcomer, unit=dalian["street"], role=Role.STATION_MANAGER)
    assert error.value.message == FORBIDDEN_MESSAGE
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("role", NOT_SECURITY)
def test_only_the_security_admin_revokes(dalian, make_actor, make_user, role):
    target = make_user(Role.STATION_MANAGER, dalian["street"]).memberships.get()
    actor = make_actor(role, unit_for(role, dalian))
    with pytest.raises(PermissionDeniedError) as error:
        services.membership_revoke(actor=actor, membership=target)
    assert error.value.message == FORBIDDEN_MESSAGE
    assert Membership.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize("role", NOT_SECURITY)
def test_only_the_security_admin_opens_accounts(dalian, make_actor, role):
    actor = make_actor(role, unit_for(role, dalian))
    with pytest.raises(PermissionDeniedError):
        services.account_create(
            actor=actor, username="someone", password="Long-pass-2026", unit=dalian["street"], role=Role.STATION_MANAGER
        )
    assert not User.objects.filter(username="someone").exists()


def test_never_to_oneself(dalian, security):
    with pytest.raises(ApplicationError) as error:
        services.membership_grant(actor=security, user=security.user, unit=dalian["zs"], role=Role.SECURITY_ADMIN)
    assert error.value.message == services.GRANT_SELF
    with pytest.raises(ApplicationError) as error:
        services.membership_revoke(actor=security, membership=security.membership)
    assert error.value.message == services.GRANT_SELF
    assert list(security.user.memberships.values_list("role", flat=True)) == [Role.SECURITY_ADMIN]


def test_federation_admin_only_at_a_federation(dalian, security, newcomer):
    for unit in (dalian["zs"], dalian["street"]):
        with pytest.raises(ApplicationError) as error:
            services.membership_grant(actor=security, user=newcomer, unit=unit, role=Role.FEDERATION_ADMIN)
        assert error.value.message == services.GRANT_FEDERATION_ROLE.format(role=Role.FEDERATION_ADMIN.label)
        assert error.value.field == "role"
    assert not Membership.objects.filter(user=newcomer).exists()

    services.membership_grant(actor=security, user=newcomer, unit=dalian["city"], role=Role.FEDERATION_ADMIN)
    assert Membership.objects.filter(user=newcomer, role=Role.FEDERATION_ADMIN).count() == 1


def test_unit_admin_not_at_a_federation(dalian, security, newcomer):
    with pytest.raises(ApplicationError) as error:
        services.membership_grant(actor=security, user=newcomer, unit=dalian["city"], role=Role.UNIT_ADMIN)
    assert error.value.message == services.GRANT_UNIT_ADMIN_AT_FEDERATION
    assert not Membership.objects.filter(user=newcomer).exists()

    services.membership_grant(actor=security, user=newcomer, unit=dalian["zs"], role=Role.UNIT_ADMIN)
    assert Membership.objects.filter(user=newcomer, role=Role.UNIT_ADMIN).count() == 1


@pytest.mark.parametrize("held", sorted(SEPARATED_ROLES))
def test_separated_role_holders_receive_no_other_role(dalian, security, make_user, held):
    user = make_user(held, dalian["city"])
    for wanted in Role:
        if wanted == held:
            continue
        with pytest.raises(ApplicationError) as error:
            services.membership_grant(actor=security, user=user, unit=unit_for(wanted, dalian), role=wanted)
        assert error.value.message == services.GRANT_SEPARATION, (held, wanted)
        assert list(user.memberships.values_list("role", flat=True)) == [held], (held, wanted)

    # The same separated duty at another unit is not a second duty.
    services.membership_grant(actor=security, user=user, unit=dalian["zs"], role=held)
    assert set(user.memberships.values_list("role", flat=True)) == {held}
    assert user.memberships.count() == 2


@pytest.mark.parametrize("held", BUSINESS_ROLES)
def test_business_role_holders_receive_no_separated_role(dalian, security, make_user, held):
    user = make_user(held, unit_for(held, dalian))
    for wanted in sorted(SEPARATED_ROLES):
        with pytest.raises(ApplicationError) as error:
            services.membership_grant(actor=security, user=user, unit=dalian["city"], role=wanted)
        assert error.value.message == services.GRANT_SEPARATION, (held, wanted)
    assert list(user.memberships.values_list("role", flat=True)) == [held]


def test_business_roles_combine(dalian, security, make_user):
    user = make_user(Role.FEDERATION_ADMIN, dalian["city"])
    services.membership_grant(actor=security, user=user, unit=dalian["zs"], role=Role.UNIT_ADMIN)
    services.membership_grant(actor=security, user=user, unit=dalian["city"], role=Role.REVIEWER)
    assert set(user.memberships.values_list("role", flat=True)) == {
        Role.FEDERATION_ADMIN,
        Role.UNIT_ADMIN,
        Role.REVIEWER,
    }


def test_duplicate_is_refused(dalian, security, newcomer):
    services.membership_grant(actor=security, user=newcomer, unit=dalian["zs"], role=Role.REVIEWER)
    with pytest.raises(ApplicationError) as error:
        services.membership_grant(actor=security, user=newcomer, unit=dalian["zs"], role=Role.REVIEWER)
    assert error.value.message == services.GRANT_DUPLICATE
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_unknown_role_is_refused(dalian, security, newcomer):
    with pytest.raises(ApplicationError) as error:
        services.membership_grant(actor=security, user=newcomer, unit=dalian["zs"], role="superuser")
    assert error.value.field == "role"
    assert not Membership.objects.filter(user=newcomer).exists()


def test_unit_out_of_scope_is_not_found(dalian, make_actor, newcomer, make_user):
    actor = make_actor(Role.SECURITY_ADMIN, dalian["zs"])
    with pytest.raises(NotFoundError) as error:
        services.membership_grant(actor=actor, user=newcomer, unit=dalian["xg"], role=Role.UNIT_ADMIN)
    assert error.value.message == OUT_OF_SCOPE_MESSAGE
    with pytest.raises(NotFoundError):
        services.membership_grant(actor=actor, user=newcomer, unit=dalian["city"], role=Role.REVIEWER)
    assert not Membership.objects.filter(user=newcomer).exists()

    other = make_user(Role.UNIT_ADMIN, dalian["xg"]).memberships.get()
    with pytest.raises(NotFoundError):
        services.membership_revoke(actor=actor, membership=other)
    assert Membership.objects.filter(pk=other.pk).exists()

    with pytest.raises(NotFoundError):
        services.account_create(
            actor=actor, username="xg_new", password="Long-pass-2026", unit=dalian["xg"], role=Role.REVIEWER
        )
    assert not User.objects.filter(username="xg_new").exists()


def test_account_create_makes_a_usable_account_with_its_role(dalian, security):
    user = services.account_create(
        actor=security,
        username="qnwq_mgr",
        password="Long-pass-2026",
        unit=dalian["street"],
        role=Role.STATION_MANAGER,
        full_name="张站长",
        phone="13812345678",
    )

    stored = User.objects.get(username="qnwq_mgr")
    assert stored.pk == user.pk
    assert stored.check_password("Long-pass-2026")
    assert not stored.check_password("wrong-pass")
    assert stored.is_active and not stored.is_superuser and not stored.is_staff
    assert (stored.full_name, stored.phone) == ("张站长", "13812345678")
    membership = stored.memberships.get()
    assert (membership.unit_id, membership.role, membership.granted_by) == (
        dalian["street"].pk,
        Role.STATION_MANAGER,
        security.user,
    )
    assert (
        "password"
        not in AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(user.pk), object_type="orgs.user").after
    )


def test_account_create_refuses_a_taken_username(dalian, security, newcomer):
    with pytest.raises(ApplicationError) as error:
        services.account_create(
            actor=security, username="newcomer", password="Long-pass-2026", unit=dalian["zs"], role=Role.REVIEWER
        )
    assert error.value.message == services.USERNAME_TAKEN.format(username="newcomer")
    assert error.value.field == "username"


def test_account_create_refuses_a_bad_phone(dalian, security):
    with pytest.raises(ApplicationError) as error:
        services.account_create(
            actor=security, username="x1", password="Long-pass-2026", unit=dalian["zs"], role=Role.REVIEWER, phone="123"
        )
    assert error.value.field == "phone"
    assert error.value.message == str(PHONE_VALIDATOR.message)
    assert not User.objects.filter(username="x1").exists()


@pytest.mark.parametrize("password", ["short1A", "12345678901", "password123", "x1-account"])
def test_account_create_refuses_a_weak_password(dalian, security, password):
    with pytest.raises(ApplicationError) as error:
        services.account_create(
            actor=security, username="x1-account", password=password, unit=dalian["zs"], role=Role.REVIEWER
        )
    assert error.value.field == "password"
    assert error.value.message
    assert not User.objects.filter(username="x1-account").exists()


def test_account_create_is_all_or_nothing(dalian, security):
    count = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.account_create(
            actor=security, username="x2", password="Long-pass-2026", unit=dalian["city"], role=Role.UNIT_ADMIN
        )
    assert error.value.message == services.GRANT_UNIT_ADMIN_AT_FEDERATION
    assert not User.objects.filter(username="x2").exists()
    assert AuditEntry.objects.count() == count
