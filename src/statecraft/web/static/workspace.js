// The workspace: build and edit a scenario (and its questions) as the plain document the
// scenario file holds, checked by the server after each change, cited by selecting words
// in a source's text, run through /api/forecast, saved as YAML or a workbook. Everything
// from a file, a request or the store is put in the page as text (textContent, value).
"use strict";

const DRAFT_KEY = "statecraft.workspace.draft";
const UNDO_LIMIT = 200;  // changes remembered, and at most UNDO_CHARS characters of them
const UNDO_CHARS = 64 * 1024 * 1024;  // (a document's source texts may be megabytes each)
const CHECK_DELAY = 250;  // ms after the last change
const CHECK_BUSY_DELAY = 1000;  // ms before asking again when the server is busy (503)
const MAX_SAMPLES = 5000;  // the most samples the web runs (its forecast request's limit)

const state = {
  doc: null,        // the scenario document
  qdoc: null,       // the questions document, or null
  version: 0,       // bumped by every change
  undo: [],         // earlier {doc, qdoc} as JSON
  viewer: null,     // the id of the document shown beside the editors
  target: null,     // {path, label}: the value a suggestion is for (the last row used)
  checked: -1,      // the version the last check answered for
  valid: false,     // that check found no error
  problems: [],
  omitted: null,    // {problems, warnings}: how many the check counted but did not list
  ranVersion: null, // the version the results shown are from
  focusKey: null,   // the control to focus once drawn (a row just added)
};

// ---- small helpers ----------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "value") node.value = v;
    else if (k === "cls") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

const $ = (id) => document.getElementById(id);
const clone = (x) => JSON.parse(JSON.stringify(x));
const asList = (v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);

// a message in the toolbar, and below it a list of points (one a line), if any
function notice(message, kind, points) {
  const box = el("p", { cls: kind === "error" ? "notice problems" : "notice", text: message });
  const items = points || [];
  $("notices").replaceChildren(box, ...(items.length
    ? [el("ul", { cls: "notice-points" }, ...items.map((t) => el("li", { text: t })))] : []));
}

async function postJSON(url, body) {
  const r = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  return readAnswer(r);
}

async function postForm(url, form) {
  return readAnswer(await fetch(url, { method: "POST", body: form }));
}

// {ok, data} or {ok: false, message}: a JSON answer's detail (or problems) as words
async function readAnswer(r) {
  const text = await r.text();
  let data = null;
  try { data = JSON.parse(text); } catch (e) { /* not JSON */ }
  if (r.ok && data !== null) return { ok: true, data };
  let message = text;
  if (data && typeof data.detail === "string") message = data.detail;
  else if (data && Array.isArray(data.detail)) {
    message = data.detail.map((d) => {
      const where = (Array.isArray(d.loc) ? d.loc : []).filter((x) => x !== "body" && !/[[(]/.test(String(x))).join(".");
      return where ? `${where}: ${d.msg}` : d.msg || JSON.stringify(d);
    }).join("; ");
  }
  else if (data && Array.isArray(data.problems)) message = data.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
  return { ok: false, status: r.status, message: `${message || "no answer"} (HTTP ${r.status})`, data };
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name, cls: "hidden-link" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// a value typed in a field: a number when it reads as one, nothing when blank, else the
// text as typed (the check then says what was expected)
function parseValue(text) {
  const t = text.trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? n : t;
}

function showValue(v) {
  return v === null || v === undefined ? "" : String(v);
}

function newId(prefix, list) {
  const taken = new Set(list.map((x) => x && x.id));
  for (let i = 1; ; i++) if (!taken.has(`${prefix}-${i}`)) return `${prefix}-${i}`;
}

// ---- the document and its history ------------------------------------------------------

function snapshot() {
  return JSON.stringify({ doc: state.doc, qdoc: state.qdoc });
}

// change the document: fn edits a copy; the old one goes on the undo stack
function change(fn) {
  const before = snapshot();
  const doc = clone(state.doc);
  const qdoc = state.qdoc === null ? null : clone(state.qdoc);
  const out = fn(doc, qdoc);
  const after = JSON.stringify({ doc, qdoc: out === undefined ? qdoc : out });
  if (after === before) return;
  remember(before);
  setDocument(JSON.parse(after));
}

// a document as it was, onto the undo stack; the oldest go once it holds too much
function remember(text) {
  state.undo.push(text);
  let total = state.undo.reduce((n, t) => n + t.length, 0);
  while (state.undo.length > 1 && (state.undo.length > UNDO_LIMIT || total > UNDO_CHARS)) {
    total -= state.undo.shift().length;
  }
}

function setDocument({ doc, qdoc }) {
  state.doc = doc;
  state.qdoc = qdoc && Array.isArray(qdoc.questions) && qdoc.questions.length === 0 && !qdoc.name ? null : qdoc;
  state.version += 1;
  saveDraft();
  scheduleRender();
  scheduleCheck();
}

// drawn once the event that changed the document is over: a change made as focus leaves a
// field (Tab) lets focus arrive at the next control first, and render() puts it back there
let renderPending = false;

function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => { renderPending = false; render(); }, 0);
}

function undo() {
  const last = state.undo.pop();
  if (last === undefined) return;
  setDocument(JSON.parse(last));
  notice("Undone: the last change.");
}

function saveDraft() {
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ scenario: state.doc, questions: state.qdoc, viewer: state.viewer }));
    $("draft-status").textContent = "Draft kept in this browser.";
  } catch (e) {
    // too large for the browser's storage: an older draft must not come back on reload
    try { localStorage.removeItem(DRAFT_KEY); } catch (e2) { /* storage off */ }
    $("draft-status").textContent = `The draft could not be kept in this browser (${e.message}): save the scenario to keep it.`;
  }
}

function loadDraft() {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    if (!raw) return null;
    const d = JSON.parse(raw);
    return d && typeof d.scenario === "object" && d.scenario !== null ? d : null;
  } catch (e) {
    return null;
  }
}

// a start or an opened file replaces the document (an undo brings the old one back)
function replaceDocument(answer, what) {
  const dropped = answer.questions ? 0 : ((state.qdoc && state.qdoc.questions) || []).length;
  if (state.doc !== null) remember(snapshot());
  state.viewer = null;
  state.ranVersion = null;
  $("ws-results").replaceChildren();
  setDocument({ doc: answer.scenario, qdoc: answer.questions ?? null });
  const warnings = (answer.warnings || []).map((w) => (typeof w === "string" ? w : `${w.path}: ${w.message}`));
  if (dropped) {
    warnings.unshift(`The draft's ${dropped === 1 ? "question was" : `${dropped} questions were`} not kept: open a questions file, or Undo to bring ${dropped === 1 ? "it" : "them"} back.`);
  }
  notice(warnings.length ? `${what}:` : `${what}.`, null, warnings);
}

// ---- checking --------------------------------------------------------------------------

let checkTimer = null;
let checkSeq = 0;

