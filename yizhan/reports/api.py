"""/api/v1/reports: the annual report of a unit of the reader's subtree and a year, as data (the
same sections as the page, the PDF and the Word file)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from yizhan.reports import selectors

router = Router(tags=["reports"])


class ErrorOut(Schema):
    detail: str


class TableOut(Schema):
    caption: str
    headers: list[str]
    rows: list[list[str]]


class SectionOut(Schema):
    name: str
    title: str
    paragraphs: list[str]
    tables: list[TableOut]


class ReportOut(Schema):
    unit_id: int
    unit_name: str
    year: int
    title: str
    sections: list[SectionOut]


class ReportFilters(Schema):
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1, description="单位（默认本单位）")
    year: int | None = Field(None, ge=1900, le=2200, description="年度（默认今年）")


def _str(value) -> str:
    return "" if value is None else str(value)


@router.get("/annual", response={200: ReportOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="年度报告")
def annual_report(request, filters: Query[ReportFilters]):
    unit = selectors.report_unit(actor=request.actor, unit_id=filters.unit_id)
    year = filters.year or timezone.localdate().year
    report = selectors.annual_report(actor=request.actor, unit=unit, year=year)
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "year": year,
        "title": report.title,
        "sections": [
            {
                "name": name,
                "title": _str(section.title),
                "paragraphs": [_str(p) for p in section.paragraphs],
                "tables": [
                    {
                        "caption": _str(t.caption),
                        "headers": [_str(h) for h in t.headers],
                        "rows": [[_str(v) for v in row] for row in t.rows],
                    }
                    for t in section.tables
                ],
            }
            for name, section in report.sections
        ],
    }
