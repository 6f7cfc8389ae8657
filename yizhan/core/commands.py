"""What management commands that act for a person share: `--as USERNAME` resolved to an actor, and
the refusals and report of an all-or-nothing file import."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError
from yizhan.core.scoping import Actor

NO_SUCH_USER = "找不到用户：{username}"
NO_ROLE = "用户 {username} 没有任何单位角色"
FILE_NOT_FOUND = "找不到文件：{file}"


@contextmanager
def acting_as(username: str) -> Iterator[Actor]:
    """The active user `username` in their first membership, as the actor of a command, inside an
    audit context that names the command line (their scope and permissions apply as on the pages).
    CommandError, in Chinese, for an unknown or inactive user or one with no role."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(NO_SUCH_USER.format(username=username))
    membership = user.memberships.select_related("unit").order_by("pk").first()
    if membership is None:
        raise CommandError(NO_ROLE.format(username=username))
    with audit_context(
        actor_id=user.pk,
        actor_name=f"命令行:{user.get_username()}",
        unit_path=membership.unit.path,
        unit_name=membership.unit.name,
    ):
        yield Actor(user=user, membership=membership)


@contextmanager
def import_refusals(file) -> Iterator[None]:
    """An import's refusal as the command's CommandError, in Chinese: the file is missing, or the
    import refused it or the actor (ApplicationError)."""
    try:
        yield
    except FileNotFoundError as error:
        raise CommandError(FILE_NOT_FOUND.format(file=file)) from error
    except ApplicationError as error:
        raise CommandError(error.message) from error


def import_report(command: BaseCommand, result, *, warnings: Iterable[str] = ()) -> None:
    """Every row's error, then every warning, on stderr; the import's summary on stdout, or as the
    CommandError when any row was refused (and nothing written)."""
    for problem in result.errors:
        command.stderr.write(str(problem))
    for warning in warnings:
        command.stderr.write(warning)
    if not result.ok:
        raise CommandError(result.summary())
    command.stdout.write(command.style.SUCCESS(result.summary()))
