// The arena's page: leaderboard, equity chart, model chat, trades and positions, all kept live
// by the WebSocket feed after one load from the API.
"use strict";

const palette = ["#5aa9ff", "#2ecc71", "#f5b041", "#ff5c5c", "#b388ff", "#4dd0e1", "#ff8a65", "#aed581", "#f06292", "#9575cd", "#4db6ac", "#e0e0e0"];
const state = {
  entries: new Map(),     // account id -> leaderboard entry
  curves: new Map(),      // account id -> [[time, equity]]
  sortKey: "return_pct",
  ascending: false,
  lastSeq: 0,
  selected: null,
  hoverTime: null,
};
const textKeys = new Set(["name", "model"]);
const maximumCurvePoints = 2000;

// ---------- formatting ----------

function number(text) { const value = Number(text); return Number.isFinite(value) ? value : null; }
function usd(text) {
  const value = number(text);
  return value === null ? "–" : value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
function percent(value, digits = 2) { return value === null || value === undefined ? "–" : Number(value).toFixed(digits) + "%"; }
function signClass(value) { const v = number(value); return v > 0 ? "up" : v < 0 ? "down" : ""; }
function time(ms) { return new Date(ms).toLocaleTimeString(); }
function colour(id) { return palette[(id - 1) % palette.length]; }
function accountName(id) { return state.entries.get(id)?.name || "account " + id; }
function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}
function modeBadge(entry) {
  const badge = element("span", entry.mode === "live" ? "LIVE " + entry.network.toUpperCase() : "PAPER", "mode");
  if (entry.mode === "live") badge.classList.add("live-" + entry.network);
  return badge;
}

async function getJSON(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

// ---------- leaderboard ----------

function sortValue(entry, key) {
  if (key === "model") return (entry.model ? entry.driver + " " + entry.model : entry.driver);
  if (textKeys.has(key)) return entry[key] || "";
  return number(entry[key]);
}

function renderLeaderboard() {
  const key = state.sortKey;
  const rows = [...state.entries.values()].sort((a, b) => {
    const x = sortValue(a, key), y = sortValue(b, key);
    if (x === y) return a.account_id - b.account_id;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * (state.ascending ? 1 : -1);
  });
  const ranked = [...state.entries.values()].sort((a, b) => b.return_pct - a.return_pct || a.account_id - b.account_id);
  const rank = new Map(ranked.map((entry, index) => [entry.account_id, index + 1]));
  const body = document.querySelector("#leaderboard tbody");
  body.replaceChildren(...rows.map((entry) => {
    const tr = element("tr");
    tr.dataset.account = entry.account_id;
    tr.dataset.name = entry.name;
    if (entry.account_id === state.selected) tr.classList.add("selected");
    const name = element("td");
    const swatch = element("span", "", "swatch");
    swatch.style.background = colour(entry.account_id);
    name.append(swatch, document.createTextNode(entry.name), modeBadge(entry));
    tr.append(
      element("td", String(rank.get(entry.account_id))),
      name,
      element("td", window.arenaTraders?.driverLabel(entry) || (entry.model ? entry.driver + " · " + entry.model : entry.driver)),
      element("td", usd(entry.equity), "num"),
      element("td", percent(entry.return_pct), "num " + signClass(entry.return_pct)),
      element("td", usd(entry.pnl), "num " + signClass(entry.pnl)),
      element("td", usd(entry.fees), "num"),
      element("td", String(entry.trades), "num"),
      element("td", percent(entry.win_rate, 1), "num"),
      element("td", entry.sharpe === null || entry.sharpe === undefined ? "–" : entry.sharpe.toFixed(2), "num"),
      element("td", percent(entry.max_drawdown_pct), "num"),
      element("td", number(entry.llm_cost) ? "$" + Number(entry.llm_cost).toFixed(4) : "–", "num"));
    tr.addEventListener("click", () => selectAccount(entry.account_id));
    return tr;
  }));
  document.querySelectorAll("#leaderboard th[data-key]").forEach((th) => {
    th.classList.toggle("sorted", th.dataset.key === key);
    th.classList.toggle("asc", th.dataset.key === key && state.ascending);
  });
  renderModels();
  renderLegend();
}

async function loadLeaderboard() {
  // Tracked traders have their own section (traders.js); this table ranks the arena's accounts.
  const body = await getJSON("/api/leaderboard?kind=account");
  setMarket(body.market);
  for (const entry of body.entries) state.entries.set(entry.account_id, entry);
  renderLeaderboard();
  document.dispatchEvent(new Event("arena-leaderboard"));
}

function setMarket(description) {
  const banner = document.getElementById("market");
  banner.textContent = "market: " + description;
  banner.classList.toggle("fallback", /fallback/i.test(description));
}

// ---------- models compared ----------

function renderModels() {
  const groups = new Map();
  for (const entry of state.entries.values()) {
    const key = entry.model ? entry.driver + " · " + entry.model : entry.driver;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(entry);
  }
  const rows = [...groups.entries()].map(([key, entries]) => {
    const returns = entries.map((e) => e.return_pct);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const spread = returns.length > 1 ? Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (returns.length - 1)) : 0;
    const cost = entries.reduce((a, e) => a + (number(e.llm_cost) || 0), 0);
    return { key, count: entries.length, mean, spread, cost };
  }).sort((a, b) => b.mean - a.mean);
  document.querySelector("#models tbody").replaceChildren(...rows.map((row) => {
    const tr = element("tr");
    tr.append(element("td", row.key), element("td", String(row.count), "num"),
      element("td", percent(row.mean), "num " + signClass(row.mean)), element("td", percent(row.spread), "num"),
      element("td", row.cost ? "$" + row.cost.toFixed(4) : "–", "num"));
    return tr;
  }));
}

