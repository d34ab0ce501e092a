"""A real browser against a real server: headless Debian Chromium reads the site as a citizen would.

Starts `datasette serve` on a free 127.0.0.1 port with the site settings, drives /usr/bin/chromium
through /usr/bin/chromedriver (no network: every asset must come from the server itself), and
saves screenshots to test-artifacts/. With CNBUDGET_SCREENSHOTS=docs/screenshots they are also
written there for the README.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cnbudget.datasette_plugin import SERVE_SETTINGS
from cnbudget.load import load_package

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1400",
]

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian chromium and chromium-driver (make system-deps)",
)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setting_flags(settings):
    """SERVE_SETTINGS as datasette --setting flags, the way the Makefile writes them."""
    flags = []
    for name, value in settings.items():
        flags += ["--setting", name, {False: "off", True: "on"}.get(value, str(value))]
    return flags


@pytest.fixture(scope="module")
def site(built_package, tmp_path_factory):
    """Base URL of a datasette server over a freshly loaded database; stopped after the module."""
    db = tmp_path_factory.mktemp("site") / "cnbudget.db"
    load_package(built_package, db)
    port = free_port()
    datasette = Path(sys.executable).parent / "datasette"
    log = open(tmp_path_factory.mktemp("log") / "datasette.log", "w")
    server = subprocess.Popen(
        [str(datasette), "serve", "-i", str(db), "--metadata", str(ROOT / "metadata.yml"),
         *setting_flags(SERVE_SETTINGS), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # generous: the machine may be busy with other test runs
            try:
                if httpx.get(base + "/-/metadata.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start within 30 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium driven through chromedriver, isolated profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def screenshot(driver, name):
    """Save a PNG to test-artifacts/ (and to $CNBUDGET_SCREENSHOTS when set)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    if os.environ.get("CNBUDGET_SCREENSHOTS"):
        target = ROOT / os.environ["CNBUDGET_SCREENSHOTS"]
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    return path


def visible_text(driver):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "body").text


def resources_loaded(driver):
    """URLs of every sub-resource the page fetched (stylesheets, scripts, images)."""
    return driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")


def test_home_page_reads_in_chinese_and_shows_charts(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    text = visible_text(browser)
    for phrase in ["部门预算公开数据", "金额单位", "图表", "数据表", "常用查询", "历年收支总览", "预算数据"]:
        assert phrase in text, phrase
    chart = browser.find_element(By.ID, "chart-function")
    assert chart.is_displayed() and chart.size["height"] > 100
    bar = chart.find_element(By.CSS_SELECTOR, "rect.cnb-bar")
    assert bar.size["width"] > 100  # the largest class gets the full-length bar
    assert "一般公共服务支出" in chart.text and "433.35万元" in chart.text
    assert "基本支出" in browser.find_element(By.ID, "chart-type").text
    assert all(url.startswith(site) for url in resources_loaded(browser)), resources_loaded(browser)
    screenshot(browser, "home")


def test_table_page_has_chinese_heading_and_rows(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site + "/cnbudget/budget_lines?statement=three_public")
    assert browser.find_element(By.TAG_NAME, "h1").text == "预算数据"
    text = visible_text(browser)
    assert "公务接待费" in text and "列说明" in text
    assert "攀枝花市西区人大2023年部门预算" in text  # the documents label through the foreign key
    screenshot(browser, "table")


def test_two_character_search_from_the_home_page(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    box = browser.find_element(By.ID, "cnb-q")
    box.send_keys("接待")
    box.submit()
    for _ in range(50):
        if "/cnbudget/budget_lines" in browser.current_url:
            break
        time.sleep(0.1)
    assert "_search=%E6%8E%A5%E5%BE%85" in browser.current_url
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-label")]
    assert "公务接待费" in cells
    assert browser.find_element(By.CSS_SELECTOR, "input[name=_search]").get_attribute("value") == "接待"
    screenshot(browser, "search")
