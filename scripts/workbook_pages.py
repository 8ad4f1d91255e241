"""The first printed page of each workbook of the demo city as a PNG in docs/screenshots/ (linked from
docs/guide.md): downloaded as the city regulator from a running platform (make run), printed to PDF by
LibreOffice headless as an office suite prints it, the first page rendered by poppler's pdftoppm.

    make run              # in one terminal
    make workbook-pages   # in another
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

BASE = os.environ.get("SMZ_BASE_URL", "http://127.0.0.1:8000")
OUT = Path(os.environ.get("SMZ_SCREENSHOTS", "docs/screenshots"))
PASSWORD = os.environ.get("SMZ_DEMO_PASSWORD", "smz-demo-2026")


def opener():
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(f"{BASE}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": "city", "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    answer = browser.open(urllib.request.Request(f"{BASE}/login/", data=body, headers={"Referer": f"{BASE}/login/"}))
    if "/login/" in answer.url:
        sys.exit(f"could not log in as city at {BASE}: is `make run` serving the demo city?")
    return browser


def main() -> None:
    browser = opener()
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    start = last.replace(day=1)
    reports = browser.open(f"{BASE}/reports/").read().decode()
    # The first case and the first project of the reports page's forms.
    case = re.search(r'<select name="case"><option value="(\d+)"', reports)
    project = re.search(r'<select name="project"><option value="([^"]+)"', reports)
    urls = {
        "annex1": f"/reports/annex1.xlsx?from={start}&to={last}",
        "manager-presence": f"/reports/manager-presence.xlsx?month={start:%Y-%m}",
        "circular": f"/reports/circular.xlsx?month={start:%Y-%m}",
    }
    if case:
        urls["annex2"] = f"/reports/annex2.xlsx?case={case.group(1)}"
    if project:
        urls["ledger"] = f"/reports/ledger.xlsx?project={project.group(1)}"
    work = Path(tempfile.mkdtemp())
    for name, url in urls.items():
        (work / f"workbook-{name}.xlsx").write_bytes(browser.open(BASE + url).read())
    soffice = shutil.which("soffice") or sys.exit("LibreOffice is missing: run scripts/ensure-office.sh")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            *map(str, sorted(work.glob("*.xlsx"))),
        ],
        check=True,
        capture_output=True,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    for pdf in sorted(work.glob("*.pdf")):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(OUT / pdf.stem)],
            check=True,
        )
        print(OUT / f"{pdf.stem}.png")


if __name__ == "__main__":
    main()
