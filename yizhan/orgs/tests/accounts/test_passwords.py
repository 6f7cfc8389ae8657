"""Password rules (issue 5 §1): Argon2 hashes, complexity (at least 12 characters since issue 13,
OWASP ASVS 4.0 2.1.1, and character classes), history of five, the same validators on every path
that sets a password, Chinese messages."""

import string

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.orgs import services
from yizhan.orgs.accounts import passwords
from yizhan.orgs.accounts.passwords import COMPLEXITY_MESSAGE, HISTORY_MESSAGE, ComplexityValidator, HistoryValidator
from yizhan.orgs.models import PasswordHistory, User

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def security(dalian, make_actor):
    return make_actor(Role.SECURITY_ADMIN, dalian["city"])


def model_classes(password: str) -> int:
    """A second, plain statement of the four classes."""
    groups = (string.ascii_uppercase, string.ascii_lowercase, string.digits)
    used = {i for i, group in enumerate(groups) for char in password if char in group}
    if any(not any(char in group for group in groups) for char in password):
        used.add("symbol")
    return len(used)


def test_the_production_hasher_is_argon2_and_a_new_password_is_stored_as_argon2(dalian, security, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS  # the suite's fast MD5 hasher, undone for this test
    user = services.account_create(
        actor=security, username="hashed", password="Long-pass-2026", unit=dalian["zs"], role=Role.REVIEWER
    )
    stored = User.objects.get(pk=user.pk)
    assert stored.password.startswith("argon2$argon2id$")
    assert stored.check_password("Long-pass-2026")


def test_argon2_is_first_in_the_settings_module():
    from yizhan import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=18))
def test_complexity_matches_a_plain_model(password):
    accepted = len(password) >= 12 and model_classes(password) >= 3
    validator = ComplexityValidator(min_length=12, min_classes=3)
    try:
        validator.validate(password)
    except ValidationError as error:
        assert not accepted, password
        assert error.messages == [str(COMPLEXITY_MESSAGE.format(min_length=12, min_classes=3))]
    else:
        assert accepted, password


@given(
    st.lists(st.sampled_from(["A", "z", "7", "-", "驿", " "]), min_size=0, max_size=16).map("".join),
)
def test_complexity_on_passwords_near_the_edges(password):
    accepted = len(password) >= 12 and model_classes(password) >= 3
    validator = ComplexityValidator()
    try:
        validator.validate(password)
    except ValidationError:
        assert not accepted, password
    else:
        assert accepted, password


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Yizhan-demo-2026", True),  # the demo password stays valid
        ("abcdEFGH", False),  # two classes
        ("abcdEFGHijkl", False),  # two classes, long enough
        ("Qwnv-Ksla7", False),  # four classes, 10 characters
        ("Qwnv-Ksla7-t", True),  # four classes, 12 characters
        ("abc-1234", False),  # three classes, 8 characters
        ("abcd-1234567", True),  # lower, symbol, digit; 12 characters
        ("Ab1-", False),  # four classes, too short
        ("ABCDEFGH1", False),
        ("Abcdef-1234", False),  # four classes, 11 characters
        ("Abcdef-12345", True),  # four classes, 12 characters
    ],
)
def test_complexity_examples_through_the_configured_validators(password, ok):
    if ok:
        validate_password(password, User(username="someone"))
    else:
        with pytest.raises(ValidationError) as error:
            validate_password(password, User(username="someone"))
        assert str(COMPLEXITY_MESSAGE.format(min_length=12, min_classes=3)) in error.value.messages


@given(st.text(alphabet="Aa1-驿", min_size=8, max_size=16))
def test_the_configured_rules_need_twelve_characters(filler):
    """Three classes guaranteed: the configured validators accept exactly from 12 characters on."""
    password = ("Aa1" + filler)[: len(filler)]
    try:
        validate_password(password, User(username="someone"))
    except ValidationError as error:
        assert len(password) < 12, password
        assert error.messages == [str(COMPLEXITY_MESSAGE.format(min_length=12, min_classes=3))]
    else:
        assert len(password) >= 12, password


