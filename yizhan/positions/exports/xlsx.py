"""The xlsx export: the import template's sheet and columns (`spreadsheet.COLUMNS`, one row per
position by `spreadsheet.position_row`), so an exported file imports back unchanged (issue 3 §6).

This is a staff format for editing and re-import, not a public one: it carries the manager's name
and phone in full for the roles that need them (the admins who edit and re-import) and masked for
everyone else (spec §11). The export is scoped and audited.
"""

from __future__ import annotations

from collections.abc import Iterable

from yizhan.core.exports import xlsx_bytes
from yizhan.core.scoping import Actor
from yizhan.positions.models import Position
from yizhan.positions.spreadsheet import HEADERS, SHEET_TITLE, position_row


def render(positions: Iterable[Position], actor: Actor) -> bytes:
    return xlsx_bytes(SHEET_TITLE, HEADERS, [position_row(position, actor=actor) for position in positions])
