// The page's behaviour: switch or upload a scenario, mark and collect edited stances, run
// a forecast and draw it on each issue's scale, compare two saved runs, page through the
// saved runs. No framework, no build step.
//
// Safety: the server renders (and escapes) every piece of HTML; this file puts those
// fragments in place and never builds HTML from data. Text from JSON goes in through
// textContent, drawings through createElement and the style properties; the page's CSP
// allows no inline script or style, so positions travel in data-css attributes and are
// applied here (see applyStyles).
"use strict";

function currentRef() {
  const text = document.getElementById("scenario-text");
  if (text) return { text: text.value };
  return { bundled: document.getElementById("bundled").value };
}

function num(input) { return parseFloat(input.value); }

const FIELDS = ["pos-lo", "pos-hi", "sal-lo", "sal-hi"];

// the style properties data-css may set, and the values they may take (a number and a unit)
const STYLE_PROPS = new Set(["left", "width", "top", "height", "opacity"]);
const STYLE_VALUE = /^-?\d+(\.\d+)?(e-?\d+)?(%|rem)?$/;

function applyStyles(root) {
  for (const el of root.querySelectorAll("[data-css]")) {
    let props = {};
    try { props = JSON.parse(el.dataset.css); } catch (e) { continue; }
    for (const [name, value] of Object.entries(props)) {
      if (STYLE_PROPS.has(name) && STYLE_VALUE.test(String(value))) el.style.setProperty(name, value);
    }
  }
}

function edited(row) {
  return FIELDS.some((cls) => {
    const input = row.querySelector("." + cls);
    return num(input) !== parseFloat(input.dataset.orig);
  });
}

// what a field is called in a message: "position low"
const FIELD_WORDS = { "pos-lo": "position low", "pos-hi": "position high", "sal-lo": "salience low", "sal-hi": "salience high" };

// the changed stances; a field that is not a number is refused, naming whose it is
function changes() {
  const out = [];
  for (const row of document.querySelectorAll("#stances tr[data-actor][data-issue]")) {
    if (!edited(row)) continue;
    const get = (cls) => num(row.querySelector("." + cls));
    for (const cls of Object.keys(FIELD_WORDS)) {
      if (!Number.isFinite(get(cls))) {
        const who = row.querySelector("td").textContent.trim();
        throw new Error(`${who} on ${row.dataset.issue}: the ${FIELD_WORDS[cls]} is not a number (give one, or the cited value back)`);
      }
    }
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
  const marker = card && card.querySelector(`.marker[data-actor="${CSS.escape(row.dataset.actor)}"]`);
  if (marker) {
    const lo = num(row.querySelector(".pos-lo"));
    const hi = num(row.querySelector(".pos-hi"));
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi) {
      marker.style.left = `${lo}%`;
      marker.style.width = `${hi - lo}%`;
      marker.classList.toggle("flip", (lo + hi) / 2 > 62);
    }
  }
  if (card) shade(card);
  if (card) placeLabels(card);
}

// each marker's shade is its actor's weight on the issue, capability x salience (midpoints),
// relative to the issue's largest, as the server draws it: recomputed as saliences change
function shade(card) {
  const weights = [];
  for (const row of card.querySelectorAll("tr[data-actor][data-issue]")) {
    const marker = card.querySelector(`.marker[data-actor="${CSS.escape(row.dataset.actor)}"]`);
    if (!marker) continue;
    const sal = (num(row.querySelector(".sal-lo")) + num(row.querySelector(".sal-hi"))) / 2;
    const w = parseFloat(marker.dataset.capability) * sal;
    weights.push([marker, Number.isFinite(w) && w >= 0 ? w : null]);
  }
  const top = Math.max(0, ...weights.map(([, w]) => w ?? 0)) || 1;
  for (const [marker, w] of weights) {
    const fill = marker.querySelector(".fill");
    if (fill && w !== null) fill.style.setProperty("opacity", (0.35 + 0.65 * w / top).toFixed(2));
  }
}

// a label that would run past its scale's right end goes to its bar's left, and back
function placeLabels(root) {
  for (const scale of root.querySelectorAll(".scale")) {
    const box = scale.getBoundingClientRect();
    if (!box.width) continue;
    for (const marker of scale.querySelectorAll(".marker")) {
      const name = marker.querySelector(".name");
      if (!name) continue;
      const bar = marker.getBoundingClientRect();
      const width = name.getBoundingClientRect().width;
      const right = bar.right + width <= box.right + 1;
      const left = bar.left - width >= box.left - 1;
      if (!marker.classList.contains("flip") && !right && left) marker.classList.add("flip");
      else if (marker.classList.contains("flip") && !left && right) marker.classList.remove("flip");
    }
  }
}

