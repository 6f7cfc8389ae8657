"""The xlsx export: the import template's sheet and columns (`spreadsheet.COLUMNS`, one row per
position by `spreadsheet.position_row`), so an exported file imports back unchanged (issue 3 §6).

This is a staff format for editing and re-import, not a public one: the manager's name and phone
are masked as on every staff page, or in full when an admin asked for them (`full_personal_data`,
checked and audited by `position_export`; spec §11).
"""

from __future__ import annotations

from collections.abc import Iterable

from yizhan.core.exports import xlsx_bytes
from yizhan.core.scoping import Actor
from yizhan.positions.models import Position
from yizhan.positions.spreadsheet import HEADERS, SHEET_TITLE, position_row


def render(positions: Iterable[Position], actor: Actor, full_personal_data: bool) -> bytes:
    rows = [position_row(p, actor=actor, full_personal_data=full_personal_data) for p in positions]
    return xlsx_bytes(SHEET_TITLE, HEADERS, rows)