function scheduleCheck() {
  state.valid = false;
  $("check-status").dataset.state = "pending";
  updateRunButton();
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, CHECK_DELAY);
}

async function runCheck() {
  const version = state.version;
  const seq = ++checkSeq;
  $("check-status").textContent = "Checking...";
  let got;
  try {
    got = await postJSON("/api/workspace/check", { scenario: state.doc, questions: state.qdoc });
  } catch (e) {
    got = { ok: false, message: String(e) };
  }
  if (seq !== checkSeq || version !== state.version) return;  // a later change is checked
  if (!got.ok && got.status === 503) {  // the server is checking others: ask again soon
    $("check-status").textContent = "The server is busy; checking again in a moment...";
    clearTimeout(checkTimer);
    checkTimer = setTimeout(runCheck, CHECK_BUSY_DELAY);
    return;
  }
  state.checked = version;
  $("check-status").dataset.state = "done";
  if (!got.ok) {
    state.valid = false;
    state.problems = [];
    state.omitted = null;
    $("check-status").textContent = `Could not check: ${got.message}`;
    showProblems([]);
  } else {
    state.valid = got.data.ok === true;
    state.problems = [...(got.data.problems || []), ...(got.data.warnings || [])];
    state.omitted = got.data.omitted || null;
    showProblems(state.problems);
  }
  updateRunButton();
}

// the element a problem belongs to: the one whose data-field is its path, or the nearest
// enclosing path that has one
function fieldFor(problem) {
  const root = problem.where === "questions" ? $("panel-questions") : $("editor");
  let path = String(problem.path || "");
  while (path) {
    // the innermost element with the path (a citation's item, not the list holding it)
    const found = [...root.querySelectorAll("[data-field]")].filter((n) => n.dataset.field === path);
    if (found.length) return found[found.length - 1];
    const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
    path = cut > 0 ? path.slice(0, cut) : "";
  }
  return null;
}

