// asl console: JSON editors, selecting a state in the diagram, and live updates of a running execution.
// No inline script anywhere (the Content-Security-Policy allows only this file).
"use strict";

function checkEditor(editor) {
  const status = editor.closest("form").querySelector(".editor-status");
  if (!status) return;
  try {
    JSON.parse(editor.value);
    status.textContent = "Valid JSON";
    status.className = "editor-status ok";
  } catch (error) {
    status.textContent = "Not valid JSON: " + error.message;
    status.className = "editor-status bad";
  }
}

let selected = null;

function applySelection(root) {
  const rows = root.querySelectorAll("table.state-runs tr[data-state], table.event-table tr[data-state]");
  rows.forEach((row) => { row.hidden = selected !== null && row.dataset.state !== selected; });
  root.querySelectorAll(".node[data-state]").forEach((node) => {
    node.classList.toggle("selected", node.dataset.state === selected);
  });
  root.querySelectorAll(".show-all").forEach((button) => { button.hidden = selected === null; });
}

function select(name) {
  selected = selected === name ? null : name;
  applySelection(document);
  if (selected !== null) {
    const table = document.querySelector("table.state-runs");
    if (table) table.scrollIntoView({ block: "nearest" });
  }
}

document.addEventListener("input", (event) => {
  if (event.target.matches("[data-json-editor]")) checkEditor(event.target);
});

document.addEventListener("click", (event) => {
  const format = event.target.closest(".format-json");
  if (format) {
    const editor = format.closest("form").querySelector("[data-json-editor]");
    try { editor.value = JSON.stringify(JSON.parse(editor.value), null, 2); } catch (error) { /* shown below */ }
    checkEditor(editor);
    return;
  }
  if (event.target.closest(".show-all")) { select(selected); return; }
  const chooser = event.target.closest("[data-select-state]");
  if (chooser) { select(chooser.dataset.selectState); return; }
  const node = event.target.closest(".node[data-state]");
  if (node) select(node.dataset.state);
});

document.addEventListener("keydown", (event) => {
  const node = event.target.closest && event.target.closest(".node[data-state]");
  if (node && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); select(node.dataset.state); }
});

function detailsKey(details) {
  const row = details.closest("[data-key]");
  const summary = details.querySelector("summary");
  return (row ? row.dataset.key : "") + "|" + (summary ? summary.textContent : "");
}

function replaceLive(live, html) {
  const open = new Set();
  const closed = new Set();
  live.querySelectorAll("details").forEach((d) => (d.open ? open : closed).add(detailsKey(d)));
  live.innerHTML = html;
  live.querySelectorAll("details").forEach((d) => {
    const key = detailsKey(d);
    if (open.has(key)) d.open = true;
    else if (closed.has(key)) d.open = false;
  });
  applySelection(live);
  const badge = live.querySelector(".execution-status .status");
  const heading = document.querySelector("h1 .status");
  if (badge && heading) heading.replaceWith(badge.cloneNode(true));
}

// A poll that took long (a big history to render) waits longer before the next one, so a watched
// execution never costs the server more than about a fifth of its time.
let delay = 1000;

function poll(live) {
  const state = live.querySelector(".live-state");
  if (!state || state.dataset.status !== "RUNNING") {
    const stop = document.querySelector("details.stop");
    if (stop) stop.remove();
    return;
  }
  const query = new URLSearchParams({
    arn: live.dataset.arn, lane: live.dataset.lane, seen: state.dataset.seen, status: state.dataset.status,
  });
  setTimeout(async () => {
    const started = performance.now();
    try {
      const answer = await fetch("/console/execution/live?" + query, { cache: "no-store" });
      if (answer.status === 404) return;
      if (answer.status === 200) {
        const html = await answer.text();
        if (live.contains(document.activeElement) && document.activeElement.closest("form")) {
          poll(live);  // someone is typing in a callback form: keep it, try again later
          return;
        }
        replaceLive(live, html);
      }
    } catch (error) { /* the server stopped: keep what is shown, try again */ }
    delay = Math.max(1000, Math.min(10000, 5 * (performance.now() - started)));
    poll(live);
  }, delay);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-json-editor]").forEach(checkEditor);
  const live = document.getElementById("live");
  if (live) poll(live);
});
