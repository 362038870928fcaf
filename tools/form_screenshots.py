"""Screenshots of the consultation form, for docs/consultation-form.md and the README.

::

    python -m tools.form_screenshots docs/screenshots

Starts a private reference site (its /consultation/ page serves the plugin's form: the same HTML,
stylesheet, script and translations), drives Debian's headless Chromium with Selenium (as the
browser tests do), and writes ``form-en.png``, ``form-es.png``, ``form-errors.png`` and
``form-confirmation.png``. Needs ``chromium``, ``chromium-driver`` and ``selenium``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 900


def _chrome() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={WIDTH},900"):
        options.add_argument(arg)
    options.add_argument("--hide-scrollbars")
    options.binary_location = CHROMIUM
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _wait(driver: Any, condition: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda _d: condition())


def _shoot(driver: Any, path: Path) -> Path:
    """The whole page: the window is made as tall as the document first."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, int(height) + 20)
    driver.save_screenshot(str(path))
    driver.set_window_size(WIDTH, 900)
    return path


def take(folder: Path) -> list[Path]:
    """Write the four screenshots into ``folder``; answers their paths."""
    from clinicdesk.demosite.server import start

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="clinicdesk-form-shots-") as data:
        # No minimum time: the screenshots' robot is allowed to be quick.
        site = start(Path(data) / "site", form_min_seconds=0, consultation_rate=(1000, 60))
        driver = _chrome()
        try:
            form = f"{site.url}/consultation/"
            driver.get(form)
            _wait(driver, lambda: driver.find_elements("id", "cdf-submit"))
            written.append(_shoot(driver, folder / "form-en.png"))

            driver.get(form + "?lang=es")
            _wait(driver, lambda: driver.find_elements("id", "cdf-submit"))
            written.append(_shoot(driver, folder / "form-es.png"))

            driver.get(form)
            _wait(driver, lambda: driver.find_elements("id", "cdf-submit"))
            driver.find_element("id", "cdf-first_name").send_keys("Robin")
            driver.find_element("id", "cdf-email").send_keys("robin.example.com")
            driver.find_element("id", "cdf-submit").click()
            _wait(driver, lambda: driver.find_element("id", "cdf-summary").is_displayed())
            driver.execute_script("window.scrollTo(0, 0)")
            written.append(_shoot(driver, folder / "form-errors.png"))

            email = driver.find_element("id", "cdf-email")
            email.clear()
            email.send_keys("robin@example.com")
            driver.find_element("id", "cdf-consent").click()
            driver.find_element("id", "cdf-submit").click()
            _wait(driver, lambda: driver.find_elements("css selector", ".cdf-confirmation"))
            written.append(_shoot(driver, folder / "form-confirmation.png"))
        finally:
            driver.quit()
            site.stop()
    return written


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m tools.form_screenshots")
    parser.add_argument("folder", type=Path, help="where to write the PNG files")
    args = parser.parse_args(argv)
    for path in take(args.folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
