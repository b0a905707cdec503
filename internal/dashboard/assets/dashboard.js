// hookflow dashboard: polls /dashboard/api/overview and draws it. Plain DOM
// and SVG; every value from the server is set as text, never as HTML.
"use strict";

const api = "api/";
const tokenKey = "hookflow-admin-token";
let timer = null;
let refreshMs = 5000;
let armed = null; // the replay button waiting for its confirming click

// el builds an element: el("div", {class: "x"}, child, "text", ...).
function el(tag, attrs, ...children) {
  const svg = ["svg", "rect", "path", "line", "circle", "title", "g", "polyline"].includes(tag);
  const n = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") n.textContent = v;
    else if (k === "style") n.style.cssText = v; // CSSOM: allowed by the page's CSP, unlike a style attribute
    else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}

const fmtInt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
function count(v) { return v === null || v === undefined ? "–" : fmtInt.format(v); }
function pct(v) {
  if (v === null || v === undefined) return "–";
  const p = v * 100;
  return (p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)) + "%";
}
function ms(v) {
  if (v === null || v === undefined) return "–";
  if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + " s";
  if (v >= 100) return v.toFixed(0) + " ms";
  return v.toFixed(1) + " ms";
}
function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
function ago(t, now) {
  const s = Math.max(0, Math.round((new Date(now) - new Date(t)) / 1000));
  if (s < 60) return s + "s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}
function span(seconds) {
  if (seconds >= 3600 && seconds % 3600 === 0) return seconds / 3600 + " h";
  if (seconds >= 60) return Math.round(seconds / 60) + " min";
  return Math.round(seconds) + " s";
}
function stepName(seconds) {
  if (seconds === 60) return "minute";
  if (seconds === 3600) return "hour";
  return span(seconds);
}

// request calls the API with the admin token when this tab has one.
async function request(path, opts) {
  opts = opts || {};
  const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
  const token = sessionStorage.getItem(tokenKey);
  if (token) headers.Authorization = "Bearer " + token;
  const resp = await fetch(api + path, Object.assign({}, opts, { headers, cache: "no-store" }));
  let body = {};
  try { body = await resp.json(); } catch (e) { /* not JSON */ }
  if (resp.status === 401) {
    showLogin(body.error);
  }
  if (!resp.ok) {
    const err = new Error(body.error || resp.status + " " + resp.statusText);
    err.status = resp.status;
    throw err;
  }
  return body;
}

function showLogin(why) {
  const veil = document.getElementById("login");
  if (why) document.getElementById("login-why").textContent = why;
  veil.hidden = false;
  document.getElementById("token").focus();
}

document.getElementById("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(tokenKey, document.getElementById("token").value.trim());
  document.getElementById("login").hidden = true;
  refresh();
});

// ---- charts ----------------------------------------------------------------

const W = 600; // chart coordinates; the SVG scales to its box

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function gridLines(H) {
  return [0.25, 0.5, 0.75].map((f) => el("line", { x1: 0, x2: W, y1: H * f, y2: H * f, stroke: "#eef1f6", "stroke-width": 1 }));
}

// bars draws stacked bars: layers is [{values, color, name}], bottom first.
function bars(layers, times, H, unit) {
  const n = times.length;
  const totals = times.map((_, i) => layers.reduce((s, l) => s + (l.values[i] || 0), 0));
  const max = niceMax(Math.max(...totals));
  const slot = W / n;
  const gap = Math.min(2, slot * 0.25);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img" }, gridLines(H));
  svg.append(el("line", { x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5, stroke: "#d0d5dd", "stroke-width": 1 }));
  for (let i = 0; i < n; i++) {
    let y = H;
    const partial = i === n - 1;
    const parts = [];
    for (const l of layers) {
      const v = l.values[i];
      if (!v) continue;
      const h = Math.max(1.5, (v / max) * (H - 4));
      y -= h;
      parts.push(el("rect", { x: i * slot + gap / 2, y, width: Math.max(1, slot - gap), height: h, fill: l.color, opacity: partial ? 0.55 : 1, rx: Math.min(2, slot / 4) }));
    }
    const label = `${clock(times[i])}${partial ? " (so far)" : ""}: ` + (layers.map((l) => `${l.name} ${count(l.values[i] || 0)}`).join(", "));
    const g = el("g", {}, el("title", { text: label }), el("rect", { x: i * slot, y: 0, width: slot, height: H, fill: "transparent" }));
    g.append(...parts);
    svg.append(g);
  }
  return { svg, max: max + (unit ? " " + unit : ""), empty: !totals.some((v) => v > 0) };
}