function showProblems(problems) {
  for (const node of document.querySelectorAll(".field-problem, .problem-row")) node.remove();
  for (const node of document.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
    node.classList.remove("invalid", "doubtful");
  }
  const list = $("problem-list");
  list.replaceChildren();
  let errors = 0;
  problems.forEach((p, n) => {
    const error = p.severity !== "warning";
    if (error) errors += 1;
    const where = p.where === "questions" ? "questions file" : "scenario";
    const field = fieldFor(p);
    const item = el("li", { cls: error ? "error" : "warning" },
      el("b", { text: error ? "error" : "warning" }), ` (${where}) `,
      el("code", { text: String(p.path || "(top level)") }), `: ${p.message}`);
    const control = field && (field.matches("input, select, textarea, button") ? field
      : field.querySelector("input, select, textarea, button"));
    if (control) {
      item.append(" ", el("button", { type: "button", cls: "go", text: "Go to field",
        onclick: () => { control.focus(); control.scrollIntoView({ block: "center" }); } }));
    }
    list.append(item);
    if (!field) return;
    const id = `problem-${n}`;
    // a scale point's problem names the point (its row may hold an empty label)
    const point = field.tagName === "TR" && field.dataset.point !== undefined ? `Point ${field.dataset.point}: ` : "";
    const note = el("p", { cls: `field-problem ${error ? "error" : "warning"}`, id, text: `${point}${p.message}` });
    field.classList.add(error ? "invalid" : "doubtful");
    if (error) field.setAttribute("aria-invalid", "true");
    const describedBy = [field.getAttribute("aria-describedby"), id].filter(Boolean).join(" ");
    field.setAttribute("aria-describedby", describedBy);
    // beside the field: at the end of its label (a control), else right after it
    const label = ["INPUT", "SELECT", "TEXTAREA"].includes(field.tagName) ? field.closest("label") : null;
    if (label) label.append(note);
    else if (field.tagName === "LI") field.append(note);
    else if (field.tagName === "TR") {
      // a row of its own right under the row it is about
      field.after(el("tr", { cls: "problem-row" }, el("td", { colspan: field.children.length || 1 }, note)));
    } else if (field.tagName === "TBODY") field.closest("table").after(note);
    else if (field.id && field.parentElement && field.parentElement.tagName === "SECTION") field.after(note);
    else field.after(note);
  });
  // past the server's cap only the first problems come; the rest are counted
  const more = state.omitted || {};
  const unlisted = (more.problems || 0) + (more.warnings || 0);
  errors += more.problems || 0;
  const warnings = problems.length + unlisted - errors;
  const tail = unlisted ? ` The first ${problems.length} are listed; ${unlisted} more are not.` : "";
  $("check-status").textContent = (errors
    ? `${errors} error${errors === 1 ? "" : "s"}${warnings ? ` and ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}: each is shown beside its field.`
    : warnings ? `No errors; ${warnings} warning${warnings === 1 ? "" : "s"}.` : "No problems: the scenario can run.") + tail;
}

function updateRunButton() {
  const button = $("run-button");
  const ready = state.valid && state.checked === state.version;
  button.disabled = !ready || running;
  if (!ready && !running) {
    $("run-status").textContent = state.checked === state.version
      ? "Run is disabled while the scenario has errors."
      : "Checking...";
  } else if (!running) {
    $("run-status").textContent = "Ready to run.";
  }
  const stale = state.ranVersion !== null && state.ranVersion !== state.version;
  const results = $("ws-results");
  results.classList.toggle("stale", stale);
  const mark = $("stale-note");
  if (mark) mark.hidden = !stale;
}

// ---- rendering -------------------------------------------------------------------------

// re-draw every panel from the document, keeping focus on the control that had it
function render() {
  const active = document.activeElement;
  const key = active && active.dataset ? active.dataset.key : null;
  const typed = active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA")
    ? { value: active.value, start: active.selectionStart, end: active.selectionEnd } : null;
  renderScenario();
  renderSources();
  renderActors();
  renderIssues();
  renderStances();
  renderQuestions();
  renderViewer();
  $("undo").disabled = state.undo.length === 0;
  if (state.problems.length && state.checked === state.version) showProblems(state.problems);
  const wanted = state.focusKey || key;
  state.focusKey = null;
  if (wanted) {
    const again = [...document.querySelectorAll("[data-key]")].find((n) => n.dataset.key === wanted);
    if (again && again !== document.activeElement) {
      // what was being typed in it when it was redrawn stays (and is written on change),
      // and so does its selection: a selected value is still replaced by what comes next
      const same = typed && wanted === key && "selectionStart" in again;
      if (same && again.value !== typed.value) again.value = typed.value;
      again.focus();
      if (same) {
        try { again.setSelectionRange(typed.start, typed.end); } catch (e) { /* a date field */ }
      }
    }
  }
  updateRunButton();
}

// a field's label, its words kept on one line ("As of", never "As" over "of")
function labelText(label) {
  return label ? [el("span", { cls: "label-text", text: label }), " "] : [];
}

// a text field bound to doc[path...]: written on change
function textField(label, path, value, onValue, opts) {
  const o = opts || {};
  const input = el(o.area ? "textarea" : "input", {
    type: o.area ? null : (o.type || "text"), value: showValue(value), "data-field": path,
    "data-key": path, size: o.size, rows: o.rows, inputmode: o.inputmode, "aria-label": o.aria,
  });
  input.addEventListener("change", () => onValue(input.value));
  return el("label", { cls: o.cls || null }, ...labelText(label), input);
}

function selectField(label, path, value, choices, onValue, opts) {
  const o = opts || {};
  const select = el("select", { "data-field": path, "data-key": path, "aria-label": o.aria });
  for (const c of choices) {
    const [v, text] = Array.isArray(c) ? c : [c, c];
    const option = el("option", { value: v, text });
    if (String(v) === showValue(value)) option.selected = true;
    select.append(option);
  }
  if (value !== null && value !== undefined && !choices.some((c) => String(Array.isArray(c) ? c[0] : c) === String(value))) {
    const option = el("option", { value: String(value), text: `${value} (unknown)` });
    option.selected = true;
    select.append(option);
  }
  select.addEventListener("change", () => onValue(select.value));
  return el("label", {}, ...labelText(label), select);
}

// a value or a [low, high] range: two fields, the second left blank for a single value
function rangeField(label, path, value, onValue) {
  const pair = Array.isArray(value) ? value : [value, null];
  const low = el("input", { type: "text", inputmode: "decimal", size: 6, value: showValue(pair[0]),
    "data-key": `${path}:low`, "aria-label": `${label}: value, or low end of a range` });
  const high = el("input", { type: "text", inputmode: "decimal", size: 6, value: showValue(pair[1]),
    "data-key": `${path}:high`, "aria-label": `${label}: high end of a range (blank for a single value)` });
  const write = () => {
    const a = parseValue(low.value);
    const b = parseValue(high.value);
    onValue(b === null ? a : [a, b]);
  };
  low.addEventListener("change", write);
  high.addEventListener("change", write);
  return el("span", { cls: "range-field", "data-field": path }, `${label} `, low, " to ", high);
}

function removeButton(key, label, onClick) {
  return el("button", { type: "button", cls: "remove", "data-key": key, "aria-label": label, text: "Remove", onclick: onClick });
}

function setOrDelete(obj, key, value) {
  if (value === null || value === undefined || value === "") delete obj[key];
  else obj[key] = value;
}

function renderScenario() {
  const d = state.doc;
  $("scenario-fields").replaceChildren(
    el("div", { cls: "row" },
      textField("Name", "name", d.name, (v) => change((doc) => { doc.name = v; }), { size: 40 }),
      textField("As of", "as_of", d.as_of, (v) => change((doc) => { setOrDelete(doc, "as_of", v.trim()); }), { type: "date" })),
    el("div", { cls: "row" },
      textField("Description", "description", d.description,
        (v) => change((doc) => { setOrDelete(doc, "description", v); }), { area: true, rows: 2, cls: "block" })));
}

const SOURCE_KINDS = ["document", "dataset", "judgment"];

function sourceKind(s) {
  return s.kind || (s.path !== undefined || s.text !== undefined ? "document" : "dataset");
}

function renderSources() {
  const rows = (state.doc.sources || []).map((s, i) => {
    const p = `sources[${i}]`;
    const edit = (fn) => change((doc) => { fn(doc.sources[i], doc); });
    const kind = sourceKind(s);
    const row = el("div", { cls: "row entity", "data-field": p },
      textField("Id", `${p}.id`, s.id, (v) => change((doc) => { renameSource(doc, s.id, v.trim()); }), { size: 14 }),
      selectField("Kind", `${p}.kind`, kind, SOURCE_KINDS, (v) => edit((x) => { x.kind = v; })),
      textField("Title", `${p}.title`, s.title, (v) => edit((x) => { setOrDelete(x, "title", v); }), { size: 28 }));
    if (kind === "document") {
      const length = typeof s.text === "string" ? `${s.text.length.toLocaleString()} characters` : s.path ? `file ${s.path} (not read into the workspace)` : "no text";
      row.append(el("span", { cls: "meta", "data-field": `${p}.text` }, length),
        el("button", { type: "button", "data-key": `${p}:show`, text: "Show text",
          onclick: () => { state.viewer = s.id; renderViewer(); if (narrow()) dockSource(true); $("source-text").focus(); } }));
    } else if (kind === "dataset") {
      row.append(
        textField("Year", `${p}.year`, s.year, (v) => edit((x) => { setOrDelete(x, "year", parseValue(v)); }), { size: 5 }),
        textField("URL", `${p}.url`, s.url, (v) => edit((x) => { setOrDelete(x, "url", v.trim()); }), { size: 24 }),
        textField("Note", `${p}.note`, s.note, (v) => edit((x) => { setOrDelete(x, "note", v); }), { size: 30 }));
    } else {
      row.append(
        textField("Author", `${p}.author`, s.author, (v) => edit((x) => { setOrDelete(x, "author", v); }), { size: 16 }),
        textField("Date", `${p}.date`, s.date, (v) => edit((x) => { setOrDelete(x, "date", v.trim()); }), { type: "date" }),
        textField("Rationale", `${p}.rationale`, s.rationale, (v) => edit((x) => { setOrDelete(x, "rationale", v); }), { area: true, rows: 2, cls: "block" }));
    }
    row.append(removeButton(`${p}:remove`, `Remove source ${s.id}`, () => change((doc) => { doc.sources.splice(i, 1); })));
    return row;
  });
  $("source-rows").replaceChildren(...(rows.length ? rows : [el("p", { cls: "meta", text: "No sources yet." })]));
}

// a renamed id follows into every place that names it
function renameSource(doc, from, to) {
  const s = doc.sources.find((x) => x.id === from);
  if (s) s.id = to;
  const fix = (holder) => {
    if (!holder || !holder.source) return;
    for (const ref of asList(holder.source)) {
      for (const k of ["doc", "dataset", "judgment"]) if (ref[k] === from) ref[k] = to;
    }
  };
  for (const list of [doc.actors, doc.issues, doc.stances]) for (const x of list || []) fix(x);
  if (state.viewer === from) state.viewer = to;
}

// ---- citations ---------------------------------------------------------------------

function refText(ref) {
  if (ref.doc !== undefined) return ["quote", ref.doc, ref.quote];
  if (ref.dataset !== undefined) return ["dataset", ref.dataset, ref.note];
  if (ref.judgment !== undefined) return ["judgment", ref.judgment, ref.note];
  return ["?", "", JSON.stringify(ref)];
}

// the citations of one value (an actor, an issue or a stance) and the ways to add one
function citations(path, holder, label, edit) {
  const refs = asList(holder.source);
  const single = holder.source !== undefined && !Array.isArray(holder.source);
  const list = el("ul", { cls: "citations", "data-field": `${path}.source` });
  refs.forEach((ref, j) => {
    const rp = single ? `${path}.source` : `${path}.source[${j}]`;
    const [kind, id, words] = refText(ref);
    const item = el("li", { "data-field": rp }, el("span", { cls: "cite-kind", text: `${kind} ${id}: ` }));
    if (kind === "quote") item.append(el("q", { text: words || "" }));
    else {
      const note = el("input", { type: "text", value: showValue(words), size: 24, "data-key": `${rp}.note`,
        "data-field": `${rp}.note`, "aria-label": `note on ${kind} ${id} for ${label}`,
        placeholder: kind === "dataset" ? "which figure, table or year (optional)"
          : "why this value (optional)" });
      note.addEventListener("change", () => edit((x) => {
        const all = asList(x.source);
        // an empty note is no note: nothing is written for it
        if (note.value.trim()) all[j].note = note.value; else delete all[j].note;
        x.source = all;
      }));
      item.append(note);
    }
    item.append(" ", removeButton(`${rp}:remove`, `Remove this citation of ${label}`, () => edit((x) => {
      const all = asList(x.source);
      all.splice(j, 1);
      if (all.length) x.source = all; else delete x.source;
    })));
    list.append(item);
  });
  const others = (state.doc.sources || []).filter((s) => sourceKind(s) !== "document");
  const pick = el("select", { "data-key": `${path}:cite-other`, "aria-label": `dataset or judgment to cite for ${label}` },
    ...others.map((s) => el("option", { value: s.id, text: `${sourceKind(s)} ${s.id}` })));
  const controls = el("div", { cls: "cite-controls" },
    el("button", { type: "button", "data-key": `${path}:cite`, text: "Cite selection",
      title: "attach the words selected in the source text", onclick: () => citeSelection(path, label, edit) }),
    others.length ? pick : null,
    others.length ? el("button", { type: "button", "data-key": `${path}:cite-other-button`, text: "Cite",
      onclick: () => {
        const s = others.find((x) => x.id === pick.value);
        if (!s) return;
        const key = sourceKind(s) === "judgment" ? "judgment" : "dataset";
        edit((x) => { x.source = [...asList(x.source), { [key]: s.id }]; });
      } }) : null);
  return el("div", { cls: "citation-block", "data-target": path,
    onfocusin: () => { state.target = { path, label }; showTarget(); } }, list, controls);
}

function citeSelection(path, label, edit) {
  const area = $("source-text");
  const start = area.selectionStart;
  const end = area.selectionEnd;
  // the selected words without the spaces or line ends around them (a keyboard's
  // selection often takes the space before a sentence)
  const quote = area.value.slice(start, end).trim();
  if (!state.viewer || !quote) {
    notice(`Nothing to cite for ${label}: select words in a document's text first.`, "error");
    if (narrow()) dockSource(true);
    return;
  }
  edit((x) => { x.source = [...asList(x.source), { doc: state.viewer, quote }]; });
  notice(`Cited for ${label}: "${quote.length > 80 ? quote.slice(0, 77) + "..." : quote}"`);
}

