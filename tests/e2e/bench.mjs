// The designer's speed in headless Chromium, measured with the Performance API (run by
// `cargo xtask bench`; results go to BENCHMARKS.md by hand, timings never into tests):
// - open: from navigation start until the frame with all nodes of a 1,000-resource flow is painted
//   (download, wasm compile, parse, validate, lint, auto-layout, render);
// - drag: frame intervals (requestAnimationFrame) while a node is dragged across the canvas, and
//   each frame's work from the pointer move it handles until it is painted;
// - auto layout: the layout and the views it changes, timed by the designer, and until painted.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repo, serve, browser } from "./harness.mjs";

const knFlow = process.env.KN_FLOW ?? join(repo, "target/release/kn-flow");
const N = 1000;

/// One broker, a ping source, and triggers each with their own service: N resources.
function bigFlow() {
  const docs = [
    "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n",
    "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: tick\nspec:\n  schedule: '* * * * *'\n  sink:\n    ref:\n      apiVersion: eventing.knative.dev/v1\n      kind: Broker\n      name: b\n",
  ];
  for (let i = 0; docs.length < N; i++) {
    docs.push(`apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t${i}\nspec:\n  broker: b\n  filters:\n  - cesql: "type = 'e${i}'"\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: s${i}\n`);
    if (docs.length < N) {
      docs.push(`apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: s${i}\nspec:\n  template:\n    spec:\n      containers:\n      - image: example.com/s${i}\n`);
    }
  }
  return docs.join("---\n");
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const dir = mkdtempSync(join(tmpdir(), "knflow-bench-"));
writeFileSync(join(dir, "big.yaml"), bigFlow());
const { proc: server, base } = await serve(dir, knFlow);
const context = await browser({ width: 1400, height: 900 });

const opens = [];
const phases = [];
const drags = [];
const brokerDrags = [];
const layouts = [];
for (let run = 0; run < 3; run++) {
  const page = await context.newPage();
  // Open ends when the frame with every node is painted, seen from inside the page (a message
  // posted from requestAnimationFrame runs once that frame's rendering is done), so that the
  // harness's polling is not counted.
  await page.addInitScript((n) => {
    const painted = new MessageChannel();
    painted.port1.onmessage = () => { window.__opened = performance.now(); };
    const check = () => {
      if (document.querySelectorAll("[data-node]").length >= n) painted.port2.postMessage(0);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, N);
  await page.goto(`${base}#big.yaml`);
  await page.waitForFunction(() => window.__opened !== undefined, null, { timeout: 60000 });
  opens.push(await page.evaluate(() => window.__opened));
  phases.push(await page.evaluate(() => window.knflowTimings));

  // Drag a service (one wire) and the broker (every trigger's wire): record every animation
  // frame's interval during the gestures.
  for (const [name, into] of [["Service s10", drags], ["Broker b", brokerDrags]]) {
    const { frames, work } = await drag(page, name);
    into.push(...frames);
    (into.work ??= []).push(...work);
  }
  // Auto layout: the layout (and the views it changes) as the designer times it, and until the
  // next frame is painted.
  const painted = await page.evaluate(async () => {
    const t0 = performance.now();
    dispatchEvent(new KeyboardEvent("keydown", { key: "l", bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  });
  layouts.push({ layout: await page.evaluate(() => window.knflowTimings.auto_layout_ms), painted });
  await page.close();
}

async function drag(page, name) {
  const box = await page.getByRole("group", { name, exact: true }).boundingBox();
  await page.evaluate(() => {
    window.__frames = [];
    window.__work = [];
    let last = performance.now();
    // A frame's work: from the first pointer move it handles to just after it is painted (a
    // message posted from requestAnimationFrame runs once the frame's rendering is done).
    let moved = null;
    addEventListener("pointermove", () => { moved ??= performance.now(); }, { capture: true });
    const painted = new MessageChannel();
    painted.port1.onmessage = () => {
      if (moved !== null) { window.__work.push(performance.now() - moved); moved = null; }
    };
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      painted.port2.postMessage(0);
      if (window.__recording) requestAnimationFrame(tick);
    };
    window.__recording = true;
    requestAnimationFrame(tick);
  });
  await page.mouse.move(box.x + 60, box.y + 30);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(box.x + 60 + i * 4, box.y + 30 + i * 2);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  await page.mouse.up();
  return page.evaluate(() => {
    window.__recording = false;
    return { frames: window.__frames.slice(1), work: window.__work };
  });
}
await context.close();
server.kill();

const fmt = (x) => (typeof x === "number" ? `${x.toFixed(1)} ms` : "?");
console.log(`open ${N}-resource flow: ${opens.map(fmt).join(", ")} (target < 1000 ms)`);
console.log(`  wasm started at / flow asked for at / flow fetched at / load (parse, layout) / render: ${phases.map((p) => `${fmt(p.wasm_started_at_ms)} / ${fmt(p.flow_asked_at_ms)} / ${fmt(p.flow_fetched_at_ms)} / ${fmt(p.load_ms)} / ${fmt(p.render_ms)}`).join("; ")}`);
console.log(`  of which diagram / node views / wire routes: ${phases.map((p) => `${fmt(p.diagram_ms)} / ${fmt(p.nodes_ms)} / ${fmt(p.route_ms)}`).join("; ")}`);
console.log(`auto layout of the ${N}-resource flow: ${layouts.map((l) => `${fmt(l.layout)} (painted after ${fmt(l.painted)})`).join(", ")} (target < 150 ms)`);
for (const [what, xs] of [["a service (1 wire)", drags], ["the broker (499 wires)", brokerDrags]]) {
  console.log(`drag ${what}: frame interval p50 ${fmt(percentile(xs, 0.5))}, p95 ${fmt(percentile(xs, 0.95))}, max ${fmt(Math.max(...xs))} over ${xs.length} frames`);
  const w = xs.work;
  console.log(`  frame work (pointer move → painted): p50 ${fmt(percentile(w, 0.5))}, p95 ${fmt(percentile(w, 0.95))}, max ${fmt(Math.max(...w))} over ${w.length} frames (target < 16 ms)`);
}