// lines draws line series with gaps where a value is null.
function lines(series, times, H) {
  const n = times.length;
  let top = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > top) top = v;
  const max = niceMax(top);
  const x = (i) => (n === 1 ? W / 2 : (i + 0.5) * (W / n));
  const y = (v) => H - 3 - (v / max) * (H - 8);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img" }, gridLines(H));
  svg.append(el("line", { x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5, stroke: "#d0d5dd", "stroke-width": 1 }));
  for (const s of series) {
    let run = [];
    const flush = () => {
      if (run.length > 1) svg.append(el("polyline", { points: run.map(([i, v]) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: s.color, "stroke-width": 2, "vector-effect": "non-scaling-stroke", "stroke-linejoin": "round" }));
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) { flush(); return; }
      run.push([i, v]);
    });
    flush();
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const lonely = (i === 0 || s.values[i - 1] === null) && (i === n - 1 || s.values[i + 1] === null);
      if (lonely) svg.append(el("rect", { x: x(i) - 2, y: y(v) - 2, width: 4, height: 4, fill: s.color }));
    });
  }
  for (let i = 0; i < n; i++) {
    const vals = series.map((s) => `${s.name} ${ms(s.values[i])}`).join(", ");
    svg.append(el("g", {}, el("title", { text: `${clock(times[i])}: ${vals}` }), el("rect", { x: i * (W / n), y: 0, width: W / n, height: H, fill: "transparent" })));
  }
  return { svg, max: ms(max), empty: top === 0 };
}

function chartBox(title, legend, drawn, times, cls, emptyText) {
  const first = times[0], windowSec = (new Date(times[times.length - 1]) - new Date(first)) / 1000 + (state.step || 60);
  return el("div", { class: "chart " + (cls || "") },
    el("div", { class: "chart-title" },
      el("span", {}, title, drawn.empty ? null : el("span", { class: "num faint", text: "  ·  max " + drawn.max })),
      el("span", { class: "legend" }, legend.map(([name, color]) => el("span", {}, el("i", { style: `background:${color}` }), name)))),
    el("div", { class: "plot" }, drawn.svg, drawn.empty ? el("span", { class: "nodata", text: (emptyText || "nothing") + " in the last " + span(state.windowSec) }) : null),
    el("div", { class: "axis" }, el("span", { text: "−" + span(windowSec) }), el("span", { text: "−" + span(windowSec / 2) }), el("span", { text: "now" })));
}

// ---- sections --------------------------------------------------------------

const state = { step: 60 };

function kpi(key, label, value, note, tone) {
  return el("div", { class: "kpi " + (tone || ""), "data-kpi": key },
    el("div", { class: "label", text: label }),
    el("div", { class: "value", "data-field": "value", text: value }),
    el("div", { class: "note", text: note || "" }));
}

