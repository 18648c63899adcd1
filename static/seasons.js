// The seasons section: past seasons from /api/seasons, each with links to its report and chart.
"use strict";

(function () {
  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function percent(value) {
    return value === null || value === undefined ? "–" : value.toFixed(2) + "%";
  }

  async function loadSeasons() {
    let body;
    try {
      const response = await fetch("/api/seasons");
      if (!response.ok) return;
      body = await response.json();
    } catch (error) {
      return;
    }
    const seasons = body.seasons || [];
    document.getElementById("seasons-hint").hidden = seasons.length > 0;
    document.querySelector("#seasons tbody").replaceChildren(...seasons.map((season) => {
      const row = document.createElement("tr");
      const base = "/api/seasons/" + encodeURIComponent(season.name);
      row.append(cell(season.name), cell(String(season.entrants), "num"), cell(String(season.repeats), "num"));
      const leader = season.top && season.top[0];
      row.append(cell(leader ? `${leader.name} ${percent(leader.mean_return_pct)} [${percent(leader.ci_low)}, ${percent(leader.ci_high)}]` : "–"));
      const reports = document.createElement("td");
      reports.append(link(base + "/report.html", "report"), document.createTextNode(" · "), link(base + "/report.png", "chart"),
        document.createTextNode(" · "), link(base, "results"));
      row.append(reports);
      return row;
    }));
  }

  loadSeasons();
  setInterval(loadSeasons, 60000);
})();