// ---- actors, issues, stances -------------------------------------------------------------

function renderActors() {
  const rows = (state.doc.actors || []).map((a, i) => {
    const p = `actors[${i}]`;
    const edit = (fn) => change((doc) => { fn(doc.actors[i], doc); });
    const label = `actor ${a.id}`;
    return el("div", { cls: "row entity", "data-field": p },
      el("div", { cls: "line" },
        textField("Id", `${p}.id`, a.id, (v) => change((doc) => { renameActor(doc, a.id, v.trim()); }), { size: 10 }),
        textField("Name", `${p}.name`, a.name, (v) => edit((x) => { x.name = v; }), { size: 22 }),
        selectField("Kind", `${p}.kind`, a.kind, ["state", "organisation", "non-state"], (v) => edit((x) => { x.kind = v; })),
        rangeField("Capability", `${p}.capability`, a.capability, (v) => edit((x) => { setOrDelete(x, "capability", v); })),
        removeButton(`${p}:remove`, `Remove ${label} and its stances`, () => change((doc) => {
          doc.actors.splice(i, 1);
          doc.stances = (doc.stances || []).filter((s) => s.actor !== a.id);
        }))),
      citations(p, a, label, edit));
  });
  $("actor-rows").replaceChildren(...(rows.length ? rows : [el("p", { cls: "meta", text: "No actors yet." })]));
}

function renameActor(doc, from, to) {
  const a = doc.actors.find((x) => x.id === from);
  if (a) a.id = to;
  for (const s of doc.stances || []) if (s.actor === from) s.actor = to;
}

function renameIssue(doc, qdoc, from, to) {
  const issue = doc.issues.find((x) => x.id === from);
  if (issue) issue.id = to;
  for (const s of doc.stances || []) if (s.issue === from) s.issue = to;
  for (const q of (qdoc && qdoc.questions) || []) if (q.issue === from) q.issue = to;
}

function scalePoints(scale) {
  return Object.entries(scale || {}).sort((x, y) => Number(x[0]) - Number(y[0]));
}

function renderIssues() {
  const rows = (state.doc.issues || []).map((issue, i) => {
    const p = `issues[${i}]`;
    const edit = (fn) => change((doc) => { fn(doc.issues[i], doc); });
    const label = `issue ${issue.id}`;
    const points = el("table", { cls: "scale-points", "data-field": `${p}.scale` },
      el("caption", { text: "Named points of the 0-100 scale" }),
      el("thead", {}, el("tr", {}, el("th", { text: "point" }), el("th", { text: "meaning" }), el("th", {}))));
    const body = el("tbody");
    for (const [k, v] of scalePoints(issue.scale)) {
      const kp = Number.isInteger(Number(k)) && k.trim() !== "" ? `${p}.scale[${k}]` : `${p}.scale.${k}`;
      const point = el("input", { type: "text", inputmode: "decimal", size: 5, value: k, "data-key": `${kp}:point`, "aria-label": `${label}: scale point` });
      point.addEventListener("change", () => edit((x) => {
        const n = parseValue(point.value);
        const entries = scalePoints(x.scale).map(([pk, pv]) => (pk === k ? [String(n ?? ""), pv] : [pk, pv]));
        x.scale = Object.fromEntries(entries);
      }));
      const words = el("input", { type: "text", size: 30, value: v, "data-key": `${kp}:label`, "aria-label": `${label}: meaning of point ${k}` });
      words.addEventListener("change", () => edit((x) => { x.scale[k] = words.value; }));
      body.append(el("tr", { "data-field": kp, "data-point": k }, el("td", {}, point), el("td", {}, words),
        el("td", {}, removeButton(`${kp}:remove`, `Remove point ${k} of ${label}`, () => edit((x) => { delete x.scale[k]; })))));
    }
    points.append(body);
    return el("div", { cls: "row entity", "data-field": p },
      el("div", { cls: "line" },
        textField("Id", `${p}.id`, issue.id, (v) => change((doc, qdoc) => { renameIssue(doc, qdoc, issue.id, v.trim()); }), { size: 14 }),
        textField("Question", `${p}.question`, issue.question, (v) => edit((x) => { x.question = v; }), { size: 40 }),
        textField("Status quo", `${p}.status_quo`, issue.status_quo, (v) => edit((x) => { setOrDelete(x, "status_quo", parseValue(v)); }), { size: 5, inputmode: "decimal" }),
        removeButton(`${p}:remove`, `Remove ${label} and its stances`, () => change((doc) => {
          doc.issues.splice(i, 1);
          doc.stances = (doc.stances || []).filter((s) => s.issue !== issue.id);
        }))),
      points,
      el("button", { type: "button", "data-key": `${p}:add-point`, text: "Add scale point",
        onclick: () => edit((x) => {
          const taken = new Set(Object.keys(x.scale || {}).map(Number));
          let n = 50;
          for (const c of [0, 100, 50, 25, 75, 10, 90]) if (!taken.has(c)) { n = c; break; }
          x.scale = Object.fromEntries([...scalePoints(x.scale), [String(n), ""]].sort((u, w) => Number(u[0]) - Number(w[0])));
        }) }),
      citations(p, issue, label, edit));
  });
  $("issue-rows").replaceChildren(...(rows.length ? rows : [el("p", { cls: "meta", text: "No issues yet." })]));
}

