"""A real browser against a real server: headless Debian Chromium reads the site as a citizen would.

Starts `cnbudget serve` (the `make serve` command) on a free 127.0.0.1 port over a database built
from the seed and, when ../shared is present, the three Shanghai dev PDFs (linked into a temp
folder, never copied); drives /usr/bin/chromium through /usr/bin/chromedriver at 1280 and 390 px
(no network: every asset must come from the server itself), and saves screenshots to
test-artifacts/. With CNBUDGET_SCREENSHOTS=docs/screenshots the pages drawn from the seed alone (unit,
document, drill-down) are also written there for the README.
"""

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import yaml

from tests.conftest import DEV_SOURCES, SOURCES
from tests.test_serve_site import SYNTHETIC_DOC, add_synthetic_tables

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1400",
]
WIDTHS = {"desktop": 1280, "phone": 390}
SEED_UNIT = "攀枝花市西区人大"
SEED_DOC = "2023-panzhihua-xiqu-renda-budget"
PDF_UNIT = "上海市普陀区人民政府万里街道办事处"
PDF_DOC = "2024-shanghai-putuo-wanli-budget"
ENGLISH_CHROME = ["rows", "Search:", "Apply", "View and edit SQL", "Powered by", "This data as", "Next page",
                  "Advanced export", "Custom SQL query", "Run SQL", "CREATE TABLE"]