function renderKPIs(v) {
  const sum = (list, f) => list.reduce((s, x) => s + (f(x) || 0), 0);
  const received = sum(v.triggers, (t) => t.received);
  const accepted = sum(v.triggers, (t) => t.accepted);
  const rejected = sum(v.triggers, (t) => t.rejected);
  const calls = sum(v.integrations, (i) => i.calls);
  const ok = sum(v.integrations, (i) => i.succeeded);
  const down = v.integrations.filter((i) => i.health && !i.health.pending && !i.health.up).length;
  const checked = v.integrations.filter((i) => i.health).length;
  const open = v.failed.runs.filter((r) => !r.latest).length;
  const win = "last " + span(state.windowSec);
  const box = document.getElementById("kpis");
  box.replaceChildren(
    kpi("received", "Webhooks", count(received), "received, " + win),
    kpi("accepted", "Accepted", received ? pct(accepted / received) : "–", count(accepted) + " started or matched a run", "ok"),
    kpi("rejected", "Rejected", count(rejected), "answered 4xx/5xx", rejected ? "bad" : "ok"),
    kpi("calls", "Outbound calls", count(calls), win),
    kpi("success", "Call success", calls ? pct(ok / calls) : "–", count(calls - ok) + " failed attempts", calls && ok < calls ? "warn" : "ok"),
    kpi("down", "Integrations down", checked ? count(down) : "–", checked ? `of ${checked} with a health check` : "no health checks", down ? "bad" : "ok"),
    kpi("failed", "Failed runs", v.failed.error ? "?" : count(open) + (v.failed.runs.length >= 12 ? "+" : ""), "not replayed yet, whole cluster", open ? "bad" : "ok"),
  );
}

function renderTriggers(v) {
  const box = document.getElementById("triggers");
  if (v.role === "worker") {
    box.replaceChildren(el("div", { class: "note-card", text: "A worker answers no webhooks: open the dashboard of a serve process for the front door." }));
    return;
  }
  if (!v.triggers.length) {
    box.replaceChildren(el("div", { class: "note-card", text: "No triggers configured in hookflow.yaml." }));
    return;
  }
  box.replaceChildren(...v.triggers.map((t) => {
    const chips = t.by_status && t.by_status.length
      ? t.by_status.map((s) => el("span", { class: "chip", "data-status": s.status, title: statusText(s.status) }, el("b", { text: s.status }), el("span", { "data-field": "count", text: "×" + count(s.count) })))
      : [el("span", { class: "chip none", text: "no rejections" })];
    if (t.duplicates) chips.push(el("span", { class: "chip neutral", "data-field": "duplicates", text: count(t.duplicates) + " duplicate" + (t.duplicates === 1 ? "" : "s") }));
    const drawn = bars([
      { values: t.accepted_series, color: "#12b76a", name: "accepted" },
      { values: t.rejected_series, color: "#f04438", name: "rejected" },
    ], v.times, 96);
    return el("article", { class: "card", "data-trigger": t.name },
      el("div", { class: "card-head" },
        el("div", { class: "title" }, el("span", { class: "mono", text: "/hooks/" }), t.name, t.configured ? null : el("span", { class: "kind", text: t.name === "unknown" ? "(requests to triggers that do not exist)" : "(no longer configured)" }))),
      el("div", { class: "stats" },
        stat("received", "Received", count(t.received)),
        stat("accepted", "Accepted", count(t.accepted), "ok"),
        stat("rejected", "Rejected", count(t.rejected), t.rejected ? "bad" : "")),
      el("div", { class: "chips" }, chips),
      chartBox("Requests per " + stepName(state.step), [["accepted", "#12b76a"], ["rejected", "#f04438"]], drawn, v.times, "", "no requests"));
  }));
}

function statusText(s) {
  return ({ 400: "bad request", 401: "signature or token failed", 403: "address not allowed", 404: "unknown trigger", 413: "body too large", 415: "unsupported media type", 422: "payload fails the schema", 429: "rate limited", 500: "could not start the run", 503: "Temporal unavailable" })[s] || "";
}

function stat(key, label, value, tone, unit) {
  return el("div", { class: "stat", "data-field": key },
    el("div", { class: "k", text: label }),
    el("div", { class: "v " + (tone || ""), "data-field": "value" }, value, unit ? el("small", { text: unit }) : null));
}