function renderStances() {
  const actors = (state.doc.actors || []).map((a) => [a.id, `${a.id} (${a.name || "no name"})`]);
  const issues = (state.doc.issues || []).map((x) => x.id);
  const rows = (state.doc.stances || []).map((s, i) => {
    const p = `stances[${i}]`;
    const edit = (fn) => change((doc) => { fn(doc.stances[i], doc); });
    const label = `stance of ${s.actor} on ${s.issue}`;
    return el("div", { cls: "row entity", "data-field": p },
      el("div", { cls: "line" },
        selectField("Actor", `${p}.actor`, s.actor, actors, (v) => edit((x) => { x.actor = v; })),
        selectField("Issue", `${p}.issue`, s.issue, issues, (v) => edit((x) => { x.issue = v; })),
        rangeField("Position", `${p}.position`, s.position, (v) => edit((x) => { setOrDelete(x, "position", v); })),
        rangeField("Salience", `${p}.salience`, s.salience, (v) => edit((x) => { setOrDelete(x, "salience", v); })),
        removeButton(`${p}:remove`, `Remove ${label}`, () => change((doc) => { doc.stances.splice(i, 1); }))),
      citations(p, s, label, edit));
  });
  $("stance-rows").replaceChildren(...(rows.length ? rows : [el("p", { cls: "meta", text: "No stances yet." })]));
}

// ---- questions -------------------------------------------------------------------------

const OPS = [">=", ">", "<=", "<", "between"];

function renderQuestions() {
  const issues = (state.doc.issues || []).map((x) => x.id);
  const qs = (state.qdoc && state.qdoc.questions) || [];
  const rows = qs.map((q, i) => {
    const p = `questions[${i}]`;
    const edit = (fn) => change((doc, qdoc) => { fn(qdoc.questions[i]); return qdoc; });
    const between = q.op === "between";
    const resolution = q.resolution === true ? "yes" : q.resolution === false ? "no" : "open";
    const row = el("div", { cls: "row entity", "data-field": p },
      el("div", { cls: "line" },
        textField("Id", `${p}.id`, q.id, (v) => edit((x) => { x.id = v.trim(); }), { size: 14 }),
        selectField("Issue", `${p}.issue`, q.issue, issues, (v) => edit((x) => { x.issue = v; })),
        selectField("Holds when the issue ends", `${p}.op`, q.op, OPS, (v) => edit((x) => {
          x.op = v;
          if (v === "between") { delete x.threshold; x.low = x.low ?? 25; x.high = x.high ?? 75; }
          else { delete x.low; delete x.high; delete x.include; x.threshold = x.threshold ?? 50; }
        })),
        between ? null : textField("", `${p}.threshold`, q.threshold, (v) => edit((x) => { setOrDelete(x, "threshold", parseValue(v)); }), { size: 5, inputmode: "decimal", aria: `threshold of question ${q.id}` }),
        between ? textField("Low", `${p}.low`, q.low, (v) => edit((x) => { setOrDelete(x, "low", parseValue(v)); }), { size: 5, inputmode: "decimal" }) : null,
        between ? textField("High", `${p}.high`, q.high, (v) => edit((x) => { setOrDelete(x, "high", parseValue(v)); }), { size: 5, inputmode: "decimal" }) : null,
        between ? selectField("Ends included", `${p}.include`, q.include ?? "both", ["both", "low", "high", "neither"], (v) => edit((x) => { x.include = v; })) : null,
        removeButton(`${p}:remove`, `Remove question ${q.id}`, () => change((doc, qdoc) => { qdoc.questions.splice(i, 1); return qdoc.questions.length ? qdoc : null; }))),
      el("div", { cls: "line" },
        textField("Question", `${p}.text`, q.text, (v) => edit((x) => { x.text = v; }), { size: 60 })),
      el("div", { cls: "line" },
        selectField("Resolved", `${p}.resolution`, resolution, [["open", "open"], ["yes", "yes"], ["no", "no"]], (v) => edit((x) => {
          if (v === "open") { delete x.resolution; delete x.resolved_on; } else x.resolution = v === "yes";
        })),
        resolution === "open" ? null : textField("On", `${p}.resolved_on`, q.resolved_on, (v) => edit((x) => { setOrDelete(x, "resolved_on", v.trim()); }), { type: "date" }),
        resolution === "open" ? null : textField("Source", `${p}.source`, q.source, (v) => edit((x) => { setOrDelete(x, "source", v); }), { size: 36 })));
    return row;
  });
  $("question-rows").replaceChildren(...(rows.length ? rows : [el("p", { cls: "meta", text: "No questions yet." })]));
}

// ---- the source text and suggestions ------------------------------------------------

function documents() {
  return (state.doc.sources || []).filter((s) => sourceKind(s) === "document");
}

function renderViewer() {
  const docs = documents();
  if (!docs.some((s) => s.id === state.viewer)) state.viewer = docs.length ? docs[0].id : null;
  const select = $("viewer-source");
  select.replaceChildren(...docs.map((s) => el("option", { value: s.id, text: `${s.id}: ${s.title || ""}` })));
  if (state.viewer) select.value = state.viewer;
  const area = $("source-text");
  const s = docs.find((x) => x.id === state.viewer);
  const text = s && typeof s.text === "string" ? s.text : "";
  if (area.value !== text) {
    area.value = text;
    $("selection-status").textContent = "Nothing selected.";
  }
  area.placeholder = s ? (s.path ? `The text of ${s.path} is not in the workspace.` : "") : "Add a document to see its text here.";
  showTarget();
}

// on a narrow screen the source text sits below every editor: "Show source text" docks
// it to the foot of the screen, beside the rows being cited for, until hidden again
const narrow = () => window.matchMedia("(max-width: 900px)").matches;

