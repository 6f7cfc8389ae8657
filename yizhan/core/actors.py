"""Who acts in a request. Accounts and memberships belong to `orgs`, which registers here at
start-up how a request's actor is found and which memberships a user may switch to; the kernel's
middleware and page header ask through these functions and import no domain app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NOT_REGISTERED = "no actor resolver is registered (the accounts app registers one in its AppConfig.ready)"


@dataclass(frozen=True)
class _Resolvers:
    actor_for_request: Callable[[Any], Any]
    membership_choices: Callable[..., list]


_registered: _Resolvers | None = None


def register_actor_resolvers(
    *, actor_for_request: Callable[[Any], Any], membership_choices: Callable[..., list]
) -> None:
    """Called once by the app that owns accounts: `actor_for_request(request)` returns the
    request's `scoping.Actor`; `membership_choices(user=…)` the memberships it may act for."""
    global _registered
    _registered = _Resolvers(actor_for_request, membership_choices)


def _resolvers() -> _Resolvers:
    if _registered is None:
        raise RuntimeError(NOT_REGISTERED)
    return _registered


def actor_for_request(request):
    """The actor of a request (a `scoping.Actor`; its membership is None for anonymous users)."""
    return _resolvers().actor_for_request(request)


def membership_choices(*, user) -> list:
    """The memberships `user` may switch to, for the page header."""
    return _resolvers().membership_choices(user=user)