// ---------- equity chart ----------

async function loadCurves() {
  await Promise.all([...state.entries.keys()].map(async (id) => {
    try {
      const body = await getJSON(`/api/accounts/${id}/equity?points=400`);
      const existing = state.curves.get(id) || [];
      const loaded = body.points.map((p) => [p.time, Number(p.equity)]);
      const lastLoaded = loaded.length ? loaded[loaded.length - 1][0] : -Infinity;
      state.curves.set(id, loaded.concat(existing.filter((p) => p[0] > lastLoaded)));
    } catch (error) {
      console.warn("equity curve not loaded", id, error);
    }
  }));
  renderChart();
}

function addCurvePoint(id, t, equity) {
  if (!state.curves.has(id)) state.curves.set(id, []);
  const curve = state.curves.get(id);
  if (curve.length && curve[curve.length - 1][0] >= t) return;
  curve.push([t, equity]);
  if (curve.length > maximumCurvePoints) curve.splice(0, curve.length - maximumCurvePoints);
}

let chartScheduled = false;
function scheduleChart() {
  if (chartScheduled) return;
  chartScheduled = true;
  requestAnimationFrame(() => { chartScheduled = false; renderChart(); });
}

function chartGeometry() {
  const svg = document.getElementById("equity-chart");
  const width = svg.clientWidth || 600, height = svg.clientHeight || 260;
  let minT = Infinity, maxT = -Infinity, minV = Infinity, maxV = -Infinity;
  for (const curve of state.curves.values()) {
    for (const [t, v] of curve) {
      minT = Math.min(minT, t); maxT = Math.max(maxT, t); minV = Math.min(minV, v); maxV = Math.max(maxV, v);
    }
  }
  if (!Number.isFinite(minT)) return null;
  if (maxT === minT) maxT = minT + 1;
  const pad = (maxV - minV) * 0.08 || Math.max(1, Math.abs(maxV) * 0.001);
  minV -= pad; maxV += pad;
  const left = 64, right = 8, top = 8, bottom = 22;
  return {
    svg, width, height, minT, maxT, minV, maxV, left, right, top, bottom,
    x: (t) => left + (t - minT) / (maxT - minT) * (width - left - right),
    y: (v) => top + (1 - (v - minV) / (maxV - minV)) * (height - top - bottom),
    timeAt: (px) => minT + (px - left) / (width - left - right) * (maxT - minT),
  };
}