function dockSource(open) {
  const on = open === undefined ? !$("viewer").classList.contains("docked") : open;
  $("viewer").classList.toggle("docked", on);
  document.body.classList.toggle("source-docked", on);
  const button = $("dock-source");
  button.setAttribute("aria-expanded", String(on));
  button.textContent = on ? "Hide source text" : "Show source text";
}

function showSelection() {
  const area = $("source-text");
  const n = area.selectionEnd - area.selectionStart;
  $("selection-status").textContent = n > 0
    ? `Selected ${n} character${n === 1 ? "" : "s"}: "${area.value.slice(area.selectionStart, Math.min(area.selectionEnd, area.selectionStart + 80))}${n > 80 ? "..." : ""}"`
    : "Nothing selected.";
}

function showTarget() {
  const t = state.target;
  $("suggest-for").textContent = t ? `for ${t.label}` : "(choose an actor or stance first: use any of its buttons or fields)";
  $("cite-target").textContent = t ? t.label : "none yet";
}

function targetActorIssue() {
  const t = state.target;
  if (!t) return null;
  const m = /^(actors|issues|stances)\[(\d+)\]$/.exec(t.path);
  if (!m) return null;
  const x = (state.doc[m[1]] || [])[Number(m[2])];
  if (!x) return null;
  if (m[1] === "actors") return { actor: x.id, issue: null };
  if (m[1] === "stances") return { actor: x.actor, issue: x.issue };
  return null;
}

async function suggest() {
  const list = $("suggestions");
  const who = targetActorIssue();
  if (!state.viewer || !who) {
    list.replaceChildren(el("li", { text: "Choose a document, and an actor or a stance (use one of its fields), first." }));
    return;
  }
  const got = await postJSON("/api/workspace/quotes", { scenario: state.doc, source: state.viewer, actor: who.actor, issue: who.issue, limit: 8 });
  if (!got.ok) {
    list.replaceChildren(el("li", { cls: "problems", text: got.message }));
    return;
  }
  const items = got.data.suggestions || [];
  if (!items.length) {
    list.replaceChildren(el("li", { text: "No sentence of this document mentions them." }));
    return;
  }
  list.replaceChildren(...items.map((s, n) => el("li", {},
    el("q", { text: s.sentence }), " ",
    el("button", { type: "button", text: "Select in text", "data-key": `suggestion-${n}`,
      onclick: () => {
        const area = $("source-text");
        area.focus();
        area.setSelectionRange(s.start, s.end);
        showSelection();
      } }))));
}

// ---- adding ------------------------------------------------------------------------------

function addDocument() {
  const id = $("new-doc-id").value.trim() || newId("doc", state.doc.sources || []);
  const title = $("new-doc-title").value.trim();
  // a title the page filled in from an uploaded file's name, not one typed
  const fromFileName = $("new-doc-title").dataset.auto === "1";
  const text = $("new-doc-text").value;
  const existing = (state.doc.sources || []).findIndex((s) => s.id === id && sourceKind(s) === "document");
  change((doc) => {
    if (existing >= 0) {
      // a document already listed (opened with a path this page cannot read) gets the
      // text; its title stays unless one was typed (a file's name is no title for it)
      const s = doc.sources[existing];
      delete s.path;
      s.text = text;
      if (title && !(fromFileName && s.title)) s.title = title;
    } else {
      doc.sources = [...(doc.sources || []), { id, kind: "document", title, text }];
    }
  });
  state.viewer = id;
  renderViewer();
  $("new-doc-id").value = "";
  $("new-doc-title").value = "";
  delete $("new-doc-title").dataset.auto;
  $("new-doc-text").value = "";
  $("add-document-status").textContent = existing >= 0
    ? `Gave ${id} its text; it is shown beside the editors.`
    : `Added ${id}; its text is shown beside the editors.`;
}