function renderIntegrations(v) {
  const box = document.getElementById("integrations");
  document.getElementById("integrations-hint").textContent = v.role === "serve"
    ? "Health and circuits for the whole cluster; outbound calls are made and counted by the workers (see a worker's dashboard or Grafana)"
    : "Outbound calls, latency and health, per integration";
  if (!v.integrations.length) {
    box.replaceChildren(el("div", { class: "note-card", text: "No integrations configured in hookflow.yaml." }));
    return;
  }
  box.replaceChildren(...v.integrations.map((i) => {
    const head = el("div", { class: "card-head" }, el("div", { class: "title", text: i.name }));
    if (i.health) {
      const h = i.health;
      const word = h.pending ? "checking…" : h.up ? "up" : "down";
      head.append(el("span", { class: "badge " + (h.pending ? "unknown" : h.up ? "up" : "down"), "data-field": "health", title: h.message || "", text: "health: " + word }));
      head.append(el("span", { class: "badge " + i.circuit, "data-field": "circuit", title: i.circuit === "open" ? "its steps wait until the health check passes" : "calls go through", text: "circuit " + i.circuit }));
    } else {
      head.append(el("span", { class: "badge unknown", "data-field": "health", title: "add health_check to watch it", text: "no health check" }));
    }
    const calls = bars([
      { values: i.ok_series, color: "#12b76a", name: "succeeded" },
      { values: i.failed_series, color: "#f04438", name: "failed" },
    ], v.times, 72);
    const lat = lines([
      { values: i.p50_series, color: "#6366f1", name: "p50" },
      { values: i.p95_series, color: "#f59e0b", name: "p95" },
    ], v.times, 72);
    const rateTone = i.success_rate === null ? "" : i.success_rate >= 0.99 ? "ok" : i.success_rate < 0.9 ? "bad" : "";
    const card = el("article", { class: "card", "data-integration": i.name }, head,
      el("div", { class: "stats" },
        stat("calls", "Calls", count(i.calls)),
        stat("success_rate", "Success", pct(i.success_rate), rateTone),
        stat("p50", "p50", ms(i.p50_ms)),
        stat("p95", "p95", ms(i.p95_ms)),
        stat("retries", "Retries", count(i.retries), i.retries ? "bad" : "")),
      el("div", { class: "charts2" },
        chartBox("Calls per " + stepName(state.step), [["ok", "#12b76a"], ["failed", "#f04438"]], calls, v.times, "small", "no calls"),
        chartBox("Latency", [["p50", "#6366f1"], ["p95", "#f59e0b"]], lat, v.times, "small", "no calls")));
    if (i.health) card.append(timeline(i.health, v));
    return card;
  }));
}

// timeline draws the health states over the window, grey where unknown.
function timeline(h, v) {
  const end = new Date(v.now).getTime();
  const start = end - state.windowSec * 1000;
  const bar = el("div", { class: "bar", "data-field": "health-history" });
  const segs = (h.history || []).map((s, i, all) => ({
    from: Math.max(start, new Date(s.from).getTime()),
    to: i + 1 < all.length ? new Date(all[i + 1].from).getTime() : end,
    up: s.up, message: s.message,
  })).filter((s) => s.to > s.from);
  let cursor = start;
  for (const s of segs) {
    if (s.from > cursor) bar.append(el("span", { style: `width:${((s.from - cursor) / (end - start)) * 100}%`, title: "not watched by this process yet" }));
    bar.append(el("span", { class: s.up ? "up" : "down", "data-up": String(s.up), style: `width:${((s.to - s.from) / (end - start)) * 100}%`, title: `${s.up ? "up" : "down"} from ${clock(s.from)}${s.message ? ": " + s.message : ""}` }));
    cursor = s.to;
  }
  let msg = "";
  if (h.pending) msg = "the health monitor has not checked it yet";
  else msg = `${h.up ? "up" : "down"} since ${clock(h.since)} · checked ${ago(h.checked, v.now)}${h.message ? " · " + h.message : ""}`;
  return el("div", { class: "timeline" },
    el("div", { class: "chart-title" }, el("span", { text: "Health, last " + span(state.windowSec) }), el("span", { class: "legend" }, el("span", {}, el("i", { style: "background:#12b76a" }), "up"), el("span", {}, el("i", { style: "background:#f04438" }), "down"))),
    bar, el("div", { class: "msg", title: msg, text: msg }));
}

