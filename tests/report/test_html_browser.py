"""The HTML report in a real browser: headless Chromium driven by selenium, checked by axe-core.

Needs Chromium and its driver (Debian: `apt-get install chromium chromium-driver`) and
axe-core from npm, which `.ci/run` installs with `npm ci --prefix .ci/browser` (pinned in
`.ci/browser/package-lock.json`; or point TENDER_AXE_JS at an `axe.min.js`). Where any is
absent these tests skip, naming what is missing; with TENDER_BROWSER_TESTS=required (as
`.ci/run` sets) they fail instead. TENDER_SCREENSHOTS=DIR keeps the screenshots to look at.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tender.workflows.report import report

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(
    os.environ.get("TENDER_AXE_JS")
    or ROOT / ".ci" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
)
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
HOSTILE = "<script>window.pwned=1</script> Ltd"


def chromium() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def missing() -> list[str]:
    """What the browser tests need and this machine lacks, with how to install each."""
    lacking = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        lacking.append("selenium (pip install -e '.[test]')")
    if chromium() is None:
        lacking.append("Chromium (apt-get install chromium)")
    if shutil.which("chromedriver") is None:
        lacking.append("chromedriver (apt-get install chromium-driver)")
    if not AXE.is_file():
        lacking.append(f"axe-core at {AXE} (npm ci --prefix .ci/browser)")
    return lacking


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module, 1280 × 900 CSS pixels."""
    lacking = missing()
    if lacking:
        reason = "the browser test needs " + "; ".join(lacking)
        if os.environ.get("TENDER_BROWSER_TESTS") == "required":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium() or ""
    for argument in ("--headless=new", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with it
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


def open_page(driver: Any, path: Path, width: int = 1280, height: int = 900) -> None:
    driver.set_window_size(width, height)
    driver.get(path.resolve().as_uri())
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    # the window's frame takes some of the size asked for: make the page itself that size
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def violations(driver: Any, path: Path) -> list[str]:
    """axe-core's WCAG 2.2 A and AA violations on the page, one line per rule and element."""
    open_page(driver, path)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));",
        WCAG_22_AA,
    )
    assert isinstance(found, list), found
    return [
        f"{path.name}: {v['id']} ({v['impact']}): {v['help']}: {node['target']}"
        for v in found
        for node in v["nodes"]
    ]


def keep(name: str, png: bytes) -> None:
    folder = os.environ.get("TENDER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(png)


def a_new_tender(root: Path) -> Path:
    """`tender new`'s scaffold as it stands, with two bids (one hostile name) and marks."""
    from tender.inputs import load_tender
    from tender.workflows.new import new

    definition, bids, _narrative = new("cleaning-2025", root)
    tender = load_tender(definition)
    header = bids.read_text(encoding="utf-8").strip().split(",")
    with bids.open("a", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header, restval="")  # supplier details left blank
        for bidder_id, name, price in (("A", "First bidder", "1000"), ("B", HOSTILE, "1200")):
            answers = {r.column: "yes" for r in tender.requirements}
            writer.writerow(
                {"bidder_id": bidder_id, "bidder": name, tender.price.column: price, **answers}
            )
    rows = ["bidder_id,criterion_id,evaluator_id,mark,justification"]
    for bidder, mark in (("A", 3), ("B", 2)):
        for criterion in tender.quality.leaves():
            for evaluator in tender.panel:
                rows.append(f"{bidder},{criterion.id},{evaluator.id},{mark},Section 2 shows it")
    assert tender.data.marks is not None
    tender.resolve(tender.data.marks).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return definition


def test_the_reference_report_and_appendix_pass_axe(browser: Any, reference: Path) -> None:
    folder = report(reference, letters=False).folder
    found = violations(browser, folder / "award-report.html")
    found += violations(browser, folder / "award-report-confidential.html")
    assert found == []


def test_a_new_tenders_draft_report_passes_axe_and_runs_no_bidders_script(
    browser: Any, tmp_path: Path
) -> None:
    reported = report(a_new_tender(tmp_path), letters=False)
    html = reported.folder / "award-report.html"
    found = violations(browser, html)
    found += violations(browser, reported.folder / "award-report-confidential.html")
    assert found == []
    open_page(browser, html)
    assert browser.execute_script("return window.pwned === undefined")
    body = browser.find_element("tag name", "body").text
    assert HOSTILE in body
    assert "[TO COMPLETE:" in body  # the scaffold's placeholders are shown, not hidden


def test_the_first_screen_reads_as_the_committee_report(browser: Any, reference: Path) -> None:
    from PIL import Image

    folder = report(reference, letters=False).folder
    open_page(browser, folder / "award-report.html")
    png = browser.get_screenshot_as_png()
    keep("award-report-first-screen.png", png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size[0] >= 1280
    title = browser.find_element("css selector", "h1")
    assert title.text == "Pest Control Arrangements"
    header = browser.find_element("css selector", "table.key")
    assert header.find_element("css selector", "th").text == "Committee"
    recommendation = browser.find_element("css selector", "p.numbered")
    assert recommendation.text.startswith("1.")
    assert "To approve the appointment of Goodwin Pest Management" in recommendation.text
    for element in (title, header, recommendation):  # all on the first screen
        assert element.rect["y"] + element.rect["height"] <= 900, element.text
    # the title is dark bold text on white, the header's key column shaded as in the PDF
    x, y = int(title.rect["x"]) + 2, int(title.rect["y"] + title.rect["height"] / 2)
    assert min(min(image.getpixel((x + dx, y))) for dx in range(60)) < 60


def test_a_draft_is_marked_on_screen_and_on_every_printed_page(
    browser: Any, tmp_path: Path
) -> None:
    from PIL import Image
    from pypdf import PdfReader
    from selenium.webdriver.common.print_page_options import PrintOptions

    html = report(a_new_tender(tmp_path), letters=False).folder / "award-report.html"
    open_page(browser, html)
    png = browser.get_screenshot_as_png()
    keep("draft-first-screen.png", png)
    mark = browser.find_element("css selector", "header .mark")
    assert mark.text == "DRAFT - not for issue"
    assert mark.rect["y"] == 0
    pixel = Image.open(io.BytesIO(png)).convert("RGB").getpixel((5, 5))
    assert pixel == (0xB0, 0x00, 0x20)  # the red band across the top
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight / 2)")
    assert browser.find_element("css selector", "header .mark").rect["y"] >= 0
    assert (
        browser.execute_script(
            "return document.querySelector('header .mark').getBoundingClientRect().top"
        )
        == 0
    )  # it stays at the top of the screen while reading
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf = base64.b64decode(browser.print_page(options))
    keep("draft-printed.pdf", pdf)
    footer = " ".join(browser.find_element("css selector", "footer").text.split())
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):  # as on the PDF's pages
        assert "DRAFT - not for issue" in text, number
        assert footer in text, number
        assert f"Page {number}" in text, number


def test_the_report_reflows_on_a_phone(browser: Any, reference: Path) -> None:
    """WCAG 1.4.10: at 320 CSS pixels nothing but a wide table's own region scrolls sideways."""
    html = report(reference, letters=False).folder / "award-report.html"
    open_page(browser, html, 320, 640)
    scroll = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll[0] <= scroll[1]
    keep("award-report-phone.png", browser.get_screenshot_as_png())