async function post(url, body) {
  const init = body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  return answer(await fetch(url, init));
}

// a box saying what went wrong, its text set as text
function problemBox(message) {
  const box = document.createElement("div");
  box.className = "problems";
  const p = document.createElement("p");
  const b = document.createElement("b");
  b.textContent = message;
  p.append(b);
  box.append(p);
  return box;
}

// one of a refused request's problems ({loc, msg}) as "field: what is wrong"
function fieldProblem(d) {
  if (!d || typeof d !== "object") return String(d);
  // the path to the field; a validator's own name (function-before[...]) is no part of it
  const where = (Array.isArray(d.loc) ? d.loc : []).filter((x) => x !== "body" && !/[[(]/.test(String(x))).join(".");
  return where ? `${where}: ${d.msg}` : String(d.msg ?? JSON.stringify(d));
}

// a response as nodes to show: the server's HTML fragment (escaped where it was made), or
// the message of a JSON (or any other) answer as text
async function answer(response) {
  const text = await response.text();
  const type = response.headers.get("content-type") || "";
  if (type.startsWith("text/html")) {
    const template = document.createElement("template");
    template.innerHTML = text;
    return { ok: response.ok, nodes: template.content };
  }
  let detail = text;
  if (type.includes("json")) {
    try { detail = JSON.parse(text).detail ?? text; } catch (e) { /* keep the raw text */ }
    if (Array.isArray(detail)) detail = detail.map(fieldProblem).join("; ");
    else if (typeof detail !== "string") detail = JSON.stringify(detail);
  }
  if (response.ok) detail = `unexpected answer from the server: ${detail}`;
  return { ok: false, nodes: problemBox(detail) };
}

function show(target, nodes) {
  target.replaceChildren(nodes);
  applyStyles(target);
  placeLabels(target);
}

// put a scenario's cards in place, or show why the scenario was refused
function showStancesOrProblems(got) {
  const problems = document.getElementById("problems");
  if (got.ok) {
    show(document.getElementById("scenario"), got.nodes);
    problems.replaceChildren();
    document.getElementById("results").replaceChildren();
  } else {
    show(problems, got.nodes);
  }
}

async function showScenario(ref) {
  showStancesOrProblems(await post("/ui/stances", ref));
}

async function upload() {
  const input = document.getElementById("upload");
  if (!input.files.length) return;
  const form = new FormData();
  const file = input.files[0];
  form.append("file", file);
  const got = await post("/ui/upload", form);
  showStancesOrProblems(got);
  if (got.ok) showActive(`uploaded: ${file.name}`);
}

// the scenario picker names the active scenario: a bundled one, or "uploaded: NAME"
function showActive(uploaded) {
  const select = document.getElementById("bundled");
  let option = document.getElementById("uploaded-option");
  if (uploaded === null) {
    if (option) option.remove();
    return;
  }
  if (!option) {
    option = document.createElement("option");
    option.id = "uploaded-option";
    option.value = "";
    select.prepend(option);
  }
  option.textContent = uploaded;
  select.value = "";
}

function span(className, props, title) {
  const s = document.createElement("span");
  if (className) s.className = className;
  for (const [name, value] of Object.entries(props)) s.style.setProperty(name, value);
  if (title) s.title = title;
  return s;
}

// each issue's forecast distribution drawn above its scale: bars, median, 90% interval
function drawForecast() {
  const data = document.getElementById("forecast-data");
  if (!data) return;
  let rows = [];
  try { rows = JSON.parse(data.dataset.issues); } catch (e) { return; }
  for (const row of rows) {
    const dist = document.querySelector(`.dist[data-issue="${CSS.escape(String(row.issue))}"]`);
    if (!dist) continue;
    const cal = row.predictive;
    const hist = (cal ? cal.histogram : row.histogram).map(Number);
    const top = Math.max(...hist) || 1;
    const parts = hist.map((v, k) => span("", { left: `${10 * k}%`, height: `${(100 * v / top).toFixed(0)}%` }));
    const median = Number(cal ? cal.median : row.median);
    parts.push(span("median", { left: `${median}%` }, `median ${median.toFixed(1)}`));
    let lo = null, hi = null;
    if (cal) {
      [lo, hi] = cal.intervals["90"].map(Number);
      parts.push(span("interval", { left: `${lo}%`, width: `${hi - lo}%` },
        `90% interval ${lo.toFixed(1)}\u2013${hi.toFixed(1)}`));
    }
    dist.replaceChildren(...parts);
    dist.setAttribute("aria-label", `forecast median ${median.toFixed(1)}`);
    const legend = dist.closest(".issue-card")?.querySelector(".dist-legend");
    if (legend) {
      const key = (cls, text) => { const k = span(`key ${cls}`, {}); k.setAttribute("aria-hidden", "true"); return [k, text]; };
      legend.replaceChildren(
        "Forecast above the scale: ",
        ...key("bars", cal ? "calibrated distribution (its share per 10 points); " : "distribution of the samples (share per 10 points); "),
        ...key("median", `median ${median.toFixed(1)}`),
        ...(cal ? ["; ", ...key("interval", `90% interval ${lo.toFixed(1)}\u2013${hi.toFixed(1)}`)] : []),
        ".");
      legend.hidden = false;
    }
  }
}

// a figure is shown once its image has loaded (its heading is never left empty); one
// that cannot be drawn says so
function showWhenLoaded(figure) {
  const img = figure.querySelector("img");
  if (!img) return;
  const ready = () => { figure.hidden = false; };
  const failed = () => {
    const p = document.createElement("p");
    p.className = "caption";
    p.textContent = `The figure could not be drawn (${img.alt}).`;
    img.replaceWith(p);
    figure.hidden = false;
  };
  if (img.complete) { if (img.naturalWidth > 0) ready(); else failed(); return; }
  img.addEventListener("load", ready, { once: true });
  img.addEventListener("error", failed, { once: true });
}

async function refreshRuns() {
  const got = await answer(await fetch("/ui/runs"));
  if (got.ok) show(document.getElementById("runs"), got.nodes);
}

// the next page of saved runs: its rows under the table, its complete runs in the selects
async function olderRuns(event) {
  const button = event.target;
  button.disabled = true;
  const got = await answer(await fetch(`/ui/runs?before=${encodeURIComponent(button.dataset.before)}`));
  const problems = document.getElementById("compare-problems");
  if (!got.ok) {
    show(problems, got.nodes);
    button.disabled = false;
    return;
  }
  problems.replaceChildren();
  const page = got.nodes;
  document.querySelector("#runs-table tbody").append(...page.querySelectorAll("#runs-table tbody tr"));
  for (const id of ["compare-a", "compare-b"]) {
    const select = document.getElementById(id);
    const chosen = select.value;  // the choice stays; the older runs are offered below it
    select.append(...page.querySelectorAll(`#${id} option`));
    if (chosen) select.value = chosen;
  }
  document.getElementById("compare-button").disabled = document.getElementById("compare-a").options.length < 2;
  const next = page.querySelector("#older-runs");
  if (next) button.dataset.before = next.dataset.before;
  else button.remove();
  button.disabled = false;
}

async function runForecast() {
  const status = document.getElementById("status");
  const button = document.getElementById("run-button");
  const progress = document.getElementById("progress");
  const problems = document.getElementById("run-problems");
  const body = editedScenario(problems);
  if (!body) {
    status.textContent = "not run: see why below";
    return;
  }
  // the button is disabled while the forecast runs: if it had focus, focus goes to the
  // status (where progress is said) instead of falling to the page, then on to the results
  const byKeyboard = document.activeElement === button;
  button.disabled = true;
  if (byKeyboard) status.focus();
  const started = performance.now();
  const token = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + "-" + Math.random()).replace(/[^A-Za-z0-9-]/g, "");
  status.textContent = "running...";
  // past half a second, show how far the forecast has got (the server counts samples)
  let polling = false;
  let finished = false;  // a progress answer arriving after the forecast's is dropped
  const ticker = setInterval(async () => {
    const s = (performance.now() - started) / 1000;
    if (s <= 0.5 || polling || finished) return;
    polling = true;
    progress.hidden = false;
    try {
      const r = await fetch(`/api/progress/${token}`);
      if (finished) return;
      if (r.ok) {
        const p = await r.json();
        if (finished) return;  // the forecast's answer came while this one was read
        progress.max = p.total;
        progress.value = p.done;
        status.textContent = `running... ${p.done.toLocaleString()} of ${p.total.toLocaleString()} samples, ${s.toFixed(1)} s`;
      } else {
        status.textContent = `running... ${s.toFixed(1)} s`;
      }
    } catch (e) {
      if (!finished) status.textContent = `running... ${s.toFixed(1)} s`;
    } finally {
      polling = false;
    }
  }, 200);
  try {
    Object.assign(body, {
      model: document.getElementById("model").value,
      samples: parseInt(document.getElementById("samples").value, 10),
      seed: parseInt(document.getElementById("seed").value, 10),
      progress_token: token,
    });
    const got = await post("/ui/forecast", body);
    finished = true;
    clearInterval(ticker);
    if (got.ok) {
      show(document.getElementById("results"), got.nodes);
      problems.replaceChildren();
      drawForecast();
      for (const figure of document.querySelectorAll("#results figure.plot")) showWhenLoaded(figure);
      status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(1)} s`;
      await refreshRuns();
    } else {
      show(problems, got.nodes);
      status.textContent = "failed: see why below";
    }
  } catch (e) {
    show(problems, problemBox(String(e)));
    status.textContent = "failed";
  } finally {
    finished = true;
    clearInterval(ticker);
    progress.hidden = true;
    button.disabled = false;
    // focus that was on the status (moved there above) goes on to what the run gave:
    // the results' heading, or the problem; left elsewhere by the user, it stays there
    const active = document.activeElement;
    if (byKeyboard && (active === status || active === document.body || active === null)) {
      const heading = document.querySelector("#results #results-heading");
      (problems.hasChildNodes() ? problems : heading || button).focus();
    }
  }
}

// the scenario as the page shows it (its edits included) for a request's body, or null
// with why shown in ``problems`` (a value typed that is not a number)
function editedScenario(problems) {
  try {
    return Object.assign(currentRef(), { changes: changes() });
  } catch (e) {
    show(problems, problemBox(e.message));
    return null;
  }
}

// a panel's answer: its fragment in ``target`` (``problems`` emptied), or why not in
// ``problems`` (``target`` emptied when ``clear``)
function showAnswer(got, target, problems, clear) {
  if (got.ok) {
    show(target, got.nodes);
    problems.replaceChildren();
  } else {
    if (clear) target.replaceChildren();
    show(problems, got.nodes);
  }
}

async function compareRuns() {
  const a = document.getElementById("compare-a").value;
  const b = document.getElementById("compare-b").value;
  const problems = document.getElementById("compare-problems");
  const got = await answer(await fetch(`/ui/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`));
  showAnswer(got, document.getElementById("comparison"), problems, false);
}

// the deals of the scenario as shown (its edits included), optionally one actor's
async function showDeals() {
  const problems = document.getElementById("deals-problems");
  const body = editedScenario(problems);
  if (!body) return;
  const actor = document.getElementById("deals-actor").value.trim();
  if (actor) body.actor = actor;
  body.samples = parseInt(document.getElementById("deals-samples").value, 10) || 0;
  showAnswer(await post("/ui/deals", body), document.getElementById("deals"), problems, true);
}

// what it would take for an actor: the search for the changes that make a target likely
async function showAdvice() {
  const problems = document.getElementById("advise-problems");
  const button = document.getElementById("advise-button");
  const progress = document.getElementById("advise-progress");
  const body = editedScenario(problems);
  if (!body) return;
  const value = (id) => document.getElementById(id).value.trim();
  body.actor = value("advise-actor");
  body.issue = value("advise-issue");
  body.target = value("advise-target");
  body.probability = parseFloat(value("advise-probability"));
  body.samples = parseInt(value("advise-samples"), 10);
  const missing = ["actor", "issue", "target"].filter((k) => !body[k]);
  if (missing.length) {
    show(problems, problemBox(`give the ${missing.join(", the ")} to search for`));
    return;
  }
  if (!Number.isFinite(body.probability)) body.probability = 0.5;
  if (!Number.isFinite(body.samples)) body.samples = 400;
  button.disabled = true;
  progress.hidden = false;
  try {
    showAnswer(await post("/ui/advise", body), document.getElementById("advice"), problems, true);
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  applyStyles(document);
  document.getElementById("bundled").addEventListener("change", (e) => {
    if (!e.target.value) return;  // the upload's own entry
    document.getElementById("upload").value = "";
    showActive(null);
    showScenario({ bundled: e.target.value });
  });
  window.addEventListener("resize", () => placeLabels(document));
  document.getElementById("upload").addEventListener("change", upload);
  document.getElementById("upload-form").addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("run-button").addEventListener("click", runForecast);
  document.getElementById("deals-button").addEventListener("click", showDeals);
  document.getElementById("advise-button").addEventListener("click", showAdvice);
  document.getElementById("scenario").addEventListener("input", markChanged);
  // an opened source's text lies over the rows below it: it closes when focus leaves it
  // (so no focused field is hidden under it) and on Escape
  document.getElementById("scenario").addEventListener("focusout", (e) => {
    const open = e.target.closest("details.source[open]");
    if (open && !open.contains(e.relatedTarget)) open.open = false;
  });
  document.getElementById("scenario").addEventListener("keydown", (e) => {
    const open = e.key === "Escape" && e.target.closest("details.source[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
  // the runs section is replaced after each forecast: its buttons are found by delegation
  document.getElementById("runs").addEventListener("click", (e) => {
    if (e.target.id === "compare-button") compareRuns();
    else if (e.target.id === "older-runs") olderRuns(e);
  });
});
