"""Reads of the published registry (issue 20 §1–§2): what the public, or one partner within its
allowed subtree, may see. Every read first brings the publication up to date (`refresh`, one read
of the kernel feed when nothing changed), so an answer is never older than the last commit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor
from yizhan.publishing.models import ApiKey, ApiKeyUsage, MapMarking, Partner, PublicationHead, PublishedPosition
from yizhan.publishing.publication import refresh


@dataclass(frozen=True)
class Reader:
    """Who reads: the public (subtree None) or a partner limited to a unit subtree's path."""

    subtree: str | None = None
    key_id: int | None = None

    @property
    def tag(self) -> str:
        return f"k{self.key_id}:{self.subtree}" if self.key_id else "public"


PUBLIC = Reader()


def publication_head() -> PublicationHead:
    """The head after bringing the publication up to date."""
    return refresh()


def public_rows(reader: Reader) -> QuerySet[PublishedPosition]:
    """The public rows the reader may see."""
    rows = PublishedPosition.objects.filter(public=True)
    if reader.subtree is not None:
        rows = rows.filter(unit_path__startswith=reader.subtree)
    return rows


def service_list(
    reader: Reader, *, search: str = "", modified_after: datetime | None = None, organization_id: str = ""
) -> QuerySet[PublishedPosition]:
    rows = public_rows(reader)
    if search:
        rows = rows.filter(search_text__contains=search.lower())
    if modified_after is not None:
        rows = rows.filter(modified_at__gte=modified_after)
    if organization_id:
        rows = rows.filter(organization_id=organization_id)
    return rows.order_by("position_id")


def service_get(reader: Reader, service_id: str) -> PublishedPosition | None:
    return public_rows(reader).filter(service_id=service_id).first()


FEED_FIELDS = ("seq", "service_id", "former_service_id", "public", "unit_path", "record", "modified_at")


def feed_rows(reader: Reader, *, after: int) -> QuerySet:
    """Rows numbered after `after` that concern the reader: the public see every row (tombstones
    included); a partner the rows of its subtree now or before (a position moved out of it is
    its tombstone)."""
    rows = PublishedPosition.objects.filter(seq__gt=after)
    if reader.subtree is not None:
        rows = rows.filter(Q(unit_path__startswith=reader.subtree) | Q(former_unit_path__startswith=reader.subtree))
    # Named tuples, not model instances: building a thousand instances was a third of a page's
    # time (bench/publishing_feed.py); the fields read have the same names.
    return rows.order_by("seq").values_list(*FEED_FIELDS, named=True)


def visible_in_feed(reader: Reader, row: PublishedPosition) -> bool:
    """Whether a feed row is published to the reader in full (otherwise: its tombstone)."""
    return row.public and (reader.subtree is None or row.unit_path.startswith(reader.subtree))


def organization_list(reader: Reader, *, modified_after: datetime | None = None) -> list[dict]:
    """The HSDS organizations (units) owning the public positions the reader may see, in the
    order of their ids; with `modified_after`, those with a position published since."""
    rows = public_rows(reader)
    if modified_after is not None:
        rows = rows.filter(modified_at__gte=modified_after)
    first = rows.values("organization_id").annotate(first=Min("position_id")).order_by("organization_id")
    records = dict(
        PublishedPosition.objects.filter(position_id__in=[f["first"] for f in first]).values_list(
            "organization_id", "record"
        )
    )
    return [json.loads(records[key])["organization"] for key in sorted(records)]


# ------------------------------------------------------------------ partners (staff)


def partner_list(*, actor: Actor) -> QuerySet[Partner]:
    """The partners registered within the actor's reach."""
    return Partner.objects.restrict(actor, Action.VIEW).select_related("unit").order_by("name", "pk")


def partner_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Partner:
    return get_for_actor(Partner.objects.select_related("unit"), actor, action, pk=pk)


def api_key_list(*, actor: Actor, partner: Partner) -> QuerySet[ApiKey]:
    return ApiKey.objects.restrict(actor, Action.VIEW).filter(partner=partner).order_by("-issued_at", "-pk")


def api_key_get(*, actor: Actor, partner: Partner, pk: int, action: str = Action.VIEW) -> ApiKey:
    return get_for_actor(ApiKey.objects.select_related("partner"), actor, action, partner=partner, pk=pk)


def partner_usage(*, actor: Actor, partner: Partner, days: int = 30) -> list[dict]:
    """Requests per day and key over the last `days` days, newest first."""
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = (
        ApiKeyUsage.objects.restrict(actor, Action.VIEW)
        .filter(key__partner=partner, day__gte=since)
        .select_related("key")
        .order_by("-day", "key__prefix")
    )
    return [
        {"day": r.day, "key": r.key.prefix, "requests": r.requests, "refused": r.refused, "last_at": r.last_at}
        for r in rows
    ]


def map_marking_list(*, actor: Actor, unit=None) -> QuerySet[MapMarking]:
    """Markings within the actor's reach (of `unit` when given), newest first."""
    markings = MapMarking.objects.restrict(actor, Action.VIEW).select_related("unit")
    if unit is not None:
        markings = markings.filter(unit=unit)
    return markings.order_by("-marked_at", "-pk")