function renderFailed(v) {
  const box = document.getElementById("failed");
  const f = v.failed;
  const hint = document.getElementById("failed-hint");
  hint.replaceChildren("From Temporal: every process of the cluster", f.query_url ? el("span", {}, " · ", el("a", { href: f.query_url, target: "_blank", rel: "noopener", text: "all failed runs in the Web UI" })) : null);
  if (f.error) {
    box.replaceChildren(el("div", { class: "empty", "data-field": "failed-error", text: f.error }));
    return;
  }
  if (!f.runs.length) {
    box.replaceChildren(el("div", { class: "empty", text: "No failed runs. Runs that fail after their retries show up here, with a replay button." }));
    return;
  }
  const rows = f.runs.map((r) => {
    const id = r.url ? el("a", { href: r.url, target: "_blank", rel: "noopener", class: "mono", text: r.workflow_id }) : el("span", { class: "mono", text: r.workflow_id });
    const act = el("td", { class: "act" });
    if (r.latest) {
      act.append(el("div", { class: "replayed" }, "replayed → ", r.latest_url ? el("a", { href: r.latest_url, target: "_blank", rel: "noopener" }, el("span", { class: "status " + r.latest.replace(" ", "-"), text: r.latest })) : el("span", { class: "status " + r.latest.replace(" ", "-"), text: r.latest })));
    } else if (v.replay) {
      act.append(el("button", { class: "btn", type: "button", "data-action": "replay", onclick: (e) => replay(e.currentTarget, r.workflow_id), text: "Replay" }));
    }
    return el("tr", { "data-run": r.workflow_id },
      el("td", { class: "when", title: new Date(r.closed).toLocaleString(), text: ago(r.closed, v.now) }),
      el("td", {}, id, el("div", { class: "hint" }, [r.trigger, r.event_type].filter(Boolean).join(" · "))),
      el("td", { class: "error" }, el("div", { "data-field": "error", text: r.error || "(no message)" }), r.failed_steps && r.failed_steps.length ? el("div", { class: "steps", text: "failed steps: " + r.failed_steps.join(", ") }) : null),
      act);
  });
  box.replaceChildren(el("table", {},
    el("thead", {}, el("tr", {}, el("th", { text: "Failed" }), el("th", { text: "Run" }), el("th", { text: "Error" }), el("th", { style: "text-align:right", text: v.replay ? "Action" : "" }))),
    el("tbody", {}, rows)));
}

async function replay(btn, workflowID) {
  if (armed !== btn) {
    if (armed) { armed.textContent = "Replay"; armed.classList.remove("confirm"); }
    armed = btn;
    btn.textContent = "Confirm replay";
    btn.classList.add("confirm");
    return;
  }
  armed = null;
  btn.disabled = true;
  btn.textContent = "Replaying…";
  const cell = btn.parentElement;
  try {
    const body = await request("replay", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ workflow_id: workflowID }) });
    cell.replaceChildren(el("div", { class: "result-ok", "data-field": "replay-result", text: body.message || "replay started" }));
    pause(4000);
  } catch (e) {
    btn.disabled = false;
    btn.textContent = "Replay";
    btn.classList.remove("confirm");
    cell.append(el("div", { class: "result-bad", "data-field": "replay-result", text: e.message }));
    pause(6000);
  }
}

// pause holds the next poll so a result stays readable.
function pause(msDelay) {
  clearTimeout(timer);
  timer = setTimeout(refresh, msDelay);
}