async function extractFile() {
  const input = $("new-doc-file");
  if (!input.files.length) return;
  const file = input.files[0];
  const form = new FormData();
  form.append("file", file);
  $("add-document-status").textContent = `Reading ${file.name}...`;
  const got = await postForm("/api/workspace/extract", form);
  if (!got.ok) {
    $("add-document-status").textContent = got.message;
    return;
  }
  $("new-doc-text").value = got.data.text;
  if (!$("new-doc-title").value.trim()) {
    $("new-doc-title").value = got.data.filename || file.name;
    $("new-doc-title").dataset.auto = "1";
  }
  const pages = got.data.pages ? `, ${got.data.pages} pages` : "";
  const warnings = (got.data.warnings || []).join(" ");
  $("add-document-status").textContent = `Read ${file.name}${pages}: press "Add document" to add it. ${warnings}`;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

function wire() {
  $("add-document-button").addEventListener("click", addDocument);
  $("new-doc-title").addEventListener("input", () => { delete $("new-doc-title").dataset.auto; });
  $("new-doc-file").addEventListener("change", extractFile);
  const focusNew = (section, field) => () => {
    state.focusKey = `${section}[${(section === "questions" ? (state.qdoc || { questions: [] }).questions : state.doc[section] || []).length - 1}].${field}`;
  };
  $("add-dataset").addEventListener("click", () => change((doc) => {
    doc.sources = [...(doc.sources || []), { id: newId("data", doc.sources || []), kind: "dataset", title: "" }];
  }));
  $("add-judgment").addEventListener("click", () => change((doc) => {
    doc.sources = [...(doc.sources || []), { id: newId("judgment", doc.sources || []), kind: "judgment", author: "", date: today(), rationale: "" }];
  }));
  $("add-actor").addEventListener("click", () => change((doc) => {
    doc.actors = [...(doc.actors || []), { id: newId("actor", doc.actors || []), name: "", kind: "state", capability: 1 }];
  }));
  $("add-issue").addEventListener("click", () => change((doc) => {
    doc.issues = [...(doc.issues || []), { id: newId("issue", doc.issues || []), question: "", scale: { 0: "", 50: "", 100: "" }, status_quo: 50 }];
  }));
  $("add-stance").addEventListener("click", () => change((doc) => {
    const actors = doc.actors || [];
    const issues = doc.issues || [];
    const taken = new Set((doc.stances || []).map((s) => `${s.actor}\u0000${s.issue}`));
    let pair = [actors[0] ? actors[0].id : "", issues[0] ? issues[0].id : ""];
    outer: for (const i of issues) for (const a of actors) {
      if (!taken.has(`${a.id}\u0000${i.id}`)) { pair = [a.id, i.id]; break outer; }
    }
    doc.stances = [...(doc.stances || []), { actor: pair[0], issue: pair[1], position: 50, salience: 0.5 }];
  }));
  $("add-question").addEventListener("click", () => change((doc, qdoc) => {
    const q = qdoc || { name: `${doc.name || "scenario"} - questions`, questions: [] };
    const issue = (doc.issues || [])[0];
    q.questions = [...q.questions, { id: newId("question", q.questions), text: "", issue: issue ? issue.id : "", op: ">=", threshold: 50 }];
    return q;
  }));
  // a row just added takes focus at its first field (a listener run after the one adding it)
  $("add-dataset").addEventListener("click", focusNew("sources", "id"));
  $("add-judgment").addEventListener("click", focusNew("sources", "id"));
  $("add-actor").addEventListener("click", focusNew("actors", "id"));
  $("add-issue").addEventListener("click", focusNew("issues", "id"));
  $("add-stance").addEventListener("click", focusNew("stances", "actor"));
  $("add-question").addEventListener("click", focusNew("questions", "id"));
  $("undo").addEventListener("click", undo);
  $("start-empty").addEventListener("click", () => start("empty"));
  $("start-bundled").addEventListener("click", () => {
    const name = $("bundled-list").value;
    if (name) start(`bundled:${name}`);
  });
  $("open-file").addEventListener("change", () => openFile($("open-file"), "scenario"));
  $("open-questions").addEventListener("change", () => openFile($("open-questions"), "questions"));
  $("save-yaml").addEventListener("click", () => save("scenario"));
  $("save-questions").addEventListener("click", () => save("questions"));
  $("save-xlsx").addEventListener("click", saveWorkbook);
  $("run-button").addEventListener("click", runForecast);
  $("viewer-source").addEventListener("change", () => {
    state.viewer = $("viewer-source").value;
    renderViewer();
    saveDraft();
  });
  const area = $("source-text");
  for (const ev of ["select", "keyup", "mouseup"]) area.addEventListener(ev, showSelection);
  // the text is read only, but not readonly: a readonly textarea has no caret, so its words
  // could not be selected from the keyboard; an edit is refused (or undone) instead
  area.addEventListener("beforeinput", (e) => e.preventDefault());
  area.addEventListener("input", () => {
    const s = documents().find((x) => x.id === state.viewer);
    area.value = s && typeof s.text === "string" ? s.text : "";
  });
  $("suggest-button").addEventListener("click", suggest);
  $("dock-source").addEventListener("click", () => {
    dockSource();
    if ($("viewer").classList.contains("docked")) $("source-text").focus({ preventScroll: true });
  });
  // Escape in the docked text hides it again, back to the button that showed it
  $("viewer").addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !$("viewer").classList.contains("docked")) return;
    dockSource(false);
    $("dock-source").focus();
  });
  // Ctrl+Enter in the text cites the selected words for the row last used
  area.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    const t = state.target;
    const m = t && /^(actors|issues|stances)\[(\d+)\]$/.exec(t.path);
    if (!m) {
      notice("Choose the actor, issue or stance to cite for first (use one of its fields).", "error");
      return;
    }
    citeSelection(t.path, t.label, (fn) => change((doc) => { fn(doc[m[1]][Number(m[2])], doc); }));
  });
  document.addEventListener("focusin", (e) => {
    const row = e.target.closest && e.target.closest("#actor-rows .entity, #issue-rows .entity, #stance-rows .entity");
    if (row) {
      const path = row.dataset.field;
      const m = /^(actors|issues|stances)\[(\d+)\]$/.exec(path);
      const x = m && (state.doc[m[1]] || [])[Number(m[2])];
      if (x) {
        state.target = { path, label: m[1] === "stances" ? `stance of ${x.actor} on ${x.issue}` : `${m[1].slice(0, -1)} ${x.id}` };
        showTarget();
      }
    }
  });
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "z") {
      const t = e.target;
      const typing = t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && !["button", "checkbox", "radio", "file"].includes(t.type)));
      if (typing) return;  // the field's own undo
      e.preventDefault();
      undo();
    }
  });
}

// ---- start, open, save ----------------------------------------------------------------

async function start(from) {
  const r = await fetch(`/api/workspace/start?from=${encodeURIComponent(from)}`);
  const got = await readAnswer(r);
  if (!got.ok) {
    notice(`Could not start: ${got.message}`, "error");
    return false;
  }
  replaceDocument(got.data, from === "empty" ? "Started an empty scenario" : `Opened ${from.slice("bundled:".length)}`);
  return true;
}

async function openFile(input, kind) {
  if (!input.files.length) return;
  const file = input.files[0];
  const form = new FormData();
  form.append("file", file);
  if (kind === "questions") form.append("kind", "questions");
  const got = await postForm("/api/workspace/open", form);
  input.value = "";
  if (!got.ok) {
    notice(`Could not open ${file.name}: ${got.message}`, "error");
    return;
  }
  if (kind === "questions") {
    remember(snapshot());
    setDocument({ doc: state.doc, qdoc: got.data.questions });
    notice(`Opened the questions of ${file.name}.`);
  } else {
    replaceDocument(got.data, `Opened ${file.name}`);
  }
}

// the saved YAML; with errors, only when a draft will do (the file then says it is one)
async function saved(draftToo) {
  const got = await postJSON("/api/workspace/save", { scenario: state.doc, questions: state.qdoc });
  if (!got.ok) {
    notice(`Could not save: ${got.message}`, "error");
    return null;
  }
  if (!got.data.ok) {
    showProblems(got.data.problems || []);
    if (draftToo) return got.data;
    notice("Not run: the scenario has errors (each is shown beside its field).", "error");
    return null;
  }
  return got.data;
}

async function save(which) {
  const s = await saved(true);
  if (!s) return;
  if (!s.ok) {
    const n = (s.problems || []).filter((p) => p.severity !== "warning").length;
    const errors = `${n} error${n === 1 ? "" : "s"}`;
    if (which === "questions" && s.questions_yaml) {
      const name = s.questions_filename || "questions.yaml";
      download(name, new Blob([s.questions_yaml], { type: "application/x-yaml" }));
      notice(`Saved ${name}; the scenario has ${errors} (each is shown beside its field).`, "error");
    } else if (which !== "questions") {
      download(s.filename, new Blob([s.scenario_yaml], { type: "application/x-yaml" }));
      notice(`Saved ${s.filename} as a draft: it has ${errors}, and statecraft validate will refuse it until they are fixed (each is shown beside its field; open the file here again to go on).`, "error");
    } else {
      notice("There are no questions to save.", "error");
    }
    return;
  }
  if (which === "questions") {
    if (!s.questions_yaml) {
      notice("There are no questions to save.", "error");
      return;
    }
    const name = s.questions_filename || s.filename.replace(/\.ya?ml$/, "") + "-questions.yaml";
    download(name, new Blob([s.questions_yaml], { type: "application/x-yaml" }));
    notice(`Saved ${name}.`);
  } else {
    download(s.filename, new Blob([s.scenario_yaml], { type: "application/x-yaml" }));
    notice(`Saved ${s.filename}: ${s.strict_ok === false
      ? "valid, but statecraft validate --strict wants every value cited (and every quote found in its text)."
      : "statecraft validate --strict accepts it."}`);
  }
}

async function saveWorkbook() {
  const r = await fetch("/api/workspace/xlsx", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ scenario: state.doc, questions: state.qdoc }),
  });
  if (!r.ok) {
    const got = await readAnswer(r);
    notice(`Could not make the workbook: ${got.message}`, "error");
    return;
  }
  const disposition = r.headers.get("content-disposition") || "";
  const m = /filename="?([^";]+)"?/.exec(disposition);
  const name = m ? m[1] : "scenario.xlsx";
  download(name, await r.blob());
  notice(`Saved ${name}.`);
}

