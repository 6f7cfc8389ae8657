"""Exports in Chinese (issue 16 §6): an assessment sheet per position (xlsx and PDF) and the rating
list of a unit (xlsx). The PDF uses reportlab's built-in CJK font (STSong-Light), as the coverage
export and the position poster do: nothing to ship, any PDF reader shows it."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from yizhan.standards.models import Assessment, AssessmentAnswer, StarRatingRecord

FONT = "STSong-Light"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_HEADERS = ("序号", "分组", "条目", "必备", "检查结果", "是否达标", "说明", "佐证照片")


def _found(answer: AssessmentAnswer) -> str:
    if answer.yes is not None:
        return "是" if answer.yes else "否"
    if answer.number is not None:
        return f"{answer.number} {answer.item.unit_label}".strip()
    return answer.choice


def _heading(assessment: Assessment) -> list[tuple[str, str]]:
    position = assessment.position
    return [
        ("服务阵地", f"{position.display_name}（{position.code}）"),
        ("所属单位", position.unit.name),
        ("地址", position.address),
        ("评估标准", f"{assessment.version.standard.name} 第{assessment.version.number}版"),
        ("评估日期", f"{assessment.assessed_on:%Y-%m-%d}"),
        ("达标率", f"{assessment.met}/{assessment.applicable}（{assessment.compliance * 100:.1f}%）"),
        ("备注", assessment.note or "—"),
    ]


def _rows(answers: list[AssessmentAnswer], photo_counts: dict[int, int]) -> list[tuple]:
    return [
        (
            number,
            a.item.group,
            a.item.text,
            "是" if a.item.required else "否",
            _found(a),
            "达标" if a.met else "不达标",
            a.note,
            photo_counts.get(a.pk, 0),
        )
        for number, a in enumerate(answers, 1)
    ]


def assessment_sheet_xlsx(assessment: Assessment, answers: list[AssessmentAnswer], photo_counts: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "评估表"
    sheet.append(["服务阵地评估表"])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in _heading(assessment):
        sheet.append([label, value])
    sheet.append([])
    sheet.append(list(SHEET_HEADERS))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in _rows(answers, photo_counts):
        sheet.append(list(row))
    for column, width in zip("ABCDEFGH", (6, 12, 50, 6, 14, 10, 30, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=10):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of `text` that fit `width` points in the CJK font (wrapped at any character)."""
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, FONT, size) > width and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line or not lines else lines


def assessment_sheet_pdf(assessment: Assessment, answers: list[AssessmentAnswer], photo_counts: dict) -> bytes:
    """The sheet on A4 pages: the heading, then one block per item (number, text, finding)."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setTitle(f"评估表 {assessment.position.display_name} {assessment.assessed_on:%Y-%m-%d}")
    y = height - 50

    def line(text: str, size: float = 10, indent: float = 40) -> None:
        nonlocal y
        for part in _wrap(text, width - indent - 40, size):
            if y < 50:
                c.showPage()
                y = height - 50
            c.setFont(FONT, size)
            c.drawString(indent, y, part)
            y -= size + 5

    line("服务阵地评估表", 16)
    y -= 6
    for label, value in _heading(assessment):
        line(f"{label}：{value}")
    y -= 8
    for number, group, text, required, found, met, note, photos in _rows(answers, photo_counts):
        line(f"{number}. {('〔' + group + '〕') if group else ''}{text}{'（必备）' if required == '是' else ''}")
        extra = f"；说明：{note}" if note else ""
        extra += f"；佐证照片 {photos} 张" if photos else ""
        line(f"检查结果：{found}，{met}{extra}", 9, 60)
    y -= 10
    line("评估人签字：____________    被评估单位签字：____________", 10)
    c.showPage()
    c.save()
    return buffer.getvalue()


RATING_HEADERS = (
    "阵地编号",
    "站点名称",
    "所属单位",
    "所在区",
    "状态",
    "现有星级",
    "评星日期",
    "最近评定周期",
    "最近评定总分",
    "最近评定结果",
    "须整改",
    "结论",
)


def _stars(value) -> str:
    return f"{value}星" if value else "未评星"


def rating_list_xlsx(unit_name: str, rows: list[tuple[object, StarRatingRecord | None]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "星级评定名单"
    sheet.append([f"{unit_name} 户外劳动者服务站点星级评定名单"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(RATING_HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for station, record in rows:
        sheet.append(
            [
                station.code,
                station.display_name,
                station.unit.name,
                station.region.name if station.region_id else "",
                station.get_state_display(),
                _stars(station.stars),
                f"{station.star_rated_on:%Y-%m-%d}" if station.star_rated_on else "",
                record.period if record else "",
                float(record.total) if record else "",
                _stars(record.stars) if record else "未评定",
                ("是" if record.rectification_required else "否") if record else "",
                record.verdict if record else "",
            ]
        )
    for column, width in zip("ABCDEFGHIJKL", (14, 30, 20, 12, 10, 10, 12, 12, 12, 12, 8, 50), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
