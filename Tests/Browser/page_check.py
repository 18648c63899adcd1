"""The web page in a real headless Chromium: loads without console errors, the leaderboard fills,
a new fill appears without a reload, the latest trades are listed when the page opens, the
traders section shows its ranking or its empty state, sorting works, and at a phone's width
(390 px) nothing scrolls sideways; saves a screenshot.

Usage: page_check.py BASE_URL SCREENSHOT_PATH ADMIN_TOKEN. Exits non-zero with a reason on any failure.
"""
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


# Answers the traders API as shared-shapes.md documents it, and makes hold-btc a copy account in
# /api/accounts; everything else goes to the real server.
TRADERS_STUB = """
(() => {
  const real = window.fetch.bind(window);
  const json = (body) => Promise.resolve(new Response(JSON.stringify(body), {status: 200, headers: {"Content-Type": "application/json"}}));
  const trader = (id, address, value, positions, followers) => ({id, address, source: "discovered", active: true, deactivated_reason: null,
    first_seen: Date.now() - 86400000, last_tracked: Date.now(), account_value: value, positions,
    metrics: {account_age_days: 12, total_volume: "1000000", win_rate: 0.55, average_risk_ratio: 0.3, max_drawdown: 0.12,
              max_profit: "5000", max_loss: "-2000"}, followers});
  window.fetch = async (input, options) => {
    const url = new URL(typeof input === "string" ? input : input.url, location.href);
    if (url.pathname === "/openapi.json") {
      const spec = await (await real(input, options)).json();
      spec.paths["/api/traders"] = {get: {summary: "stub"}};
      return json(spec);
    }
    if (url.pathname === "/api/traders") return json({traders: [
      trader(1, "0xabcdef0000000000000000000000000000007890", "250000.5", [{symbol: "BTC", side: "long", size: "0.5", entry_price: "65000"}], [1]),
      trader(2, "0x1111110000000000000000000000000000002222", "1200", [], [])], total: 2, limit: 50, offset: 0, sort: "account_value", order: "desc"});
    if (/^\/api\/traders\/\d+\/events$/.test(url.pathname)) return json({events: [{id: 7, trader_id: 1,
      address: "0xabcdef0000000000000000000000000000007890", kind: "OPEN", symbol: "BTC", side: "long", size: "0.5", previous_size: "0",
      entry_price: "65000", time: Date.now() - 60000, source: "poll"}]});
    if (url.pathname === "/api/accounts") {
      const body = await (await real(input, options)).json();
      for (const account of body.accounts) if (account.name === "hold-btc")
        account.driver = {kind: "copy", trader: "0xabcdef0000000000000000000000000000007890", ratio: "0.1"};
      return json(body);
    }
    return real(input, options);
  };
})();
"""