// ---- running -----------------------------------------------------------------------------

let running = false;

function fmt(x) {
  return typeof x === "number" ? x.toFixed(1) : "";
}

async function runForecast() {
  if (running) return;
  const version = state.version;
  running = true;
  const button = $("run-button");
  button.disabled = true;
  const status = $("run-status");
  const problems = $("run-problems");
  problems.replaceChildren();
  status.textContent = "running...";
  try {
    const s = await saved();
    if (!s) { status.textContent = "not run: the scenario has errors"; return; }
    const samples = parseInt($("samples").value, 10);
    const seed = parseInt($("seed").value, 10);
    const wrong = !(samples >= 1 && samples <= MAX_SAMPLES)
      ? `Samples: found ${$("samples").value || "nothing"}; expected a whole number from 1 to `
        + `${MAX_SAMPLES.toLocaleString("en")} (a larger forecast runs from the command line)`
      : !(seed >= 0) ? `Seed: found ${$("seed").value || "nothing"}; expected a whole number from 0` : null;
    if (wrong) {
      problems.replaceChildren(el("div", { cls: "problems" }, el("p", { text: wrong })));
      status.textContent = "not run: see why below";
      return;
    }
    // the questions file as saved is asked of the run (none: the issues alone)
    const body = { text: s.scenario_yaml, samples, seed };
    if (s.questions_yaml) body.questions = s.questions_yaml;
    const got = await postJSON("/api/forecast", body);
    if (!got.ok) {
      problems.replaceChildren(el("div", { cls: "problems" }, el("p", { text: got.message })));
      status.textContent = "failed: see why below";
      return;
    }
    showResults(got.data, version);
    status.textContent = `done: saved as run ${got.data.run_id || "(not saved)"}`;
  } finally {
    running = false;
    updateRunButton();
  }
}

function showResults(view, version) {
  state.ranVersion = version;
  const calibrated = view.calibration !== null && view.calibration !== undefined;
  const head = calibrated
    ? ["issue (nearest named point)", "status quo", "median", "50% interval", "90% interval",
      "inputs only 5\u201395%"]
    : ["issue (nearest named point)", "status quo", "median", "5\u201395%"];
  const rows = (view.issues || []).map((r) => {
    const c = r.predictive;
    const numbers = calibrated && c
      ? [fmt(r.status_quo), fmt(c.median), `${fmt(c.intervals["50"][0])}\u2013${fmt(c.intervals["50"][1])}`,
        `${fmt(c.intervals["90"][0])}\u2013${fmt(c.intervals["90"][1])}`,
        `${fmt(r.p05)}\u2013${fmt(r.p95)}`]
      : [fmt(r.status_quo), fmt(r.median), `${fmt(r.p05)}\u2013${fmt(r.p95)}`];
    return el("tr", { "data-issue": r.issue },
      el("td", {}, el("span", { text: r.issue }), el("span", { cls: "anchor", text: String(r.anchor ?? "") })),
      ...numbers.map((x) => el("td", { cls: "num", text: x })));
  });
  const links = view.run_id
    ? el("p", { cls: "meta" }, `${view.model}, ${view.samples} samples, seed ${view.seed}: run `, el("code", { text: view.run_id }), " (",
      el("a", { href: `/api/runs/${encodeURIComponent(view.run_id)}/report`, text: "report" }), ")")
    : el("p", { cls: "meta", text: `${view.model}, ${view.samples} samples, seed ${view.seed}` });
  $("ws-results").replaceChildren(
    el("p", { id: "stale-note", cls: "stale-note", hidden: true,
      text: "From the last valid version: the scenario has changed since this run." }),
    el("h3", { id: "ws-results-heading", text: "Results" }),
    links,
    calibrated ? el("p", { cls: "meta", id: "ws-calibration-note", text: "Calibrated by the "
      + "model's measured error on real EU decisions: the median and intervals say how sure "
      + "the forecast is, and may lie where no sample of the model went; 'inputs only' says "
      + "how much the scenario's ranges move the model. The bottom line below says why." }) : null,
    el("div", { cls: "table-scroll" }, el("table", { id: "ws-issue-results" },
      el("thead", {}, el("tr", {}, ...head.map((h, n) => el("th", { cls: n > 0 ? "num" : null, text: h })))),
      el("tbody", {}, ...rows))),
    questionResults(view.questions || []),
    bottomLine(view.bottom_line));
  updateRunButton();
}

// the run's bottom line in words, as the forecast page and the report give it: per issue
// where it ends and why (calibration's pull, modes, the runs that did not settle), then
// how the model has scored
function bottomLine(bottom) {
  if (!bottom) return null;
  return el("section", { id: "ws-bottom-line" },
    el("h4", { text: bottom.lead || "Bottom line" }),
    ...(bottom.issues || []).map((line) => el("p", { "data-issue": line.issue },
      el("b", { text: line.issue }), `: ${line.text}`)),
    bottom.settled ? el("p", { text: bottom.settled }) : null,
    ...(bottom.scores || []).map((sentence) => el("p", { cls: "score", text: sentence })));
}

// each question asked of the run: its id, wording, probability and, once resolved, how
function questionResults(questions) {
  if (!questions.length) return null;
  const rows = questions.map((q) => el("tr", { "data-question": q.id },
    el("td", { text: q.id }),
    el("td", { text: q.text }),
    el("td", { cls: "num prob", text: typeof q.probability === "number" ? q.probability.toFixed(3) : "" }),
    el("td", { text: q.resolution === true ? `yes (${q.resolved_on || ""})`
      : q.resolution === false ? `no (${q.resolved_on || ""})` : "open" })));
  return el("div", { cls: "table-scroll" }, el("table", { id: "ws-question-results" },
    el("thead", {}, el("tr", {}, ...["question", "text", "probability", "resolution"].map((h) =>
      el("th", { cls: h === "probability" ? "num" : null, text: h })))),
    el("tbody", {}, ...rows)));
}

// ---- start-up ----------------------------------------------------------------------------

async function listBundled() {
  const got = await readAnswer(await fetch("/api/scenarios"));
  const names = got.ok ? got.data.bundled || [] : [];
  $("bundled-list").replaceChildren(...names.map((n) => el("option", { value: n, text: n })));
}

async function boot() {
  wire();
  listBundled();
  const draft = loadDraft();
  if (draft) {
    state.viewer = typeof draft.viewer === "string" ? draft.viewer : null;
    setDocument({ doc: draft.scenario, qdoc: draft.questions ?? null });
    notice("Restored the draft kept in this browser.");
  } else if (!(await start("empty"))) {
    setDocument({ doc: { name: "", as_of: today(), sources: [], actors: [], issues: [], stances: [] }, qdoc: null });
  }
}

document.addEventListener("DOMContentLoaded", boot);
