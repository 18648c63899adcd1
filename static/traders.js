// The Traders section: tracked Hyperliquid traders ranked (GET /api/traders), their latest events
// live from the feed's trader_event topic, and the copy accounts' drivers shown in the leaderboard.
// Loaded after app.js: it reuses its formatting helpers and hears the feed through "arena:feed".
"use strict";

(() => {
  const section = document.getElementById("traders-section");
  if (!section) return;
  const view = {
    served: false,          // whether this server documents /api/traders (a tracker may run)
    sort: "account_value",
    ascending: false,
    byID: new Map(),        // trader id -> TRADER
    events: [],             // newest first
    copyDrivers: new Map(), // account id -> a copy account's driver object
    reloadPending: false,
  };
  const maximumEvents = 100;
  const emptyText = {
    noTracker: "No trader tracker runs on this server, so there are no traders to rank (see --traders-coins in the README).",
    noTraders: "No traders tracked yet: the tracker discovers active traders from the venue's recent trades, or an operator adds one.",
  };

  function short(address) { return typeof address === "string" && address.length > 12 ? address.slice(0, 6) + "…" + address.slice(-4) : (address || "–"); }
  function text(value) { return value === null || value === undefined ? "–" : String(value); }
  function ratio(value, digits = 1) { return value === null || value === undefined ? "–" : (Number(value) * 100).toFixed(digits) + "%"; }
  function money(value) { return value === null || value === undefined ? "–" : usd(value); }
  function sizeText(size) { const value = number(size); return value === null ? text(size) : String(Math.abs(value)); }
  function showEmpty(message) {
    const empty = document.getElementById("traders-empty");
    empty.textContent = message || "";
    empty.hidden = !message;
  }

  // ---------- the ranked list ----------

  function positionsText(trader) {
    const positions = trader.positions || [];
    if (!positions.length) return "flat";
    return positions.map((p) => `${p.symbol} ${p.side} ${sizeText(p.size)}`).join(", ");
  }

  function followersText(trader) {
    const followers = trader.followers || [];
    return followers.length ? followers.map((id) => accountName(id)).join(", ") : "–";
  }

  function renderTraders(list) {
    const body = document.querySelector("#traders tbody");
    body.replaceChildren(...list.map((trader, index) => {
      const tr = element("tr");
      tr.dataset.trader = trader.id;
      const who = element("td");
      const address = element("span", short(trader.address), "address");
      address.title = trader.address;
      who.append(address);
      if (!trader.active) who.append(element("span", "inactive", "mode"));
      if (trader.source && trader.source !== "discovered") who.append(element("span", trader.source, "mode"));
      const metrics = trader.metrics || {};
      // Every metric of the seed, also the ones without a column, on hover.
      tr.title = [`account age ${text(metrics.account_age_days)} days`, `volume ${money(metrics.total_volume)}`,
        `win rate ${ratio(metrics.win_rate)}`, `average risk ratio ${ratio(metrics.average_risk_ratio)}`,
        `max drawdown ${ratio(metrics.max_drawdown)}`, `max profit ${money(metrics.max_profit)}`, `max loss ${money(metrics.max_loss)}`,
        trader.deactivated_reason ? `deactivated: ${trader.deactivated_reason}` : ""].filter(Boolean).join(" · ");
      tr.append(
        element("td", String(index + 1)),
        who,
        element("td", money(trader.account_value), "num"),
        element("td", money(metrics.total_volume), "num"),
        element("td", ratio(metrics.win_rate), "num"),
        element("td", ratio(metrics.max_drawdown), "num"),
        element("td", positionsText(trader)),
        element("td", followersText(trader)));
      return tr;
    }));
    document.querySelectorAll("#traders th[data-sort]").forEach((th) => {
      th.classList.toggle("sorted", th.dataset.sort === view.sort);
      th.classList.toggle("asc", th.dataset.sort === view.sort && view.ascending);
    });
  }

  async function loadTraders() {
    if (!view.served) return;
    const query = `?sort=${view.sort}&order=${view.ascending ? "asc" : "desc"}&limit=50`;
    let body;
    try {
      body = await getJSON("/api/traders" + query);
    } catch (error) {
      showEmpty(emptyText.noTracker + " (" + String(error.message || error) + ")");
      renderTraders([]);
      return;
    }
    const list = Array.isArray(body.traders) ? body.traders : [];
    view.byID = new Map(list.map((trader) => [trader.id, trader]));
    showEmpty(list.length ? "" : emptyText.noTraders);
    renderTraders(list);
  }

  function scheduleReload() {
    if (view.reloadPending) return;
    view.reloadPending = true;
    setTimeout(() => { view.reloadPending = false; loadTraders().catch(() => {}); }, 5000);
  }

  // ---------- latest events ----------

  function eventLine(event) {
    const item = element("li");
    item.append(element("span", event.kind, "kind"));
    const who = element("span", short(event.address), "who");
    who.title = event.address || "";
    const before = number(event.previous_size);
    const was = before === null || event.kind === "OPEN" ? "" : ` (was ${before > 0 ? "long" : before < 0 ? "short" : "flat"} ${Math.abs(before)})`;
    const entry = event.entry_price ? ` @ ${event.entry_price}` : "";
    item.append(who, document.createTextNode(`${event.symbol} ${event.side} ${sizeText(event.size)}${was}${entry} · ${time(event.time)}`));
    return item;
  }

  function renderEvents() {
    document.getElementById("trader-events").replaceChildren(...view.events.map(eventLine));
  }

  function addEvent(event) {
    if (!event || typeof event.id !== "number" || view.events.some((known) => known.id === event.id)) return;
    view.events.push(event);
    view.events.sort((a, b) => b.time - a.time || b.id - a.id);
    view.events.length = Math.min(view.events.length, maximumEvents);
  }

  async function loadEvents() {
    const top = [...view.byID.values()].slice(0, 10);
    const pages = await Promise.all(top.map((trader) => getJSON(`/api/traders/${trader.id}/events?limit=10`).catch(() => ({ events: [] }))));
    for (const page of pages) for (const event of page.events || []) addEvent(event);
    renderEvents();
  }

  document.addEventListener("arena:feed", (feed) => {
    const message = feed.detail || {};
    if (message.type !== "trader_event") return;
    addEvent(message.data);
    renderEvents();
    scheduleReload();
  });

  // ---------- copy accounts in the leaderboard ----------

  async function loadCopyDrivers() {
    const body = await getJSON("/api/accounts");
    const copies = new Map();
    for (const account of body.accounts || []) {
      if (account.driver && account.driver.kind === "copy") copies.set(account.id, account.driver);
    }
    const changed = copies.size !== view.copyDrivers.size || [...copies].some(([id, d]) => JSON.stringify(view.copyDrivers.get(id)) !== JSON.stringify(d));
    view.copyDrivers = copies;
    if (changed && typeof renderLeaderboard === "function") renderLeaderboard();
  }

  // The leaderboard's driver cell of a copy account: the trader it follows and its sizing.
  function driverLabel(entry) {
    const driver = view.copyDrivers.get(entry.account_id);
    if (!driver) return null;
    const sizing = driver.ratio ? "× " + driver.ratio : driver.notional_usd ? "$" + driver.notional_usd : "";
    return `copy · ${short(driver.trader)} ${sizing}`.trim();
  }
  window.arenaTraders = { driverLabel };

  // ---------- start ----------

  document.querySelectorAll("#traders th[data-sort]").forEach((th) => {
    th.addEventListener("click", () => {
      const key = th.dataset.sort;
      view.ascending = view.sort === key ? !view.ascending : key === "max_drawdown";
      view.sort = key;
      loadTraders().catch(() => {});
    });
  });

  // Only a server that documents /api/traders is asked for it, so a server without the tracker
  // shows the empty state instead of a failed request.
  getJSON("/openapi.json")
    .then((spec) => { view.served = Boolean(spec.paths && spec.paths["/api/traders"]); })
    .catch(() => { view.served = false; })
    .then(() => {
      if (!view.served) { showEmpty(emptyText.noTracker); return; }
      return loadTraders().then(loadEvents);
    })
    .catch(() => {});
  loadCopyDrivers().catch(() => {});
  // Followers are named from the leaderboard, which may arrive after the traders.
  document.addEventListener("arena-leaderboard", () => { if (view.byID?.size) renderTraders([...view.byID.values()]); });
  setInterval(() => { loadTraders().catch(() => {}); loadCopyDrivers().catch(() => {}); }, 30000);
})();
