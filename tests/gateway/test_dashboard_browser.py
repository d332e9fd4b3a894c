"""test_dashboard_browser - the /dashboard page in headless Chromium.

Starts a real balboard on free ports (mock upstream, store, scheduler,
one fetcher, gateway), imports the mock's agents with one renamed
`<img src=x onerror=alert(1)>`, runs a rotation, then drives the page
with Selenium and the system's chromedriver (never a downloaded one):

- the page opens and shows rows; the first 10 match /api/dashboard
  (names and totals);
- "Load more" shows 20 rows;
- after a new rotation at other prices (POST /__mock/control, then
  `balboard tick`) the rows change with no reload (a window variable set
  at load survives);
- an agent's detail opens with its SVG chart;
- the hostile name is shown as text: no img element, no alert;
- at 390x844 the page needs no horizontal scroll;
- when mempool.space fails (every request a 503) the next rotation
  marks the rows partial and stale, with no reload.

Screenshots at 1280x900 and 390x844 go to the test's scratch directory,
and also to BALBOARD_SCREENSHOT_DIR when it is set. Exits 77 (skipped)
without Selenium or Chromium. Waits end on what they wait for; their
deadlines only catch a hang.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

SKIP = 77
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AGENTS = 40
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_INDEX = 3
WAIT_S = 120                       # catches a hang only
DESKTOP = (1280, 900)
PHONE = (390, 844)

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException,
                                            StaleElementReferenceException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("test_dashboard_browser: skipped: no selenium in this python")
    sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, condition, timeout=WAIT_S, poll=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(poll)
    raise AssertionError(f"{what}: not within {timeout} s")


def http_json(url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


class World:
    """The processes of one balboard, stopped with SIGTERM at the end."""

    def __init__(self, bin_dir, scratch):
        self.bin = bin_dir
        self.dir = scratch
        self.children = []
        ports = {name: free_port() for name in
                 ("mock", "ingest", "query", "events", "jobs", "control",
                  "http")}
        self.mock = f"http://127.0.0.1:{ports['mock']}"
        self.base = f"http://127.0.0.1:{ports['http']}"
        tcp = {name: f"tcp://127.0.0.1:{ports[name]}" for name in ports}
        self.env = dict(os.environ,
                        BALBOARD_STORE_INGEST=tcp["ingest"],
                        BALBOARD_STORE_QUERY=tcp["query"],
                        BALBOARD_SCHEDULER_CONTROL=tcp["control"],
                        BALBOARD_LOG_LEVEL="warn")
        self.start("mock", "balboard-mock-upstream", "--bind",
                   f"127.0.0.1:{ports['mock']}", "--agents", str(AGENTS))
        self.start("store", "balboard-store", "--data-dir",
                   f"{scratch}/store", "--ingest-bind", tcp["ingest"],
                   "--query-bind", tcp["query"], "--events-bind",
                   tcp["events"], "--map-size-mb", "64")
        self.start("scheduler", "balboard-scheduler", "--data-dir",
                   f"{scratch}/scheduler", "--jobs-bind", tcp["jobs"],
                   "--control-bind", tcp["control"], "--store-query",
                   tcp["query"], "--alarm-active-ms", "3600000",
                   "--alarm-idle-ms", "3600000", "--hiro-rpm", "0",
                   "--mempool-rpm", "0", "--price-rpm", "0", "--paused")
        self.start("fetcher", "balboard-fetcher", "--scheduler-jobs",
                   tcp["jobs"], "--store-ingest", tcp["ingest"],
                   "--hiro-base", self.mock, "--mempool-base",
                   f"{self.mock}/api", "--price-url",
                   f"{self.mock}/api/v3/simple/price?ids=bitcoin,"
                   "blockstack&vs_currencies=usd")
        self.start("gateway", "balboard-gateway", "--http-bind",
                   f"127.0.0.1:{ports['http']}", "--store-query",
                   tcp["query"], "--store-events", tcp["events"],
                   "--scheduler-control", tcp["control"])
        wait_for("the gateway", lambda: http_json(
            f"{self.base}/healthz")["status"] == "ok")
        wait_for("the mock", lambda: http_json(f"{self.mock}/__mock/stats"))

    def start(self, name, binary, *args):
        log = open(f"{self.dir}/{name}.log", "w")
        child = subprocess.Popen([f"{self.bin}/{binary}", *args],
                                 env=self.env, stdout=log, stderr=log)
        self.children.append((name, child, log))

    def cli(self, *args, stdin=None):
        result = subprocess.run([f"{self.bin}/balboard", *args], env=self.env,
                                input=stdin, capture_output=True, text=True,
                                timeout=WAIT_S)
        assert result.returncode == 0, f"balboard {args}: {result.stderr}"
        return result.stdout

    def status(self):
        return json.loads(self.cli("status", "--json"))

    def rotation(self):
        """Run one rotation (a tick) and wait until it completes."""
        done = self.status()["rotationsCompleted"]
        self.cli("tick")
        wait_for("a rotation", lambda: self.status()["rotationsCompleted"]
                 > done)

    def stop(self):
        failed = []
        for name, child, log in reversed(self.children):
            child.send_signal(signal.SIGTERM)
            try:
                if child.wait(timeout=WAIT_S) != 0:
                    failed.append(f"{name} exited {child.returncode}")
            except subprocess.TimeoutExpired:
                child.kill()
                failed.append(f"{name} did not stop")
            log.close()
        assert not failed, ", ".join(failed)


def import_agents(world):
    """The mock's agents, one of them with a hostile display name."""
    registry = http_json(f"{world.mock}/api/agents?limit={AGENTS}&offset=0")
    agent = registry["agents"][HOSTILE_INDEX]
    agent["displayName"] = HOSTILE
    agent["bnsName"] = None
    world.cli("agents", "import", "-", stdin=json.dumps(registry))
    world.cli("resume")
    world.rotation()
    return agent["stxAddress"]


