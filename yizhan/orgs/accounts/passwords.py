"""Password rules and the services that set a password (issue 5 §1, GB/T 22239-2019 8.1.4.1).

The rules are Django password validators listed in `AUTH_PASSWORD_VALIDATORS` (settings, one
place with their numbers), so every path that sets a password runs them: account opening
(`services.account_create`, `services.system_account_create`), the user's own change
(`password_change`) and the security admin's reset (`account_password_reset`).

A password set before the rules were tightened (8 characters until issue 13 made it 12, OWASP ASVS
4.0 2.1.1) is caught at the next login, the one moment its plain text is known: the account must
change it before anything else (`password_policy_check_at_login`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require
from yizhan.orgs.accounts.events import AuthEvent, auth_event_record
from yizhan.orgs.models import Membership, PasswordHistory, User

COMPLEXITY_MESSAGE = _(
    "密码至少 {min_length} 个字符，且须包含大写字母、小写字母、数字、符号这四类中的至少 {min_classes} 类"
)
HISTORY_MESSAGE = _("新密码不能与最近 {remember} 次使用过的密码相同")
OLD_PASSWORD_WRONG = _("原密码不正确")
RESET_OWN_PASSWORD = _("不能重置自己的密码，请在“修改密码”页修改")


def character_classes(password: str) -> int:
    """How many of the four classes `password` uses: upper-case letters A–Z, lower-case letters a–z,
    digits 0–9, and symbols — every other character (punctuation, spaces, Chinese characters)."""
    classes = set()
    for char in password:
        if "A" <= char <= "Z":
            classes.add("upper")
        elif "a" <= char <= "z":
            classes.add("lower")
        elif "0" <= char <= "9":
            classes.add("digit")
        else:
            classes.add("symbol")
    return len(classes)


class ComplexityValidator:
    """At least `min_length` characters and `min_classes` of the four character classes."""

    def __init__(self, min_length: int = 12, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length or character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return COMPLEXITY_MESSAGE.format(min_length=self.min_length, min_classes=self.min_classes)


def recent_password_hashes(user: User, remember: int) -> list[str]:
    """The hashes of the account's last `remember` passwords, the current one first."""
    hashes = [user.password] if user.password else []
    for stored in PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:remember]:
        if stored not in hashes:
            hashes.append(stored)
    return hashes[:remember]


class HistoryValidator:
    """Not one of the account's last `remember` passwords. Django calls `password_changed` after
    every save of a new password, which is where the history is kept (hashes only)."""

    def __init__(self, remember: int = 5):
        self.remember = remember

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in recent_password_hashes(user, self.remember)):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.remember :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return HISTORY_MESSAGE.format(remember=self.remember)


def password_set_checked(*, user: User, password: str) -> None:
    """Run every configured validator, then hash `password` onto `user` (not saved): the one way
    Yizhan sets a password. Refusals become one ApplicationError on the `password` field."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError("；".join(error.messages), field="password") from error
    user.set_password(password)


def password_policy_problems(*, user: User, password: str) -> list[str]:
    """What the current rules refuse in `password` (empty: it meets them). Every configured
    validator but the history, which is about choosing a new password, not about its strength."""
    validators = [v for v in get_default_password_validators() if not isinstance(v, HistoryValidator)]
    try:
        validate_password(password, user, password_validators=validators)
    except ValidationError as error:
        return list(error.messages)
    return []


@transaction.atomic
def password_policy_check_at_login(*, user: User, password: str) -> bool:
    """At a login with the right `password`: whether it falls short of the current rules, and if so
    the account must change it before anything else (`must_change_password`, as after a reset; set
    and audited once, on `user` itself so that the login's own save keeps it)."""
    if not password_policy_problems(user=user, password=password):
        return False
    if not user.must_change_password:
        user.must_change_password = True
        with audit_context(actor_id=user.pk, actor_name=user.get_username()):
            user.save(update_fields=["must_change_password"])
            auth_event_record(event=AuthEvent.PASSWORD_OUTDATED, user=user)
    return True


def require_account_in_scope(*, actor: Actor, user: User, own_message: str) -> None:
    """The security admin may manage `user`'s credentials: never their own (`own_message`), and only
    an account whose every role lies in their scope (an account of another federation stays
    invisible: 404)."""
    require(actor, Action.CREATE, Membership)
    if user.pk == actor.user.pk:
        raise ApplicationError(own_message)
    held = Membership.objects.filter(user=user)
    if not held.exists() or held.exclude(pk__in=Membership.objects.restrict(actor)).exists():
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The user replaces their own password (the old one must be right) and so ends a forced
    change. Audited; the caller keeps the session alive with `update_session_auth_hash`."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ApplicationError(OLD_PASSWORD_WRONG, field="old_password")
    forced = user.must_change_password
    password_set_checked(user=user, password=new_password)
    user.must_change_password = False
    user.save()
    auth_event_record(event=AuthEvent.PASSWORD_CHANGED, user=user, forced=forced)
    return user


@transaction.atomic
def account_password_reset(*, actor: Actor, user: User, password: str) -> User:
    """The security admin gives an account a new password, which its holder must change at the
    next login. Only for accounts whose every role lies in the admin's scope, never their own."""
    require_account_in_scope(actor=actor, user=user, own_message=RESET_OWN_PASSWORD)
    user = User.objects.select_for_update().get(pk=user.pk)
    password_set_checked(user=user, password=password)
    user.must_change_password = True
    user.save()
    auth_event_record(event=AuthEvent.PASSWORD_RESET, user=user)
    return user
