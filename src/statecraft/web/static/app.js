// The page's behaviour: switch or upload a scenario, collect edited stances, run a
// forecast and show the server-rendered results. No framework, no build step.
"use strict";

function currentRef() {
  const text = document.getElementById("scenario-text");
  if (text) return { text: text.value };
  return { bundled: document.getElementById("bundled").value };
}

function num(input) { return parseFloat(input.value); }

function changes() {
  const out = [];
  for (const row of document.querySelectorAll("#stances tbody tr")) {
    const get = (cls) => row.querySelector("." + cls);
    const edited = ["pos-lo", "pos-hi", "sal-lo", "sal-hi"].some(
      (cls) => num(get(cls)) !== parseFloat(get(cls).dataset.orig));
    if (!edited) continue;
    out.push({
      actor: row.dataset.actor, issue: row.dataset.issue,
      position: [num(get("pos-lo")), num(get("pos-hi"))],
      salience: [num(get("sal-lo")), num(get("sal-hi"))],
    });
  }
  return out;
}

async function post(url, body) {
  const init = body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(url, init);
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

// put a scenario's stance table in place, or show why the scenario was refused
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

async function runForecast() {
  const status = document.getElementById("status");
  const button = document.getElementById("run-button");
  button.disabled = true;
  status.textContent = "running...";
  const started = performance.now();
  try {
    const body = Object.assign(currentRef(), {
      changes: changes(),
      model: document.getElementById("model").value,
      samples: parseInt(document.getElementById("samples").value, 10),
      seed: parseInt(document.getElementById("seed").value, 10),
    });
    const got = await post("/ui/forecast", body);
    if (got.ok) {
      document.getElementById("results").innerHTML = got.html;
      document.getElementById("problems").innerHTML = "";
      status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(1)} s`;
      const runs = await fetch("/ui/runs");
      document.getElementById("runs").innerHTML = await runs.text();
    } else {
      document.getElementById("problems").innerHTML = got.html;
      status.textContent = "failed: see the problems above";
    }
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("bundled").addEventListener("change", (e) => {
    document.getElementById("upload").value = "";
    showScenario({ bundled: e.target.value });
  });
  document.getElementById("upload").addEventListener("change", upload);
  document.getElementById("run-button").addEventListener("click", runForecast);
});
