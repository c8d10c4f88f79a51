// The page's behaviour: switch or upload a scenario, mark and collect edited stances, run
// a forecast and draw it on each issue's scale, compare two saved runs. The server renders
// every piece of HTML; this file only moves it into place. No framework, no build step.
"use strict";

function currentRef() {
  const text = document.getElementById("scenario-text");
  if (text) return { text: text.value };
  return { bundled: document.getElementById("bundled").value };
}

function num(input) { return parseFloat(input.value); }

const FIELDS = ["pos-lo", "pos-hi", "sal-lo", "sal-hi"];

function edited(row) {
  return FIELDS.some((cls) => {
    const input = row.querySelector("." + cls);
    return num(input) !== parseFloat(input.dataset.orig);
  });
}

function changes() {
  const out = [];
  for (const row of document.querySelectorAll("#stances tr[data-actor][data-issue]")) {
    if (!edited(row)) continue;
    const get = (cls) => num(row.querySelector("." + cls));
    out.push({
      actor: row.dataset.actor, issue: row.dataset.issue,
      position: [get("pos-lo"), get("pos-hi")],
      salience: [get("sal-lo"), get("sal-hi")],
    });
  }
  return out;
}

// a changed stance is marked, shows its cited values, and its marker moves on the scale
function markChanged(event) {
  const row = event.target.closest("tr[data-actor][data-issue]");
  if (!row) return;
  const changed = edited(row);
  row.classList.toggle("changed", changed);
  row.querySelector(".cited").hidden = !changed;
  const card = row.closest(".issue-card");
  const marker = card && card.querySelector(`.marker[data-actor="${row.dataset.actor}"]`);
  if (marker) {
    const lo = num(row.querySelector(".pos-lo"));
    const hi = num(row.querySelector(".pos-hi"));
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi) {
      marker.style.left = `${lo}%`;
      marker.style.width = `${hi - lo}%`;
    }
  }
}

async function post(url, body) {
  const init = body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  return answer(await fetch(url, init));
}

async function answer(response) {
  let text = await response.text();
  if (response.status === 413 || response.headers.get("content-type")?.includes("json")) {
    let detail = text;
    try { detail = JSON.parse(text).detail; } catch (e) { /* keep the raw text */ }
    if (typeof detail !== "string") detail = JSON.stringify(detail);
    text = `<div class="problems"><p><b>${escapeHtml(detail)}</b></p></div>`;
  }
  return { ok: response.ok, html: text };
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// put a scenario's cards in place, or show why the scenario was refused
function showStancesOrProblems(got) {
  const problems = document.getElementById("problems");
  if (got.ok) {
    document.getElementById("scenario").innerHTML = got.html;
    problems.innerHTML = "";
    document.getElementById("results").innerHTML = "";
  } else {
    problems.innerHTML = got.html;
  }
}

async function showScenario(ref) {
  showStancesOrProblems(await post("/ui/stances", ref));
}

async function upload() {
  const input = document.getElementById("upload");
  if (!input.files.length) return;
  const form = new FormData();
  form.append("file", input.files[0]);
  showStancesOrProblems(await post("/ui/upload", form));
}

// each issue's forecast distribution drawn above its scale: bars, median, 90% interval
function drawForecast() {
  const data = document.getElementById("forecast-data");
  if (!data) return;
  for (const row of JSON.parse(data.textContent)) {
    const dist = document.querySelector(`.dist[data-issue="${row.issue}"]`);
    if (!dist) continue;
    const cal = row.calibrated;
    const hist = cal ? cal.histogram : row.histogram;
    const top = Math.max(...hist) || 1;
    const parts = hist.map((v, k) =>
      `<span style="left: ${10 * k}%; height: ${(100 * v / top).toFixed(0)}%"></span>`);
    const median = cal ? cal.median : row.median;
    parts.push(`<span class="median" style="left: ${median}%" title="median ${median.toFixed(1)}"></span>`);
    if (cal) {
      const [lo, hi] = cal.intervals["90"];
      parts.push(`<span class="interval" style="left: ${lo}%; width: ${hi - lo}%" title="90% interval ${lo.toFixed(1)}-${hi.toFixed(1)}"></span>`);
    }
    dist.innerHTML = parts.join("");
    dist.setAttribute("aria-label", `forecast median ${median.toFixed(1)}`);
  }
}

async function refreshRuns() {
  const runs = await fetch("/ui/runs");
  document.getElementById("runs").innerHTML = await runs.text();
  document.getElementById("compare-button")?.addEventListener("click", compareRuns);
}

async function runForecast() {
  const status = document.getElementById("status");
  const button = document.getElementById("run-button");
  const progress = document.getElementById("progress");
  const problems = document.getElementById("run-problems");
  button.disabled = true;
  const started = performance.now();
  const token = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + "-" + Math.random()).replace(/[^A-Za-z0-9-]/g, "");
  status.textContent = "running...";
  // past half a second, show how far the forecast has got (the server counts samples)
  let polling = false;
  const ticker = setInterval(async () => {
    const s = (performance.now() - started) / 1000;
    if (s <= 0.5 || polling) return;
    polling = true;
    progress.hidden = false;
    try {
      const r = await fetch(`/api/progress/${token}`);
      if (r.ok) {
        const p = await r.json();
        progress.max = p.total;
        progress.value = p.done;
        status.textContent = `running... ${p.done.toLocaleString()} of ${p.total.toLocaleString()} samples, ${s.toFixed(1)} s`;
      } else {
        status.textContent = `running... ${s.toFixed(1)} s`;
      }
    } catch (e) {
      status.textContent = `running... ${s.toFixed(1)} s`;
    } finally {
      polling = false;
    }
  }, 200);
  try {
    const body = Object.assign(currentRef(), {
      changes: changes(),
      model: document.getElementById("model").value,
      samples: parseInt(document.getElementById("samples").value, 10),
      seed: parseInt(document.getElementById("seed").value, 10),
      progress_token: token,
    });
    const got = await post("/ui/forecast", body);
    clearInterval(ticker);
    if (got.ok) {
      document.getElementById("results").innerHTML = got.html;
      problems.innerHTML = "";
      drawForecast();
      status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(1)} s`;
      await refreshRuns();
    } else {
      problems.innerHTML = got.html;
      status.textContent = "failed: see why below";
    }
  } catch (e) {
    problems.innerHTML = `<div class="problems"><p><b>${escapeHtml(String(e))}</b></p></div>`;
    status.textContent = "failed";
  } finally {
    clearInterval(ticker);
    progress.hidden = true;
    button.disabled = false;
  }
}

async function compareRuns() {
  const a = document.getElementById("compare-a").value;
  const b = document.getElementById("compare-b").value;
  const problems = document.getElementById("compare-problems");
  const got = await answer(await fetch(`/ui/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`));
  if (got.ok) {
    document.getElementById("comparison").innerHTML = got.html;
    problems.innerHTML = "";
  } else {
    problems.innerHTML = got.html;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("bundled").addEventListener("change", (e) => {
    document.getElementById("upload").value = "";
    showScenario({ bundled: e.target.value });
  });
  document.getElementById("upload").addEventListener("change", upload);
  document.getElementById("run-button").addEventListener("click", runForecast);
  document.getElementById("scenario").addEventListener("input", markChanged);
  document.getElementById("compare-button")?.addEventListener("click", compareRuns);
});
