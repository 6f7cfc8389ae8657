"""Fixtures of the set-up imports: Zhengzhou's areas and federation, workbooks written in tests."""

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from yizhan.core.roles import Role
from yizhan.orgs.imports.regions import region_import_adcode
from yizhan.orgs.services import federation_setup


@pytest.fixture
def zhengzhou(db):
    """郑州市总工会 with its 13 areas and first security admin (no other unit yet)."""
    region_import_adcode("410100")
    return federation_setup(code="ZZ", name="郑州市总工会", adcode="410100", security_admin="zz_security").unit


@pytest.fixture
def zz_admin(zhengzhou, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, zhengzhou)


def workbook(headers: list[str], rows: list[list], *, title: str = "Sheet") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes, title: str | None = None) -> list[tuple]:
    book = load_workbook(BytesIO(data))
    sheet = book[title] if title else book.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]