def test_the_rules_are_configured_in_settings_with_their_numbers():
    options = {v["NAME"].rsplit(".", 1)[1]: v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert options["ComplexityValidator"] == {"min_length": 12, "min_classes": 3}
    assert options["HistoryValidator"] == {"remember": 5}


def test_messages_are_chinese(dalian, security):
    with pytest.raises(ApplicationError) as error:
        services.account_create(
            actor=security, username="weak", password="abcdefgh", unit=dalian["zs"], role=Role.REVIEWER
        )
    assert "密码至少 12 个字符" in error.value.message and error.value.field == "password"


def change(user, old, new):
    return passwords.password_change(user=user, old_password=old, new_password=new)


def test_none_of_the_last_five_passwords_may_come_back(dalian):
    user = services.system_account_create(
        username="changer", password="Test-pass-2026", unit=dalian["zs"], role=Role.UNIT_ADMIN
    )
    sequence = ["Test-pass-2026", "Second-pass-1", "Third-pass-1", "Fourth-pass-1", "Fifth-pass-1"]
    for old, new in zip(sequence, sequence[1:], strict=False):
        change(user, old, new)
    current = sequence[-1]
    for reused in sequence:  # the current password and the four before it
        with pytest.raises(ApplicationError) as error:
            change(user, current, reused)
        assert error.value.message == HISTORY_MESSAGE.format(remember=5)
    change(user, current, "Sixth-pass-1")
    # "Test-pass-2026" is now the sixth password back: allowed again.
    change(user, "Sixth-pass-1", "Test-pass-2026")
    assert User.objects.get(pk=user.pk).check_password("Test-pass-2026")
    assert PasswordHistory.objects.filter(user=user).count() == 5  # only the last five hashes are kept


def test_history_applies_to_a_reset_by_the_security_admin(make_user, dalian, security):
    user = make_user(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(ApplicationError) as error:
        passwords.account_password_reset(actor=security, user=user, password="Test-pass-2026")
    assert error.value.message == HISTORY_MESSAGE.format(remember=5)


def test_history_validator_ignores_an_account_not_saved_yet():
    HistoryValidator().validate("Anything-1", User(username="new"))


def test_change_needs_the_old_password_and_is_audited(make_user, dalian):
    user = make_user(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(ApplicationError) as error:
        change(user, "wrong-old", "Brand-new-2026")
    assert (error.value.message, error.value.field) == (passwords.OLD_PASSWORD_WRONG, "old_password")
    change(user, "Test-pass-2026", "Brand-new-2026")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_id, entry.after["event"]) == (
        AuditAction.UPDATE,
        str(user.pk),
        "password_changed",
    )
    assert "Brand-new" not in str(entry.after)


def test_reset_forces_a_change_and_is_audited(make_user, dalian, security):
    user = make_user(Role.UNIT_ADMIN, dalian["zs"])
    passwords.account_password_reset(actor=security, user=user, password="Reset-pass-2026")
    stored = User.objects.get(pk=user.pk)
    assert stored.must_change_password and stored.check_password("Reset-pass-2026")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_id, entry.after["event"]) == (AuditAction.UPDATE, str(user.pk), "password_reset")


def test_reset_refuses_own_account_other_federations_and_other_roles(make_user, make_unit, dalian, security):
    with pytest.raises(ApplicationError) as error:
        passwords.account_password_reset(actor=security, user=security.user, password="Reset-pass-2026")
    assert error.value.message == passwords.RESET_OWN_PASSWORD

    from yizhan.orgs.choices import UnitType

    elsewhere = make_user(Role.UNIT_ADMIN, make_unit(UnitType.CITY_FEDERATION))
    with pytest.raises(NotFoundError) as error:
        passwords.account_password_reset(actor=security, user=elsewhere, password="Reset-pass-2026")
    assert error.value.message == OUT_OF_SCOPE_MESSAGE

    admin = make_user(Role.FEDERATION_ADMIN, dalian["city"])
    from yizhan.orgs.selectors import actor_for_user

    with pytest.raises(ApplicationError):
        passwords.account_password_reset(
            actor=actor_for_user(admin), user=make_user(Role.REVIEWER, dalian["zs"]), password="Reset-pass-2026"
        )


def test_account_opening_forces_a_change_but_the_command_line_bootstrap_does_not(dalian, security):
    opened = services.account_create(
        actor=security, username="opened", password="Long-pass-2026", unit=dalian["zs"], role=Role.REVIEWER
    )
    assert User.objects.get(pk=opened.pk).must_change_password
    booted = services.system_account_create(
        username="booted", password="Long-pass-2026", unit=dalian["city"], role=Role.SYSTEM_ADMIN
    )
    assert not User.objects.get(pk=booted.pk).must_change_password


def test_the_command_line_bootstrap_runs_the_password_rules_too(dalian):
    with pytest.raises(ApplicationError) as error:
        services.system_account_create(username="booted", password="password", unit=dalian["city"], role=Role.AUDITOR)
    assert error.value.field == "password"
    assert not User.objects.filter(username="booted").exists()
