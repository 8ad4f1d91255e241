"""The workbooks print (issue 15): every workbook of the demo city, converted to PDF the way an office
suite prints it (LibreOffice headless), shows the text of every cell, and no line of text lies over
another (a row too short for its wrapped text prints its lines over the next row's)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from inspections.models import Case
from projects.models import Project, User
from reports.workbooks import layout

pytestmark = pytest.mark.django_db

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def last_month() -> tuple[dt.date, dt.date]:
    first_of_this = dt.date.today().replace(day=1)
    last = first_of_this - dt.timedelta(days=1)
    return last.replace(day=1), last


def download(tmp_path: Path) -> dict[str, Path]:
    """Every kind of workbook of the demo city, as the city regulator downloads them."""
    from django.test import Client

    call_command("seed_demo", "--workers-per-project", "4", "--days", "40", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(username="city"))
    start, end = last_month()
    case = Case.objects.order_by("pk").first()
    project = Project.objects.filter(status="active").order_by("pk").first()
    urls = {
        "annex1": f"/reports/annex1.xlsx?from={start}&to={end}",
        "annex2": f"/reports/annex2.xlsx?case={case.pk}",
        "manager-presence": f"/reports/manager-presence.xlsx?month={start:%Y-%m}",
        "circular": f"/reports/circular.xlsx?month={start:%Y-%m}",
        "ledger": f"/reports/ledger.xlsx?project={project.permit_no}",
        "wage-ledger": f"/projects/{project.permit_no}/wages/ledger.xlsx",
        "rights-board": f"/projects/{project.permit_no}/board.xlsx",
    }
    files = {}
    for name, url in urls.items():
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.content[:300])
        files[name] = tmp_path / f"{name}.xlsx"
        files[name].write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    return files


def to_pdf(workbooks: dict[str, Path], out: Path) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: make test installs it (scripts/ensure-office.sh)"
    profile = out / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, workbooks.values()),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {name: out / f"{name}.pdf" for name in workbooks}


def cell_texts(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every cell holding text."""
    book = load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value)
        for ws in book.worksheets
        for r in ws.iter_rows()
        for c in r
        if isinstance(c.value, str) and c.value.strip()
    ]


def squeeze(text: str) -> str:
    # Without white space, and without hyphens: pdftotext drops the one a line breaks at (2026-11-|21).
    return re.sub(r"[\s-]+", "", text)


def printed(text: str, pages: list[str]) -> bool:
    """Whether a cell's text is on one printed page, whole and in order: the lines a wrapped cell prints
    come out of the PDF between the pieces of the cells beside it on the same baseline, so it is found
    as consecutive pieces of at least three characters (or what is left), each after the one before."""
    want = squeeze(text)

    def found(page: str, rest: str, at: int, seen: set) -> bool:
        if not rest:
            return True
        if (len(rest), at) in seen:
            return False
        seen.add((len(rest), at))
        piece = min(3, len(rest))
        start = page.find(rest[:piece], at)
        while start >= 0:
            size = piece
            while size < len(rest) and page.startswith(rest[: size + 1], start):
                size += 1
            # The longest piece first, then the shorter ones that leave the rest to the next lines.
            for cut in range(size, piece - 1, -1):
                if found(page, rest[cut:], start + cut, seen):
                    return True
            start = page.find(rest[:piece], start + 1)
        return False

    return any(found(page, want, 0, set()) for page in pages)


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [
        [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in WORD.findall(page)]
        for page in PAGE.findall(boxes)
    ]


def overlaps(page: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of words whose boxes cover each other by more than a quarter of the smaller one."""
    found = []
    ordered = sorted(page, key=lambda w: w[1])
    for i, (x0, y0, x1, y1, text) in enumerate(ordered):
        for a0, b0, a1, b1, other in ordered[i + 1 :]:
            if b0 >= y1:
                break
            width, height = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
            if width <= 0 or height <= 0:
                continue
            smaller = min((x1 - x0) * (y1 - y0), (a1 - a0) * (b1 - b0))
            if width * height > 0.25 * smaller:
                found.append((text, other))
    return found


def test_every_workbook_of_the_demo_city_prints_every_cell_with_no_line_over_another(tmp_path):
    workbooks = download(tmp_path)
    pdfs = to_pdf(workbooks, tmp_path)
    missing, overlapping, short = {}, {}, {}
    for name, pdf in pdfs.items():
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        flat = [squeeze(page) for page in text.split("\f")]
        missing[name] = [
            (sheet, ref, text) for sheet, ref, text in cell_texts(workbooks[name]) if not printed(text, flat)
        ]
        pages = words(pdf)
        assert pages, name
        overlapping[name] = [pair for page in pages for pair in overlaps(page)]
        short[name] = too_short(workbooks[name])
    nothing = {name: [] for name in pdfs}
    assert missing == nothing
    assert overlapping == nothing
    assert short == nothing
    assert len(words(pdfs["annex2"])) == 1  # Annex 2: one sheet of paper per case


def too_short(path: Path) -> list:
    """Rows lower than their wrapped text needs, from the file's heights and widths alone: at least
    1.2 em a line (what any CJK font needs), lines counted with CJK characters double."""
    short = []
    for ws in load_workbook(path).worksheets:
        widths = [ws.column_dimensions[chr(65 + n)].width for n in range(min(ws.max_column, 26))]
        merged = {ref for r in ws.merged_cells.ranges for ref in (r.coord.split(":")[0],)}
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or c.column > len(widths) or c.coordinate in merged:
                    continue
                size = c.font.size or 11
                lines = layout.text_lines(c.value, widths[c.column - 1], size)
                height = ws.row_dimensions[c.row].height or layout.DEFAULT_HEIGHT
                if height < lines * size * 1.2:
                    short.append((ws.title, c.coordinate, height, lines))
    return short


def test_text_lines_counts_cjk_double_and_keeps_latin_words_whole():
    assert layout.text_lines("一二三四五", width=11.5) == 1  # 10 units in a 10-unit column
    assert layout.text_lines("一二三四五六", width=11.5) == 2
    assert layout.text_lines("abcdefghij", width=11.5) == 1
    assert layout.text_lines("一二三四 P0000001", width=11.5) == 2  # the permit number is not split
    assert layout.text_lines("第一行\n第二行\n第三行", width=40) == 3
    assert layout.text_lines("一二三四五", width=11.5, size=22) == 3  # twice the size, half the room