def wait_for(condition, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def main():
    base_url, screenshot, token = sys.argv[1], sys.argv[2], sys.argv[3]
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(base_url + "/")
        rows = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr"), 20, "leaderboard rows")
        assert len(rows) >= 5, f"expected the demo roster's accounts, saw {len(rows)} rows"
        wait_for(lambda: "live" in driver.find_element(By.ID, "status").get_attribute("class"), 15, "the feed to connect")

        # A fill arriving over the feed shows up in the trades list without a reload.
        def fills_listed():
            return sum(1 for kind in driver.find_elements(By.CSS_SELECTOR, "#events li .kind") if kind.text.lower() == "fill")

        before = fills_listed()
        wait_for(lambda: fills_listed() > before, 40, "a new fill in the trades list")

        # A page opened later lists the latest trades at once, from the API: with the feed's
        # WebSocket replaced by one that never connects, every fill listed was loaded on opening.
        silent_feed = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
            "source": "window.WebSocket = class { constructor() {} send() {} close() {} };"})
        driver.get(base_url + "/")
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr"), 20, "leaderboard rows with no feed")
        wait_for(lambda: fills_listed() > 0, 15, "the latest trades listed from the API when the page opens")
        assert "live" not in driver.find_element(By.ID, "status").get_attribute("class"), "the feed was not held off"
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": silent_feed["identifier"]})
        driver.get(base_url + "/")
        wait_for(lambda: "live" in driver.find_element(By.ID, "status").get_attribute("class"), 15, "the feed to connect again")
        before = fills_listed()
        wait_for(lambda: fills_listed() > before, 40, "a new fill in the trades list")
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#equity-chart polyline"), 20, "equity lines in the chart")

        # The Traders section ranks tracked traders, or says why there are none (no tracker runs).
        def traders_shown():
            rows = driver.find_elements(By.CSS_SELECTOR, "#traders tbody tr")
            empty = driver.find_element(By.ID, "traders-empty")
            return rows or (empty.is_displayed() and empty.text.strip())
        wait_for(traders_shown, 15, "the traders section's rows or its empty state")
        assert driver.find_element(By.ID, "trader-events") is not None, "no list for the traders' latest events"

        # With a server that serves the traders API (answered here in the page from the documented
        # shapes, as the tracker would), the section ranks them, lists their events, adds one from
        # the feed, and the leaderboard names the trader a copy account follows.
        stub = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRADERS_STUB})
        driver.get(base_url + "/")
        # Parts of the page re-render on feed messages: read them through the page's own script.
        def text_of(selector):
            return driver.execute_script("const node = document.querySelector(arguments[0]); return node ? node.innerText : ''", selector)

        wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#traders tbody tr")) == 2, 15, "two stubbed traders ranked")
        wait_for(lambda: "hold-btc" in text_of("#traders tbody tr"), 10, "the trader's copier named")
        first = text_of("#traders tbody tr")
        assert "0xabcd…7890" in first and "BTC long 0.5" in first, f"trader row: {first}"
        assert not driver.find_element(By.ID, "traders-empty").is_displayed(), "the empty state shows beside traders"
        wait_for(lambda: "OPEN" in text_of("#trader-events"), 10, "the traders' stored events")
        driver.execute_script("handle(arguments[0])", {"type": "trader_event", "seq": 0, "data": {
            "id": 99, "trader_id": 1, "address": "0xabcdef0000000000000000000000000000007890", "kind": "FLIP", "symbol": "ETH",
            "side": "short", "size": "3", "previous_size": "2", "entry_price": "3000", "time": int(time.time() * 1000), "source": "poll"}})
        wait_for(lambda: text_of("#trader-events li").startswith("FLIP"), 5, "a trader event from the feed")
        wait_for(lambda: "copy · 0xabcd…7890 × 0.1" in text_of('#leaderboard tr[data-name="hold-btc"]'),
                 10, "the copy account's trader in the leaderboard")
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": stub["identifier"]})
        driver.get(base_url + "/")
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr"), 20, "leaderboard rows")

        # Sorting by name puts the names in order; clicking again reverses them.
        # The table re-renders on every feed message, so read and click through the page's own script.
        read_names = "return [...document.querySelectorAll('#leaderboard tbody tr')].map(row => row.dataset.name)"
        click = "document.querySelector(arguments[0]).click()"
        driver.execute_script(click, '#leaderboard th[data-key="name"]')
        names = driver.execute_script(read_names)
        assert names == sorted(names), f"not sorted by name: {names}"
        driver.execute_script(click, '#leaderboard th[data-key="name"]')
        names = driver.execute_script(read_names)
        assert names == sorted(names, reverse=True), f"not reversed: {names}"
        driver.execute_script(click, '#leaderboard th[data-key="return_pct"]')
        returns = driver.execute_script(
            "return [...document.querySelectorAll('#leaderboard tbody tr')].map(row => parseFloat(row.children[4].textContent))")
        assert returns == sorted(returns, reverse=True), f"not sorted by return: {returns}"

        # Selecting an account shows its orders.
        driver.execute_script(click, "#leaderboard tbody tr[data-name=\"hold-btc\"]")
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#orders tbody tr"), 15, "the selected account's orders")

        # The admin panel creates an account, which then appears in the leaderboard.
        driver.find_element(By.ID, "admin-token").send_keys(token)
        driver.execute_script("document.querySelector('#token-form button[type=submit]').click()")
        driver.find_element(By.CSS_SELECTOR, '#create-form input[name="name"]').send_keys("page-made")
        driver.execute_script("document.querySelector('#create-form button[type=submit]').click()")
        wait_for(lambda: "page-made" in driver.execute_script(read_names), 20, "the account created from the page")
        stored = driver.execute_script("return sessionStorage.getItem('arena.adminToken')")
        assert stored == token, "the token is not kept in session storage"

        # At a phone's width (390 px) the page, the leaderboard and every table read without
        # sideways scrolling: nothing is wider than the box that shows it.
        driver.set_window_size(390, 844)
        wait_for(lambda: driver.execute_script("return window.innerWidth") <= 390, 5, "the window at 390 px")
        time.sleep(0.5)
        overflow = driver.execute_script("""
            const wide = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth) wide.push(`document ${root.scrollWidth} > ${root.clientWidth}`);
            for (const table of document.querySelectorAll('table')) {
              const box = table.parentElement;
              if (table.scrollWidth > box.clientWidth || box.scrollWidth > box.clientWidth)
                wide.push(`#${table.id} ${table.scrollWidth} in ${box.clientWidth}`);
            }
            for (const section of document.querySelectorAll('section'))
              if (section.scrollWidth > section.clientWidth) wide.push(`#${section.id} ${section.scrollWidth} > ${section.clientWidth}`);
            return wide;""")
        assert not overflow, f"sideways scrolling at 390 px: {overflow}"
        traders_width = driver.execute_script(
            "const s = document.getElementById('traders-section'); return [s.scrollWidth, s.clientWidth, s.getBoundingClientRect().right];")
        assert traders_width[0] <= traders_width[1] and traders_width[2] <= 390, f"the traders section is wider than 390 px: {traders_width}"
        driver.set_window_size(1400, 1000)
        time.sleep(0.5)
        driver.save_screenshot(screenshot)

        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not errors, f"console errors: {errors}"
        print("page check passed")
    finally:
        driver.quit()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"page check failed: {failure}", file=sys.stderr)
        sys.exit(1)