BOM = b"\xef\xbb\xbf"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian chromium and chromium-driver (make system-deps)",
)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def site_files(tmp_path_factory):
    """Sources (seed + linked dev PDFs when present), the package, the database and a metadata.yml pointing at them."""
    from cnbudget.load import load_package
    from cnbudget.package import build_package

    root = tmp_path_factory.mktemp("site")
    sources = root / "sources"
    (sources / "2023").mkdir(parents=True)
    for path in (SOURCES / "2023").iterdir():
        (sources / "2023" / path.name).symlink_to(path)
    if DEV_SOURCES.exists():
        for year in (2023, 2024, 2025):
            name = f"{year}-shanghai-putuo-wanli-budget"
            (sources / f"{name}.pdf").symlink_to(DEV_SOURCES / f"{name}.pdf")
            (sources / f"{name}.provenance.json").write_text(json.dumps({"file": f"{name}.pdf", "fiscal_year": year}))
    build_package(sources, root / "package")
    add_synthetic_tables(root / "package")  # a table-based document even without ../shared (synthetic)
    load_package(root / "package", root / "cnbudget.db")
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    metadata["plugins"]["cnbudget"] = {"sources_dir": str(sources), "package_dir": str(root / "package")}
    (root / "metadata.yml").write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(site_files, tmp_path_factory):
    """Base URL of `cnbudget serve` over the temp database; stopped after the module."""
    port = free_port()
    cnbudget = Path(sys.executable).parent / "cnbudget"
    log = open(tmp_path_factory.mktemp("log") / "datasette.log", "w")
    server = subprocess.Popen(  # the site exactly as `make serve` runs it
        [str(cnbudget), "serve", "--db", str(site_files / "cnbudget.db"), "--metadata",
         str(site_files / "metadata.yml"), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
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


@pytest.fixture(params=list(WIDTHS))
def width(request, browser):
    """Each page at 1280 px and at a 390 px phone width."""
    browser.set_window_size(WIDTHS[request.param], 1400)
    return request.param


def screenshot(driver, name, publish=False):
    """Save a PNG to test-artifacts/; `publish` ones (pages drawn from the seed only) also to $CNBUDGET_SCREENSHOTS."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    if publish and os.environ.get("CNBUDGET_SCREENSHOTS"):
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


def open_page(browser, site, path, title_part):
    """Open a page and check what every page must have: Chinese title and lang, no English chrome, local assets, fits the width."""
    browser.get(site + path)
    assert title_part in browser.title, browser.title
    assert browser.find_element("tag name", "html").get_attribute("lang") == "zh-CN"
    text = visible_text(browser)
    for phrase in ENGLISH_CHROME:
        assert phrase not in text, phrase
    assert all(url.startswith(site) for url in resources_loaded(browser)), resources_loaded(browser)
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the window"
    return text


def assert_chart(browser, chart_id, min_bars=1):
    """A drawn chart: visible, bars with width, labels and values in readable type."""
    chart = browser.find_element("id", chart_id)
    assert chart.is_displayed()
    bars = chart.find_elements("css selector", ".cnb-bar")
    assert len(bars) >= min_bars and max(bar.size["width"] for bar in bars) > 40
    for value in chart.find_elements("css selector", ".cnb-bar-label, .cnb-bar-value")[:4]:
        size = float(value.value_of_css_property("font-size").rstrip("px"))
        assert size >= 12, f"chart text {size}px"
    return chart


def test_home_page(site, browser, width):
    text = open_page(browser, site, "/", "部门预算公开数据")
    for phrase in ["部门预算公开数据", "金额单位", "图表", "各单位", "数据表", "常用查询", "历年收支总览", "批量下载"]:
        assert phrase in text, phrase
    chart = assert_chart(browser, "chart-units")
    assert SEED_UNIT in chart.text and "644.66 万元" in chart.text
    box = browser.find_element("id", "cnb-q")
    assert box.size["width"] >= 200  # the search box keeps its width on a phone
    screenshot(browser, f"home-{width}")


def test_unit_page(site, browser, width):
    text = open_page(browser, site, "/unit/" + quote(SEED_UNIT, safe=""), SEED_UNIT)
    assert "收入总计" in text and "644.66 万元" in text and "“三公”经费" in text and "0.50 万元" in text
    assert "单位人员变动，工资待遇变动，保险公积金变动" in text  # the change and its stated reason
    money = browser.find_element("css selector", ".cnb-years .cnb-money")
    assert money.get_attribute("title").startswith("6,446,600元")  # 元 on hover
    screenshot(browser, f"unit-{width}", publish=True)
    if DEV_SOURCES.exists():
        text = open_page(browser, site, "/unit/" + quote(PDF_UNIT, safe=""), PDF_UNIT)
        assert "2023年部门预算" in text and "2025年部门预算" in text and "15,621.11 万元" in text
        assert_chart(browser, "chart-unit-years", 3)
        screenshot(browser, f"unit-pdf-{width}")


def test_document_page_charts_the_seed(site, browser, width):
    text = open_page(browser, site, f"/document/{SEED_DOC}", "攀枝花市西区人大2023年部门预算")
    assert "收支概况" in text and "核对发现" in text
    chart = assert_chart(browser, "chart-function", 4)
    assert "一般公共服务支出" in chart.text and "433.35 万元" in chart.text
    assert_chart(browser, "chart-type", 2)
    screenshot(browser, f"document-{width}", publish=True)


@pytest.mark.skipif(not DEV_SOURCES.exists(), reason=f"dev PDFs not present at {DEV_SOURCES}")
def test_document_page_charts_a_pdf_and_links_its_page(site, browser, width):
    open_page(browser, site, f"/document/{PDF_DOC}", "万里街道办事处2024年部门预算")
    chart = assert_chart(browser, "chart-function", 9)
    assert "城乡社区支出" in chart.text and "11,938.53 万元" in chart.text
    source = browser.find_element("css selector", ".cnb-figures a.cnb-src").get_attribute("href")
    assert source.startswith(site + f"/-/sources/{PDF_DOC}.pdf#page=")
    assert httpx.get(source.split("#")[0], timeout=10).headers["content-type"] == "application/pdf"
    screenshot(browser, f"document-pdf-{width}")
    browser.find_element("link text", "社会保障和就业支出").click()
    assert "社会保障和就业支出" in browser.title
    assert "20805" in visible_text(browser)
    assert_chart(browser, "chart-drill", 5)


def test_document_page_charts_a_synthetic_multi_table_document(site, browser, width):
    open_page(browser, site, f"/document/{SYNTHETIC_DOC}", "【合成数据】多表单位2024年部门预算")
    chart = assert_chart(browser, "chart-function", 2)
    assert "科目201" in chart.text and "900.00 万元" in chart.text
    browser.find_element("link text", "科目201").click()
    browser.find_element("link text", "科目20101").click()
    text = visible_text(browser)
    assert "科目2010101" in text and "700.00 万元" in text and "77.8%" in text
    assert_chart(browser, "chart-drill", 2)


def test_drill_down_from_lei_to_xiang(site, browser, width):
    open_page(browser, site, f"/document/{SEED_DOC}", "部门预算")
    browser.find_element("css selector", "a.cnb-drill").click()
    assert "支出功能分类" in browser.title
    first = browser.find_element("css selector", "#chart-drill .cnb-bar-label a")
    name = first.text
    first.click()
    assert name in browser.title
    text = visible_text(browser)
    assert "全部“类”" in text and "下一级科目" in text
    assert_chart(browser, "chart-drill")
    screenshot(browser, f"drilldown-{width}", publish=True)


def test_search_for_sangong_jingfei_finds_the_quoted_form(site, browser, width):
    open_page(browser, site, "/", "部门预算公开数据")
    box = browser.find_element("id", "cnb-q")
    box.send_keys("三公经费")
    box.submit()
    for _ in range(50):
        if "/search" in browser.current_url:
            break
        time.sleep(0.1)
    assert "搜索：三公经费" in browser.title
    marks = [mark.text for mark in browser.find_elements("css selector", ".cnb-hits mark")]
    assert marks and all(m.replace("”", "") == "三公经费" for m in marks), marks
    assert "“三公”经费" in visible_text(browser)
    screenshot(browser, f"search-{width}")


def test_table_page_and_its_downloads(site, browser, width):
    text = open_page(browser, site, "/cnbudget/budget_lines?statement=three_public", "预算数据")
    assert browser.find_element("tag name", "h1").text == "预算数据"
    assert "公务接待费" in text and "列说明" in text and "0.50 万元" in text
    link = browser.find_element("css selector", "a.cnb-csv").get_attribute("href")
    response = httpx.get(link, timeout=30)
    assert response.content.startswith(BOM) and "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content[len(BOM):].decode("utf-8"))))
    assert len(rows) == int(text.split("共 ")[1].split(" 行")[0].replace(",", ""))
    xlsx = httpx.get(browser.find_element("css selector", "a.cnb-xlsx").get_attribute("href"), timeout=30)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True)["数据"]
    assert sum(1 for _ in sheet.iter_rows()) - 2 == len(rows)
    screenshot(browser, f"table-{width}")
