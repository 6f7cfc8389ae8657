"""What the staff list asks of the database beyond plain columns (issue 3: filtered pages of 100,000
positions in ≤ 30 ms on SQLite and PostgreSQL). Migration 0005 creates the database side.

- Facilities as bits: `Position.facility_mask` holds FACILITY_BITS of the position's `facilities`,
  computed by database triggers on every insert and update (services, imports, `bulk_create`, raw
  SQL alike), so "has wifi and a toilet" is an integer test that the list indexes carry.
- Text search: on SQLite an FTS5 table with the trigram tokenizer over the searched columns (kept
  in step by triggers) narrows the rows that the list's LIKE filter then checks; on PostgreSQL
  pg_trgm GIN indexes serve Django's own LIKE lookups as they are.
- The list version: a token that triggers change with every write to positions or units (unit
  paths decide scope), under which list counts are cached (`core.pagination.VersionedCountQuerySet`).

On SQLite, Django rebuilds a table for some schema changes (a new NOT NULL column, for one), and the
rebuild drops the table's triggers: a later migration that rebuilds `positions_position` or
`orgs_unit` must run 0005's trigger statements again (test_list_filters_engine.py fails until then).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

from yizhan.positions.choices import Facility

# Stored in every row: a facility keeps its bit for good; a new facility takes the next free bit
# and needs a migration that replaces the facility triggers and statistics (as 0005 creates them).
FACILITY_BITS: dict[str, int] = {
    Facility.DRINKING_WATER: 1 << 0,
    Facility.MICROWAVE: 1 << 1,
    Facility.TABLES_CHAIRS: 1 << 2,
    Facility.FAN_OR_AC: 1 << 3,
    Facility.MEDICINE_KIT: 1 << 4,
    Facility.POWER_OUTLETS: 1 << 5,
    Facility.WATER_AND_POWER: 1 << 6,
    Facility.TOILET: 1 << 7,
    Facility.REFRIGERATOR: 1 << 8,
    Facility.LOCKERS: 1 << 9,
    Facility.REPAIR_TOOLBOX: 1 << 10,
    Facility.TELEVISION: 1 << 11,
    Facility.WIFI: 1 << 12,
    Facility.READING: 1 << 13,
    Facility.CHARGING: 1 << 14,
}

# The trigram tokenizer indexes every run of three characters: shorter text has none to look up.
TRIGRAM = 3
TEXT_TABLE = "positions_position_text"
VERSION_TABLE = "positions_listversion"


def facility_mask(values: Iterable[str]) -> int:
    """The bits of a list of facility values (what the triggers store in `facility_mask`)."""
    mask = 0
    for value in values:
        mask |= FACILITY_BITS.get(value, 0)
    return mask


def facility_filter(values: Iterable[str]) -> tuple[list[int], list[str]]:
    """The list's facility filter as (the bits every position must have, the values that name no
    facility).

    The filter used to be a case-insensitive containment test of `"value"` in the JSON text, so
    `WIFI` found wifi; an ASCII value equal to a facility's but for case keeps doing so. Anything
    else is returned for that same text test, which finds nothing in lists the services wrote."""
    bits, others = [], []
    for value in values:
        bit = FACILITY_BITS.get(value.lower()) if value.isascii() else None
        if bit is None:
            others.append(value)
        elif bit not in bits:
            bits.append(bit)
    return bits, others


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def text_candidates(text: str, *, using: str) -> Q | None:
    """The positions whose searched columns may hold `text`, from the SQLite trigram index; None
    when the index cannot answer (PostgreSQL, whose indexes serve the filter itself, or text under
    three characters). A superset of what the list's filter keeps: the index folds case for every
    script, LIKE for ASCII only; the filter then decides on these rows alone."""
    if connections[using].vendor != "sqlite" or len(text) < TRIGRAM:
        return None
    # Name, short name, address and code are matched without regard to case; the initials are
    # matched against the lower-cased text, as the filter does.
    match = f"{{official_name short_name address code}} : {_phrase(text)} OR search_initials : {_phrase(text.lower())}"
    # A constant table name; the text goes in as a parameter.
    sql = f"SELECT rowid FROM {TEXT_TABLE} WHERE {TEXT_TABLE} MATCH %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, [match]))  # noqa: S611


def list_version(*, using: str) -> int | None:
    """The token the triggers change with every write to positions or units, or None when counts
    must not be cached: inside a transaction (its own writes may not show in the token yet, and it
    may roll back) or when the token row is missing."""
    connection = connections[using]
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {VERSION_TABLE} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None