function renderFoot(v) {
  const who = { dev: "this hookflow dev process (webhooks and outbound calls)", serve: "this serve process (webhooks it answered)", worker: "this worker (calls it made)" }[v.role] || "this process";
  document.getElementById("foot").replaceChildren(
    el("div", {}, `Counts, rates and latencies: ${who}, since ${new Date(v.started).toLocaleString()}, in ${stepName(v.step_seconds)} steps over the last ${span(state.windowSec)}. With several processes each shows its own; Grafana (deploy/grafana) shows the cluster.`),
    el("div", {}, `Failed runs, search and integration health: Temporal namespace ${v.namespace}, the same on every process.`, v.ui_url ? el("span", {}, " Web UI: ", el("a", { href: v.ui_url, target: "_blank", rel: "noopener", text: v.ui_url })) : " Set --ui-url to link runs to the Web UI."),
  );
}

function render(v) {
  state.step = v.step_seconds || 60;
  state.windowSec = v.times.length * state.step;
  state.now = v.now;
  document.getElementById("role").textContent = v.role + " · " + v.namespace;
  renderKPIs(v);
  renderTriggers(v);
  renderIntegrations(v);
  renderFailed(v);
  renderFoot(v);
}

async function refresh() {
  clearTimeout(timer);
  const stamp = document.getElementById("updated");
  try {
    const v = await request("overview");
    refreshMs = v.refresh_ms || refreshMs;
    if (armed === null) render(v); // never redraw under a pending confirmation
    stamp.dataset.state = "ok";
    document.getElementById("updated-text").textContent = "updated " + clock(v.now);
  } catch (e) {
    stamp.dataset.state = "error";
    document.getElementById("updated-text").textContent = e.status === 401 || e.status === 403 ? e.message : "not updated: " + e.message;
    if (e.status === 403) {
      document.querySelector("main").prepend(el("div", { class: "note-card", text: e.message }));
      return;
    }
  }
  timer = setTimeout(refresh, refreshMs);
}

// ---- search ----------------------------------------------------------------

document.getElementById("search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = document.getElementById("q").value;
  const box = document.getElementById("search-results");
  box.hidden = false;
  box.replaceChildren(el("div", { class: "hint", text: "searching…" }));
  const close = el("button", { class: "btn close", type: "button", text: "Close", onclick: () => { box.hidden = true; } });
  try {
    const r = await request("search?q=" + encodeURIComponent(q));
    const head = el("div", { class: "head" }, el("h2", { text: `${r.runs.length}${r.runs.length >= 20 ? "+" : ""} run${r.runs.length === 1 ? "" : "s"} for “${q.trim()}”` }),
      r.query_url ? el("a", { href: r.query_url, target: "_blank", rel: "noopener", "data-field": "ui-search", text: "open this search in the Web UI →" }) : null, close);
    const table = r.runs.length ? el("table", {},
      el("thead", {}, el("tr", {}, el("th", { text: "Run" }), el("th", { text: "Event type" }), el("th", { text: "Status" }), el("th", { text: "Started" }))),
      el("tbody", {}, r.runs.map((x) => el("tr", { "data-result": x.workflow_id },
        el("td", {}, x.url ? el("a", { href: x.url, target: "_blank", rel: "noopener", class: "mono", text: x.workflow_id }) : el("span", { class: "mono", text: x.workflow_id })),
        el("td", { text: x.event_type || "–" }),
        el("td", {}, el("span", { class: "status " + (x.hook_status || x.status).replace(" ", "-"), text: x.hook_status || x.status })),
        el("td", { class: "when", text: new Date(x.started).toLocaleString() })))))
      : el("div", { class: "empty", text: "No run has this workflow id, event id or business key." });
    box.replaceChildren(head, table, el("div", { class: "query mono", text: r.query }));
  } catch (err) {
    box.replaceChildren(el("div", { class: "head" }, el("span", { class: "result-bad", text: err.message }), close));
  }
});

refresh();
