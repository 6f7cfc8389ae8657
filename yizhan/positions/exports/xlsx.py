"""The xlsx export: the import template's sheet and columns (`spreadsheet.COLUMNS`, one row per
position by `spreadsheet.position_row`), so an exported file imports back unchanged (issue 3 §6).

This is a staff format for editing and re-import, not a public one: like the template it carries the
manager's name and phone. The export is scoped and audited (spec §11).
"""

from __future__ import annotations

from collections.abc import Iterable

from yizhan.core.exports import xlsx_bytes
from yizhan.positions.models import Position
from yizhan.positions.spreadsheet import HEADERS, SHEET_TITLE, position_row


def render(positions: Iterable[Position]) -> bytes:
    return xlsx_bytes(SHEET_TITLE, HEADERS, [position_row(position) for position in positions])
