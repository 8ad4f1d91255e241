"""Photograph every dashboard page of a running platform (make run: the demo city) into
docs/screenshots/, with Playwright driving Debian's headless Chromium.

    make run            # in one terminal
    make screenshots    # in another
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = os.environ.get("SMZ_BASE_URL", "http://127.0.0.1:8000")
OUT = Path(os.environ.get("SMZ_SCREENSHOTS", "docs/screenshots"))
CHROMIUM = os.environ.get("SMZ_CHROMIUM", "/usr/bin/chromium")
PASSWORD = os.environ.get("SMZ_DEMO_PASSWORD", "smz-demo-2026")


def login(browser, username: str):
    page = browser.new_page(viewport={"width": 1440, "height": 960}, locale="zh-CN")
    page.goto(f"{BASE}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/login/" in page.url:
        sys.exit(f"could not log in as {username} at {BASE}: is `make run` serving the demo city?")
    return page


def shoot(page, name: str, url: str | None = None) -> None:
    if url:
        page.goto(f"{BASE}{url}")
        page.wait_for_load_state()
    page.screenshot(path=OUT / f"{name}.png", full_page=True)
    print(f"  {OUT / name}.png  {page.url}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        anonymous = browser.new_page(viewport={"width": 1440, "height": 960}, locale="zh-CN")
        shoot(anonymous, "login", "/login/")
        city = login(browser, "city")
        shoot(city, "city")
        district = login(browser, "haishu")
        shoot(district, "district")
        projects = [a.get_attribute("href") for a in district.locator("table.grid a[href^='/projects/']").all()]
        shoot(district, "project", projects[0])
        for href in projects:  # the first project with a device (the top-ranked may have none: R01)
            district.goto(f"{BASE}{href}")
            devices = district.locator("a[href^='/devices/']")
            if devices.count():
                shoot(district, "device", devices.first.get_attribute("href"))
                break
        shoot(district, "alerts", "/alerts/?state=open")
        alert = district.locator("a[href^='/alerts/'][href$='/']").nth(1).get_attribute("href")
        shoot(district, "alert", alert)
        shoot(district, "reports", "/reports/")
        shoot(district, "draws", "/draws/")
        shoot(district, "submissions", "/submissions/")
        shoot(city, "submissions-city", "/submissions/")
        district.goto(f"{BASE}{projects[0]}")
        cases = district.locator("#cases + table a[href^='/cases/']")
        if cases.count():
            shoot(district, "case", cases.first.get_attribute("href"))
        phone = login(browser, "haishu")
        phone.set_viewport_size({"width": 390, "height": 844})
        shoot(phone, "inspection-phone", f"{projects[0]}inspections/new/")
        browser.close()


if __name__ == "__main__":
    main()