def short_address(address):
    return address[:8] + "…" + address[-4:] if len(address) > 14 \
        else address


def expected_name(agent):
    return agent.get("bnsName") or agent.get("displayName") or \
        short_address(agent.get("btcAddress") or agent["stxAddress"])


def money(text):
    return round(float(text.replace("$", "").replace(",", "")), 2)


def browser():
    # The system's Chromium and chromedriver, named: Selenium Manager has
    # nothing to find, and offline it could not download anything anyway.
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox",
                     "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                            options=options)


def viewport(driver, size, mobile):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1,
        "mobile": mobile})


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#rows tr.row")


# The page re-renders its rows when an event arrives, so what is read of
# several rows is read in one script: no element can go stale between reads.
TABLE_SCRIPT = """
return Array.from(document.querySelectorAll('#rows tr.row'), row => [
    row.querySelector('button.name').innerText.trim(),
    row.querySelector('button.name').title,
    row.querySelector('td.total').innerText.trim()]);
"""


def table(driver):
    """(name, total) of every row shown."""
    return [(name, money(total))
            for name, _, total in driver.execute_script(TABLE_SCRIPT)]


def names_by_title(driver, title):
    """The names shown for rows whose name carries this title."""
    return [name for name, shown_title, _ in
            driver.execute_script(TABLE_SCRIPT) if shown_title == title]


def waiting(driver):
    """A wait that tries again when a re-render replaced an element."""
    return WebDriverWait(driver, WAIT_S,
                         ignored_exceptions=(StaleElementReferenceException,))


def check_first_rows(driver, world):
    WebDriverWait(driver, WAIT_S).until(lambda d: len(rows(d)) == 10)
    page = http_json(f"{world.base}/api/dashboard?limit=10")
    want = [(expected_name(a), round(a["totalUsd"], 2))
            for a in page["agents"]]
    assert table(driver) == want, f"{table(driver)} != {want}"


def check_load_more(driver):
    driver.find_element(By.ID, "more").click()
    WebDriverWait(driver, WAIT_S).until(lambda d: len(rows(d)) == 20)