function svgNode(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function renderChart() {
  const g = chartGeometry();
  const svg = document.getElementById("equity-chart");
  if (!g) { svg.replaceChildren(); return; }
  const nodes = [];
  for (let i = 0; i <= 4; i++) {
    const v = g.minV + (g.maxV - g.minV) * i / 4;
    nodes.push(svgNode("line", { x1: g.left, x2: g.width - g.right, y1: g.y(v), y2: g.y(v), class: "axis" }));
    const label = svgNode("text", { x: g.left - 6, y: g.y(v) + 4, "text-anchor": "end", class: "label" });
    label.textContent = Math.round(v).toLocaleString();
    nodes.push(label);
  }
  for (const t of [g.minT, (g.minT + g.maxT) / 2, g.maxT]) {
    const label = svgNode("text", { x: g.x(t), y: g.height - 6, "text-anchor": t === g.minT ? "start" : t === g.maxT ? "end" : "middle", class: "label" });
    label.textContent = time(t);
    nodes.push(label);
  }
  for (const [id, curve] of state.curves) {
    if (!curve.length) continue;
    const points = curve.map(([t, v]) => g.x(t).toFixed(1) + "," + g.y(v).toFixed(1)).join(" ");
    nodes.push(svgNode("polyline", { points, fill: "none", stroke: colour(id), "stroke-width": id === state.selected ? 2.5 : 1.5, "data-account": id }));
  }
  if (state.hoverTime !== null) {
    const x = g.x(state.hoverTime);
    nodes.push(svgNode("line", { x1: x, x2: x, y1: g.top, y2: g.height - g.bottom, class: "cursor" }));
  }
  svg.replaceChildren(...nodes);
}

function valueAt(curve, t) {
  let best = null;
  for (const point of curve) { if (point[0] <= t) best = point; else break; }
  return best || curve[0];
}

function showTooltip(event) {
  const g = chartGeometry();
  const tooltip = document.getElementById("tooltip");
  if (!g) return;
  const rect = g.svg.getBoundingClientRect();
  const px = event.clientX - rect.left;
  state.hoverTime = Math.min(g.maxT, Math.max(g.minT, g.timeAt(px)));
  const lines = [...state.curves.entries()].filter(([, c]) => c.length)
    .map(([id, curve]) => [id, valueAt(curve, state.hoverTime)[1]]).sort((a, b) => b[1] - a[1]);
  tooltip.replaceChildren(element("div", time(state.hoverTime), "muted"), ...lines.map(([id, value]) => {
    const row = element("div");
    const swatch = element("span", "", "swatch");
    swatch.style.background = colour(id);
    row.append(swatch, document.createTextNode(accountName(id) + "  " + usd(value)));
    return row;
  }));
  tooltip.hidden = false;
  tooltip.style.left = (px > rect.width / 2 ? Math.max(0, px - tooltip.offsetWidth - 12) : px + 12) + "px";
  renderChart();
}

function renderLegend() {
  const legend = document.getElementById("legend");
  legend.replaceChildren(...[...state.entries.values()].sort((a, b) => a.account_id - b.account_id).map((entry) => {
    const item = element("span");
    const swatch = element("span", "", "swatch");
    swatch.style.background = colour(entry.account_id);
    item.append(swatch, document.createTextNode(entry.name));
    return item;
  }));
}

// ---------- model chat and trades ----------

function prependLimited(list, item, limit = 200) {
  list.prepend(item);
  while (list.children.length > limit) list.lastChild.remove();
}

function addDecision(decision) {
  if (decision.outcome === "hold" && decision.driver !== "llm") return;   // rule baselines hold often: keep the chat readable
  const item = element("li");
  item.append(element("span", accountName(decision.account_id), "who"), element("span", decision.outcome, "outcome " + decision.outcome));
  const text = decision.rejection_reason ? decision.rejection_reason + (decision.justification ? " — " + decision.justification : "")
    : decision.justification || (decision.actions || []).join(", ");
  item.append(element("div", text));
  item.append(element("div", time(decision.time) + (decision.latency_ms ? " · " + decision.latency_ms + " ms" : ""), "muted"));
  prependLimited(document.getElementById("decisions"), item);
}

function addTrade(kind, text, className) {
  const item = element("li");
  item.append(element("span", kind, "kind"), document.createTextNode(text));
  if (className) item.classList.add(className);
  prependLimited(document.getElementById("events"), item);
}

async function loadRecentDecisions() {
  const all = [];
  await Promise.all([...state.entries.keys()].map(async (id) => {
    try {
      const body = await getJSON(`/api/accounts/${id}/decisions?limit=10`);
      for (const d of body.decisions) {
        let justification = d.reasoning;
        try { justification = JSON.parse(d.decision || "{}").instructions?.find((i) => i.action !== "hold")?.justification || justification; } catch (_) { /* keep reasoning */ }
        all.push({ account_id: id, outcome: d.outcome, rejection_reason: d.rejection_reason, justification, driver: d.driver, time: d.time, latency_ms: d.latency_ms });
      }
    } catch (error) { console.warn("decisions not loaded", id, error); }
  }));
  all.sort((a, b) => a.time - b.time).forEach(addDecision);
}

// The newest fills and refusals of every account, so the trades panel is full when the page opens
// (the feed then adds each new one on top).
async function loadRecentTrades() {
  const trades = [];
  await Promise.all([...state.entries.keys()].map(async (id) => {
    try {
      const [fills, refused] = await Promise.all([getJSON(`/api/accounts/${id}/fills?limit=10`),
        getJSON(`/api/accounts/${id}/orders?status=rejected&limit=5`)]);
      for (const row of fills.fills) trades.push({ time: row.fill.time, kind: "fill", fill: row.fill });
      for (const order of refused.orders) trades.push({ time: order.updated_at, kind: "rejected", order });
    } catch (error) { console.warn("trades not loaded", id, error); }
  }));
  trades.sort((a, b) => a.time - b.time).slice(-100).forEach((trade) => {
    if (trade.kind === "fill") addFill(trade.fill);
    else addRefusal(trade.order);
  });
}

function addFill(fill) {
  addTrade("fill", `${accountName(fill.account_id)} ${fill.side} ${fill.size} ${fill.symbol} @ ${fill.price}` +
    (fill.is_liquidation ? " (liquidation)" : "") + ` · fee ${usd(fill.fee)}`, fill.is_liquidation ? "rejected" : "");
}

function addRefusal(order) {
  addTrade("rejected", `${accountName(order.account_id)} ${order.side} ${order.size} ${order.symbol}: ${order.rejection_reason}`, "rejected");
}

// ---------- selected account ----------

async function selectAccount(id) {
  state.selected = id;
  renderLeaderboard();
  renderChart();
  document.getElementById("account-title").textContent = "Positions · " + accountName(id);
  document.getElementById("account-hint").hidden = true;
  await refreshAccount();
}

async function refreshAccount() {
  const id = state.selected;
  if (id === null) return;
  const [positions, orders] = await Promise.all([getJSON(`/api/accounts/${id}/positions`), getJSON(`/api/accounts/${id}/orders?limit=25`)]);
  if (id !== state.selected) return;
  document.querySelector("#positions tbody").replaceChildren(...positions.positions.map((p) => {
    const tr = element("tr");
    tr.append(element("td", p.symbol), element("td", p.side, p.side === "long" ? "up" : "down"), element("td", p.size, "num"),
      element("td", p.entry_price, "num"), element("td", p.mark_price || "–", "num"),
      element("td", usd(p.unrealized_pnl), "num " + signClass(p.unrealized_pnl)), element("td", p.leverage + "x", "num"));
    return tr;
  }));
  document.querySelector("#orders tbody").replaceChildren(...orders.orders.map((o) => {
    const tr = element("tr");
    const slippage = number(o.slippage_bps);
    const label = o.status === "partially_filled" ? "partly filled, rest cancelled" : o.status;
    const status = element("td", label + (o.rejection_reason ? ": " + o.rejection_reason : ""), o.status === "rejected" ? "rejected" : "");
    tr.append(element("td", time(o.created_at)), element("td", o.symbol), element("td", o.side, o.side === "buy" ? "up" : "down"),
      element("td", o.filled_size + " / " + o.size, "num"), element("td", o.average_fill_price || "–", "num"),
      element("td", slippage === null ? "–" : slippage.toFixed(2) + " bp", "num slippage" + (slippage !== null && slippage > 5 ? " high" : "")),
      status);
    return tr;
  }));
}

// ---------- the feed ----------

function handle(message) {
  if (typeof message.seq === "number") state.lastSeq = Math.max(state.lastSeq, message.seq);
  // Other parts of the page (traders.js) hear every message too.
  document.dispatchEvent(new CustomEvent("arena:feed", { detail: message }));
  const data = message.data || {};
  switch (message.type) {
    case "hello":
      setMarket(data.market);
      break;
    case "snapshot": {
      const entry = state.entries.get(data.account_id);
      if (entry) {
        entry.equity = data.equity;
        entry.return_pct = data.return_pct;
        entry.pnl = String(Number(data.equity) - Number(entry.initial_capital));
        renderLeaderboard();
      }
      addCurvePoint(data.account_id, data.time, Number(data.equity));
      scheduleChart();
      break;
    }
    case "fill": {
      const entry = state.entries.get(data.account_id);
      if (entry) {
        entry.trades += 1;
        entry.fees = String(Number(entry.fees) + Number(data.fee));
        renderLeaderboard();
      }
      addFill(data);
      if (data.account_id === state.selected) refreshAccount().catch(() => {});
      break;
    }
    case "order":
      if (data.status === "rejected") addRefusal(data);
      break;
    case "decision":
      addDecision(data);
      break;
    case "alert":
      addTrade("alert", data.message, "rejected");
      break;
    case "pruned":
      // The feed no longer holds what we missed (its retention window): reload the state instead.
      loadLeaderboard().then(() => loadCurves()).catch(() => {});
      break;
    case "leaderboard":
      for (const line of data.ranking || []) {
        const entry = state.entries.get(line.account_id);
        if (entry) { entry.equity = line.equity; entry.return_pct = line.return_pct; }
        else loadLeaderboard().catch(() => {});
      }
      renderLeaderboard();
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  // batch=true: a busy feed may put several messages in one frame, one JSON object per line.
  const resume = state.lastSeq ? "&after_seq=" + state.lastSeq : "";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/feed?batch=true${resume}`);
  const status = document.getElementById("status");
  socket.onopen = () => { status.classList.add("live"); status.textContent = "● live"; };
  socket.onmessage = (event) => {
    for (const line of String(event.data).split("\n")) {
      let message;
      try { message = JSON.parse(line); } catch (_) { continue; }
      handle(message);
    }
  };
  socket.onclose = () => {
    status.classList.remove("live");
    status.textContent = "● reconnecting";
    setTimeout(connect, 2000);
  };
}

// ---------- admin ----------

function adminToken() { return sessionStorage.getItem("arena.adminToken"); }

async function admin(method, path, body) {
  const result = document.getElementById("admin-result");
  const token = adminToken();
  if (!token) { result.textContent = "Enter the admin token first."; return null; }
  const response = await fetch(path, {
    method, headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reply = await response.json().catch(() => ({}));
  result.textContent = response.ok ? `${method} ${path}: done` : `${method} ${path}: ${reply.error || "HTTP " + response.status}`;
  return response.ok ? reply : null;
}

// What an LLM account's next decision would send (GET /api/accounts/{id}/prompt, admin only).
document.getElementById("prompt-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = new FormData(event.target).get("id");
  const reply = await admin("GET", `/api/accounts/${encodeURIComponent(id)}/prompt`);
  document.getElementById("prompt-system").textContent = reply ? reply.system : "";
  document.getElementById("prompt-user").textContent = reply ? reply.user : (document.getElementById("admin-result").textContent || "");
});

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("arena.adminToken", document.getElementById("admin-token").value);
  document.getElementById("admin-token").value = "";
  document.getElementById("admin-result").textContent = "Token kept for this tab.";
});
document.getElementById("forget-token").addEventListener("click", () => {
  sessionStorage.removeItem("arena.adminToken");
  document.getElementById("admin-result").textContent = "Token forgotten.";
});
document.getElementById("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const symbols = String(form.get("symbols")).split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
  const driver = { kind: form.get("kind") };
  if (driver.kind !== "random") driver.symbol = symbols[0];
  if (driver.kind === "hedge4") { driver.unit_size = String(form.get("unit_size")); driver.initial_margin = String(Number(form.get("capital")) / 10); }
  if (driver.kind === "fibonacci") driver.initial_margin = String(Number(form.get("capital")) / 10);
  const created = await admin("POST", "/api/accounts", { name: form.get("name"), driver, symbols, initial_capital: String(form.get("capital")) });
  if (created) loadLeaderboard().catch(() => {});
});
document.getElementById("mode-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const reply = await admin("POST", `/api/accounts/${encodeURIComponent(form.get("id"))}/mode`, {
    mode: form.get("mode"), network: form.get("network"), confirm: form.get("confirm"), positions: form.get("positions"),
  });
  if (reply && reply.preflight) {
    document.getElementById("admin-result").textContent += " · " + reply.preflight.map((c) => `${c.name}: ${c.passed ? "ok" : c.detail}`).join("; ");
  }
  loadLeaderboard().catch(() => {});
});
document.getElementById("kill-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const close = new FormData(event.target).get("close") === "on";
  if (confirm(close ? "Halt all trading and close every position?" : "Halt all new orders?")) {
    await admin("POST", "/api/kill-switch", { close_positions: close, reason: "from the page" });
  }
});
document.getElementById("release-kill").addEventListener("click", () => admin("DELETE", "/api/kill-switch"));

// ---------- start ----------

document.querySelectorAll("#leaderboard th[data-key]").forEach((th) => {
  th.addEventListener("click", () => {
    const key = th.dataset.key;
    state.ascending = state.sortKey === key ? !state.ascending : textKeys.has(key);
    state.sortKey = key;
    renderLeaderboard();
  });
});
const chart = document.getElementById("chart");
chart.addEventListener("mousemove", showTooltip);
chart.addEventListener("mouseleave", () => { state.hoverTime = null; document.getElementById("tooltip").hidden = true; renderChart(); });
window.addEventListener("resize", scheduleChart);

loadLeaderboard()
  .then(() => Promise.all([loadCurves(), loadRecentDecisions(), loadRecentTrades()]))
  .catch((error) => addTrade("error", String(error), "rejected"))
  .finally(connect);
setInterval(() => loadLeaderboard().catch(() => {}), 15000);
