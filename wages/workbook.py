"""The wage sheet workbook (工资支付表导入模板): the published template, and the reading of a filled one.

A workbook is read as data only: a formula, a column that is not the template's, a row past the limit or a
file that is not a workbook is refused with the cell or row and the reason, and nothing is imported (the
lines then go through `wage_sheet_prepare`, which checks each one and writes all or none).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from wages.services import LineInput

# The template's columns: header, the line's field; their order is the template's.
COLUMNS = (
    ("身份证号", "id_number"),
    ("姓名", "name"),
    ("应发金额（元）", "due"),
    ("实发金额（元）", "paid"),
    ("发放日期", "paid_on"),
    ("银行卡号", "card"),
    ("是否通过工资专用账户发放", "through_special_account"),
)
MAX_LINES = 5000
YES, NO = ("是", "Y", "y", "yes", "1", "true", "TRUE"), ("否", "N", "n", "no", "0", "false", "FALSE")


def template() -> bytes:
    """The template: the header row, text-formatted number columns (an ID or card number typed into a
    number cell would lose its last digits), A4 landscape with the header repeated on every page."""
    book = Workbook()
    sheet = book.active
    sheet.title = "工资支付表"
    sheet.append([header for header, _field in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (22, 10, 14, 14, 12, 24, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    for letter in ("A", "F"):
        for row in range(2, 202):
            sheet[f"{letter}{row}"].number_format = "@"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell_text(value: Any) -> str:
    """A cell (or CSV field) as text: empty for nothing, a whole number without its ".0", a fraction with
    its decimal digits as written (openpyxl gives numbers as floats)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        value = Decimal(str(value))
    return str(value).strip()


def cell_date(value: Any, row: int) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(cell_text(value).replace("/", "-"))
    except ValueError:
        raise ValueError(
            _("row %(row)d: “%(value)s” is not a date (YYYY-MM-DD).") % {"row": row, "value": value}
        ) from None


def _amount(value: Any) -> str:
    if isinstance(value, int | float):
        return str(Decimal(str(value)))
    return cell_text(value)


def lines_from(upload: IO[bytes]) -> list[LineInput]:
    """The lines of a filled template; raises ValidationError({"file": [...]}) naming every bad cell or row."""
    try:
        book = load_workbook(upload, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError({"file": [_("The file is not an Excel workbook (.xlsx).")]}) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows()
    header = [cell_text(cell.value) for cell in next(rows, ())]
    expected = [name for name, _field in COLUMNS]
    if header[: len(expected)] != expected:
        raise ValidationError(
            {
                "file": [
                    _("The first row is not the template's: expected %(columns)s.") % {"columns": "、".join(expected)}
                ]
            }
        )
    errors: list[str] = []
    lines: list[LineInput] = []
    for number, cells in enumerate(rows, start=2):
        values = [cell.value for cell in cells[: len(COLUMNS)]]
        if all(v in (None, "") for v in values):
            continue
        if len(lines) >= MAX_LINES:
            raise ValidationError({"file": [_("A sheet has at most %(n)d lines.") % {"n": MAX_LINES}]})
        formulas = [cell.coordinate for cell in cells if getattr(cell, "data_type", "") == "f"]
        if formulas:
            errors.append(
                _("row %(row)d: %(cells)s hold a formula; enter values.")
                % {"row": number, "cells": "、".join(formulas)}
            )
            continue
        values += [None] * (len(COLUMNS) - len(values))
        fields = dict(zip((field for _header, field in COLUMNS), values, strict=True))
        through = cell_text(fields["through_special_account"]) or "是"
        if through not in YES + NO:
            errors.append(_("row %(row)d: answer 是 or 否 in the last column.") % {"row": number})
            continue
        try:
            paid_on = cell_date(fields["paid_on"], number)
        except ValueError as error:
            errors.append(str(error))
            continue
        lines.append(
            LineInput(
                id_number=cell_text(fields["id_number"]),
                name=cell_text(fields["name"]),
                due=_amount(fields["due"]),
                paid=_amount(fields["paid"]) or "0",
                paid_on=paid_on,
                card=cell_text(fields["card"]),
                through_special_account=through in YES,
                row=number,
            )
        )
    book.close()
    if errors:
        raise ValidationError({"file": errors})
    if not lines:
        raise ValidationError({"file": [_("The workbook has no lines.")]})
    return lines
