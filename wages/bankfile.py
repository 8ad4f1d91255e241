"""The bank's payment-result file (银行代发结果): a CSV (UTF-8 or GBK, as banks' systems export) or an
Excel workbook with the columns 账号, 户名, 金额, 状态 (成功/失败), 日期. Read as data only; a row that
cannot be read is named with its number and nothing is recorded."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from wages.services import BankRow
from wages.workbook import cell_date, cell_text

COLUMNS = ("账号", "户名", "金额", "状态", "日期")
SUCCEEDED, FAILED = ("成功", "已成功", "交易成功", "success"), ("失败", "交易失败", "退票", "failed")
MAX_ROWS = 5000


def _rows(upload: IO[bytes], name: str) -> list[list[Any]]:
    content = upload.read()
    if name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError({"file": [_("The CSV file is neither UTF-8 nor GBK.")]})
        return [list(row) for row in csv.reader(io.StringIO(text))]
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError({"file": [_("The file is neither a CSV file nor an Excel workbook (.xlsx).")]}) from None
    rows = []
    for cells in book.worksheets[0].iter_rows():
        if any(getattr(cell, "data_type", "") == "f" for cell in cells):
            raise ValidationError(
                {"file": [_("row %(row)d: a cell holds a formula; enter values.") % {"row": len(rows) + 1}]}
            )
        rows.append([cell.value for cell in cells])
        if len(rows) > MAX_ROWS + 1:
            break
    book.close()
    return rows


def bank_rows_from(upload: IO[bytes], name: str) -> list[BankRow]:
    rows = _rows(upload, name)
    header = [cell_text(v) for v in (rows[0] if rows else [])]
    if header[: len(COLUMNS)] != list(COLUMNS):
        raise ValidationError(
            {
                "file": [
                    _("The first row is not the template's: expected %(columns)s.") % {"columns": "、".join(COLUMNS)}
                ]
            }
        )
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError({"file": [_("A file has at most %(n)d rows.") % {"n": MAX_ROWS}]})
    errors, found = [], []
    for number, values in enumerate(rows[1:], start=2):
        values = (list(values) + [None] * len(COLUMNS))[: len(COLUMNS)]
        if all(cell_text(v) == "" for v in values):
            continue
        card, holder, amount, state, day = values
        if cell_text(state) not in SUCCEEDED + FAILED:
            errors.append(
                _("row %(row)d: the status is 成功 or 失败, not “%(value)s”.") % {"row": number, "value": state}
            )
            continue
        try:
            paid_on = cell_date(day, number)
        except ValueError as error:
            errors.append(str(error))
            continue
        found.append(
            BankRow(
                number, cell_text(card), cell_text(holder), cell_text(amount), cell_text(state) in SUCCEEDED, paid_on
            )
        )
    if errors:
        raise ValidationError({"file": errors})
    return found