def check_live_update(driver, world):
    marker = driver.execute_script("return window.balboardLoadedAt")
    assert marker, "no load marker"
    before = table(driver)
    prices = http_json(f"{world.base}/api/dashboard?limit=1")["prices"]
    http_json(f"{world.mock}/__mock/control",
              {"btc_usd": prices["BTC"] * 1.5, "stx_usd": prices["STX"] / 2})
    started = time.monotonic()
    world.rotation()
    WebDriverWait(driver, WAIT_S).until(lambda d: table(d) != before)
    print(f"test: the page changed {time.monotonic() - started:.2f} s "
          "after the tick, with no reload")
    assert driver.execute_script("return window.balboardLoadedAt") == marker
    assert driver.execute_script("return window.balboardEvents") >= 1
    assert len(rows(driver)) == 20, "the rows loaded stay loaded"


def check_detail(driver):
    waiting(driver).until(lambda d: rows(d)[0].find_element(
        By.CSS_SELECTOR, "button.name").click() or True)
    WebDriverWait(driver, WAIT_S).until(lambda d: d.find_element(
        By.ID, "detail").is_displayed())
    WebDriverWait(driver, WAIT_S).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#detail svg.chart path.line"))
    driver.find_element(By.CSS_SELECTOR, "#detail button.close").click()


def check_hostile_name(driver, hostile):
    while driver.find_element(By.ID, "more").is_enabled():
        count = len(rows(driver))
        driver.find_element(By.ID, "more").click()
        WebDriverWait(driver, WAIT_S).until(lambda d: len(rows(d)) > count)
    shown = names_by_title(driver, hostile)
    assert len(shown) == 1, "the hostile agent is listed"
    assert shown[0] == HOSTILE, f"shown as {shown[0]!r}"
    assert not driver.find_elements(By.CSS_SELECTOR, "img"), "an img"
    try:
        driver.switch_to.alert
        raise AssertionError("an alert opened")
    except NoAlertPresentException:
        pass


def check_phone(driver, shots):
    viewport(driver, PHONE, True)
    driver.refresh()
    WebDriverWait(driver, WAIT_S).until(lambda d: len(rows(d)) == 10)
    width = driver.execute_script(
        "return [document.scrollingElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"horizontal scroll at 390 px: {width}"
    driver.save_screenshot(f"{shots}/dashboard-phone.png")


def check_partial_marker(driver, world):
    http_json(f"{world.mock}/__mock/control",
              {"faults": [{"endpoint": "mempool", "kind": "5xx",
                           "count": 0}]})
    world.rotation()
    WebDriverWait(driver, WAIT_S).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#rows .badge.partial"))
    marker = driver.execute_script(
        "const m = document.querySelector('#rows td.freshness .stale');"
        "return m && m.innerText.trim();")
    assert marker == "stale (partial)", f"stale marker: {marker!r}"


def main():
    python = os.environ.get("BALBOARD_PYTHON", "")
    if not python or not os.path.exists(CHROMIUM) \
            or not os.path.exists(CHROMEDRIVER):
        print("test_dashboard_browser: skipped: needs BALBOARD_PYTHON, "
              f"{CHROMIUM} and {CHROMEDRIVER}")
        return SKIP
    scratch = os.environ.get("BALBOARD_TEST_SCRATCH",
                             "/tmp/balboard-test-browser")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    world = World(os.environ["BALBOARD_BIN_DIR"], scratch)
    driver = None
    try:
        hostile = import_agents(world)
        driver = browser()
        viewport(driver, DESKTOP, False)
        driver.get(f"{world.base}/dashboard")
        check_first_rows(driver, world)
        check_load_more(driver)
        check_live_update(driver, world)
        check_detail(driver)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(f"{scratch}/dashboard-desktop.png")
        check_hostile_name(driver, hostile)
        check_phone(driver, scratch)
        check_partial_marker(driver, world)
        copy_to = os.environ.get("BALBOARD_SCREENSHOT_DIR")
        if copy_to:
            for name in ("dashboard-desktop.png", "dashboard-phone.png"):
                shutil.copy(f"{scratch}/{name}", f"{copy_to}/{name}")
    finally:
        if driver:
            driver.quit()
        world.stop()
    print("test_dashboard_browser: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
