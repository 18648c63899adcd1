// The arena's page: the leaderboard from the API, kept live by the WebSocket feed.
"use strict";

const state = { entries: new Map(), names: new Map(), sortKey: "return_pct", ascending: false, lastSeq: 0 };
const numericKeys = new Set(["equity", "return_pct", "pnl", "fees", "trades"]);

function formatUSD(text) {
  const value = Number(text);
  return Number.isFinite(value) ? value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "–";
}

function signClass(text) {
  const value = Number(text);
  return value > 0 ? "up" : value < 0 ? "down" : "";
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderLeaderboard() {
  const rows = [...state.entries.values()];
  const key = state.sortKey;
  rows.sort((a, b) => {
    const [x, y] = numericKeys.has(key) ? [Number(a[key]), Number(b[key])] : [String(a[key]), String(b[key])];
    if (x === y) return a.account_id - b.account_id;
    return (x < y ? -1 : 1) * (state.ascending ? 1 : -1);
  });
  const ranked = [...state.entries.values()].sort((a, b) => Number(b.return_pct) - Number(a.return_pct));
  const rank = new Map(ranked.map((entry, index) => [entry.account_id, index + 1]));
  const body = document.querySelector("#leaderboard tbody");
  body.replaceChildren(...rows.map((entry) => {
    const tr = document.createElement("tr");
    tr.dataset.account = entry.account_id;
    const mode = document.createElement("td");
    const badge = document.createElement("span");
    badge.className = "mode " + entry.mode;
    badge.textContent = entry.mode === "live" ? "LIVE " + entry.network.toUpperCase() : "PAPER";
    mode.appendChild(badge);
    tr.append(
      cell(String(rank.get(entry.account_id))),
      cell(entry.name),
      cell(entry.model ? entry.driver + " · " + entry.model : entry.driver),
      mode,
      cell(formatUSD(entry.equity), "num"),
      cell(Number(entry.return_pct).toFixed(2) + "%", "num " + signClass(entry.return_pct)),
      cell(formatUSD(entry.pnl), "num " + signClass(entry.pnl)),
      cell(formatUSD(entry.fees), "num"),
      cell(String(entry.trades), "num"));
    return tr;
  }));
  document.querySelectorAll("#leaderboard th").forEach((th) => {
    th.classList.toggle("sorted", th.dataset.key === key);
    th.classList.toggle("asc", th.dataset.key === key && state.ascending);
  });
}

async function loadLeaderboard() {
  const response = await fetch("/api/leaderboard");
  if (!response.ok) throw new Error("leaderboard: HTTP " + response.status);
  const body = await response.json();
  document.getElementById("market").textContent = "market: " + body.market;
  for (const entry of body.entries) {
    state.entries.set(entry.account_id, entry);
    state.names.set(entry.account_id, entry.name);
  }
  renderLeaderboard();
}

function addEvent(kind, text, className) {
  const list = document.getElementById("events");
  const item = document.createElement("li");
  const label = document.createElement("span");
  label.className = "kind";
  label.textContent = kind;
  item.append(label, document.createTextNode(text));
  if (className) item.classList.add(className);
  list.prepend(item);
  while (list.children.length > 200) list.lastChild.remove();
}

function accountName(id) {
  return state.names.get(id) || "account " + id;
}

function handle(message) {
  if (message.seq) state.lastSeq = Math.max(state.lastSeq, message.seq);
  const data = message.data || {};
  switch (message.type) {
    case "hello":
      document.getElementById("market").textContent = "market: " + data.market;
      break;
    case "snapshot": {
      const entry = state.entries.get(data.account_id);
      if (entry) {
        entry.equity = data.equity;
        entry.return_pct = data.return_pct;
        entry.pnl = String(Number(data.equity) - Number(entry.initial_capital));
        renderLeaderboard();
      }
      break;
    }
    case "fill": {
      const entry = state.entries.get(data.account_id);
      if (entry) {
        entry.trades += 1;
        entry.fees = String(Number(entry.fees) + Number(data.fee));
        renderLeaderboard();
      }
      addEvent("fill", `${accountName(data.account_id)} ${data.side} ${data.size} ${data.symbol} @ ${data.price} (fee ${formatUSD(data.fee)})`);
      break;
    }
    case "order":
      if (data.status === "rejected") {
        addEvent("rejected", `${accountName(data.account_id)} ${data.side} ${data.size} ${data.symbol}: ${data.rejection_reason}`, "rejected");
      }
      break;
    case "decision":
      if (data.outcome !== "hold") {
        addEvent("decision", `${accountName(data.account_id)} ${data.outcome}: ${data.rejection_reason || data.justification || ""}`,
          data.outcome === "rejected" || data.outcome === "failed" ? "rejected" : "");
      }
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const resume = state.lastSeq ? "?after_seq=" + state.lastSeq : "";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/feed${resume}`);
  const status = document.getElementById("status");
  socket.onopen = () => status.classList.add("live");
  socket.onmessage = (event) => {
    try { handle(JSON.parse(event.data)); } catch (error) { console.warn("feed message skipped", error); }
  };
  socket.onclose = () => {
    status.classList.remove("live");
    setTimeout(connect, 2000);
  };
}

document.querySelectorAll("#leaderboard th").forEach((th) => {
  th.addEventListener("click", () => {
    const key = th.dataset.key;
    state.ascending = state.sortKey === key ? !state.ascending : key === "name";
    state.sortKey = key;
    renderLeaderboard();
  });
});

loadLeaderboard().catch((error) => addEvent("error", String(error), "rejected")).finally(connect);
setInterval(() => loadLeaderboard().catch(() => {}), 15000);
