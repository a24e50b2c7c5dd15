// The canvas measured, not compared with pixels: for every example flow after opening it, after
// Auto layout and after Fit, node boxes, port labels and the minimap do not overlap, every wire
// starts inside the port named by its field (a broker's `triggers`, a trigger's input `broker`),
// names are at least 11 px high, and the crossings counted from the wires' paths stay at or
// below what the layout reports. Then the gestures: wires selected and deleted, the context
// menu, palette clicks, paste offsets, the dock's separator, the inspector folding away.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, canvas, node, tab, exportedYaml, examples } from "./harness.mjs";

setup();

/// Everything the picture rules need, measured in the page (client coordinates).
async function measure(page) {
  // After the page has painted what the last action changed.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
    };
    const svg = document.querySelector("svg.canvas");
    const view = svg.querySelector("g.view").getScreenCTM();
    const toScreen = (x, y) => ({ x: view.a * x + view.c * y + view.e, y: view.b * x + view.d * y + view.f });
    const nodes = [...document.querySelectorAll("svg.canvas [data-node]")].map((n) => ({
      label: n.dataset.node,
      box: box(n.querySelector("rect.box")),
      labels: [...n.querySelectorAll("text.port-name, text.port-group, text.port-caption")].map((t) => ({ text: t.textContent, box: box(t) })),
      ports: Object.fromEntries([...n.querySelectorAll(".port[data-port]")].map((p) => [p.dataset.port, box(p)])),
      name: (() => {
        const t = n.querySelector("text.name");
        return t ? parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a : null;
      })(),
    }));
    // Path data → polyline (curves sampled at 16 points, as the layout counts them).
    const polyline = (d) => {
      const nums = (s) => s.trim().split(/[\s,]+/).map(Number);
      const pts = [];
      let at = null;
      for (const [, cmd, args] of d.matchAll(/([MLCQ])([^MLCQ]*)/g)) {
        const a = nums(args);
        if (cmd === "M" || cmd === "L") { at = [a[0], a[1]]; pts.push(at); continue; }
        const steps = 16;
        for (let i = 1; i <= steps; i++) {
          const t = i / steps, u = 1 - t;
          if (cmd === "C") {
            pts.push([0, 1].map((k) => u * u * u * at[k] + 3 * u * u * t * a[k] + 3 * u * t * t * a[2 + k] + t * t * t * a[4 + k]));
          } else {
            pts.push([0, 1].map((k) => u * u * at[k] + 2 * u * t * a[k] + t * t * a[2 + k]));
          }
        }
        at = cmd === "C" ? [a[4], a[5]] : [a[2], a[3]];
      }
      return pts;
    };
    const wires = [...document.querySelectorAll("svg.canvas g.wire")].map((w) => {
      const pts = polyline(w.querySelector("path.wire-line").getAttribute("d"));
      return {
        name: w.getAttribute("aria-label"), from: w.dataset.from, to: w.dataset.to, port: w.dataset.port,
        pts, start: toScreen(...pts[0]), end: toScreen(...pts[pts.length - 1]),
      };
    });
    const mini = document.querySelector("svg.minimap");
    return {
      nodes, wires,
      minimap: mini ? box(mini) : null,
      canvas: box(svg),
      controls: box(document.querySelector(".zoom-controls")),
      crossings: Number(svg.dataset.crossings ?? NaN),
    };
  });
}

const overlap = (a, b) => a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
const inside = (p, b) => p.x >= b.x0 - 1 && p.x <= b.x1 + 1 && p.y >= b.y0 - 1 && p.y <= b.y1 + 1;

function crossings(wires) {
  const near = (p, q) => Math.abs(p[0] - q[0]) < 0.5 && Math.abs(p[1] - q[1]) < 0.5;
  const hit = (p, p2, q, q2) => {
    const r = [p2[0] - p[0], p2[1] - p[1]], s = [q2[0] - q[0], q2[1] - q[1]];
    const den = r[0] * s[1] - r[1] * s[0];
    if (Math.abs(den) < 1e-12) return null;
    const qp = [q[0] - p[0], q[1] - p[1]];
    const t = (qp[0] * s[1] - qp[1] * s[0]) / den, u = (qp[0] * r[1] - qp[1] * r[0]) / den;
    return t >= 0 && t < 1 && u >= 0 && u < 1 ? [p[0] + t * r[0], p[1] + t * r[1]] : null;
  };
  let n = 0;
  for (let i = 0; i < wires.length; i++) {
    for (let j = i + 1; j < wires.length; j++) {
      const a = wires[i].pts, b = wires[j].pts;
      const ends = [a[0], a[a.length - 1], b[0], b[b.length - 1]];
      for (let k = 0; k + 1 < a.length; k++) {
        for (let l = 0; l + 1 < b.length; l++) {
          const p = hit(a[k], a[k + 1], b[l], b[l + 1]);
          if (p && !ends.some((e) => near(e, p))) n++;
        }
      }
    }
  }
  return n;
}

/// The picture rules, with `when` naming the state in messages.
function checkPicture(m, when) {
  const { nodes, wires, minimap } = m;
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      assert.ok(!overlap(nodes[i].box, nodes[j].box), `${when}: ${nodes[i].label} overlaps ${nodes[j].label}`);
    }
    for (const l of nodes[i].labels) {
      assert.ok(inside({ x: l.box.x0, y: l.box.y0 }, nodes[i].box) && inside({ x: l.box.x1, y: l.box.y1 }, nodes[i].box),
        `${when}: port label ${l.text} of ${nodes[i].label} leaves its node`);
      for (const other of nodes) {
        if (other !== nodes[i]) assert.ok(!overlap(l.box, other.box), `${when}: port label ${l.text} of ${nodes[i].label} covers ${other.label}`);
      }
      if (minimap) assert.ok(!overlap(l.box, minimap), `${when}: the minimap covers ${nodes[i].label}'s ${l.text}`);
    }
    if (minimap) assert.ok(!overlap(nodes[i].box, minimap), `${when}: the minimap covers ${nodes[i].label}`);
  }
  // Where the whole flow is in view, the zoom buttons cover none of it.
  const c = m.canvas;
  if (nodes.every((n) => n.box.x0 >= c.x0 && n.box.x1 <= c.x1 && n.box.y0 >= c.y0 && n.box.y1 <= c.y1)) {
    for (const n of nodes) assert.ok(!overlap(n.box, m.controls), `${when}: the zoom buttons cover ${n.label}`);
  }
  const byLabel = Object.fromEntries(nodes.map((n) => [n.label, n]));
  for (const w of wires) {
    const from = byLabel[w.from].ports[w.port];
    assert.ok(from, `${when}: ${w.name}: ${w.from} has no port ${w.port}`);
    assert.ok(inside(w.start, from), `${when}: ${w.name} starts at ${JSON.stringify(w.start)}, not in its port ${w.port} ${JSON.stringify(from)}`);
    // Wires for a Trigger's broker (and a Subscription's channel) end at the input named so.
    if (w.port === "triggers" || w.port === "subscriptions") {
      const input = byLabel[w.to].ports[w.port === "triggers" ? "broker" : "channel"];
      assert.ok(input && inside(w.end, input), `${when}: ${w.name} ends at the ${w.port === "triggers" ? "broker" : "channel"} port`);
    }
  }
  if (nodes.length <= 30) {
    for (const n of nodes) {
      if (n.name !== null) assert.ok(n.name >= 11, `${when}: ${n.label}'s name is ${n.name.toFixed(1)} px`);
    }
  }
  const counted = crossings(wires);
  assert.ok(Number.isFinite(m.crossings), `${when}: the canvas reports its crossings`);
  assert.ok(counted <= m.crossings, `${when}: ${counted} crossings on the page, the layout reports ${m.crossings}`);
}

test("every example reads as a diagram: after opening, after Auto layout, after Fit", async (t) => {
  for (const f of examples) {
    const page = await open(t, f);
    await page.waitForTimeout(100);
    checkPicture(await measure(page), `${f} opened`);
    await page.getByRole("button", { name: "Auto layout" }).click();
    await page.waitForTimeout(100);
    checkPicture(await measure(page), `${f} after Auto layout`);
    await page.getByRole("button", { name: "Fit to view" }).click();
    checkPicture(await measure(page), `${f} after Fit`);
    assert.deepEqual(page.errors, [], f);
    await page.close();
  }
});

/// The middle of a wire on screen (client coordinates).
async function wireMiddle(wire) {
  return wire.locator("path.wire-line").evaluate((p) => {
    const at = p.getPointAtLength(p.getTotalLength() / 2);
    const m = p.getScreenCTM();
    return { x: m.a * at.x + m.c * at.y + m.e, y: m.b * at.x + m.d * at.y + m.f };
  });
}

test("wires are named, selectable by click and Tab, and Delete removes their reference", async (t) => {
  const page = await open(t, "orders.yaml");
  const broker = page.getByRole("button", { name: "Trigger audit-all-orders broker → Broker orders", exact: true });
  const sub = page.getByRole("button", { name: "Trigger audit-all-orders subscriber → Service audit", exact: true });
  await broker.waitFor();
  await sub.waitFor();
  // Click the wire (its middle).
  const mid = await wireMiddle(sub);
  await page.mouse.click(mid.x, mid.y);
  assert.equal(await sub.getAttribute("aria-pressed"), "true");
  await page.keyboard.press("Delete");
  await sub.waitFor({ state: "detached" });
  assert.doesNotMatch(await exportedYaml(page), /name: audit-all-orders[\s\S]*?subscriber:[\s\S]*?name: audit\n/);
  await page.keyboard.press("Control+z");
  await sub.waitFor();
  // Tab reaches the wires; Delete on a focused wire removes it.
  await canvas(page).focus();
  let focused = null;
  for (let i = 0; i < 60 && !focused; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.matches("g.wire") ? document.activeElement.getAttribute("aria-label") : null);
  }
  assert.ok(focused, "Tab reaches a wire");
  await page.keyboard.press("Delete");
  await page.getByRole("button", { name: focused, exact: true }).waitFor({ state: "detached" });
  await page.keyboard.press("Control+z");
  await page.getByRole("button", { name: focused, exact: true }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("the context menu: on a node, on a wire, on the background, by mouse and keyboard", async (t) => {
  const page = await open(t, "hello-ping.yaml");
  const menu = page.getByRole("menu");
  const items = async () => menu.getByRole("menuitem").allTextContents();

  // On a node: Delete, Duplicate, Disconnect all, Send event here.
  await node(page, "Trigger display-all").locator("rect.box").click({ button: "right" });
  assert.deepEqual(await items(), ["Delete", "Duplicate", "Disconnect all", "Send event here"]);
  await menu.getByRole("menuitem", { name: "Duplicate" }).click();
  await node(page, "Trigger display-all-2").waitFor();
  await node(page, "Trigger display-all-2").locator("rect.box").click({ button: "right" });
  await menu.getByRole("menuitem", { name: "Disconnect all" }).click();
  assert.equal(await page.locator('g.wire[data-from="Trigger/display-all-2"], g.wire[data-to="Trigger/display-all-2"]').count(), 0);
  await node(page, "Trigger display-all-2").locator("rect.box").click({ button: "right" });
  await menu.getByRole("menuitem", { name: "Delete" }).click();
  await node(page, "Trigger display-all-2").waitFor({ state: "detached" });

  // Send event here: the Simulate tab, that node as the target.
  await node(page, "Broker default").locator("rect.box").click({ button: "right" });
  await menu.getByRole("menuitem", { name: "Send event here" }).click();
  await page.getByRole("button", { name: "Send event" }).waitFor();
  assert.equal(await page.getByLabel("Target").inputValue(), "Broker/default");

  // On a wire: Delete. The wire is then the one selection (a node selected before is not).
  await node(page, "Broker default").locator("rect.box").click();
  const w = page.getByRole("button", { name: "Trigger pings-to-logger subscriber → Service logger", exact: true });
  const at = await wireMiddle(w);
  await page.mouse.click(at.x, at.y, { button: "right" });
  assert.deepEqual(await items(), ["Delete"]);
  assert.equal(await page.locator("svg.canvas [data-node].selected").count(), 0, "a node stays selected beside the wire");
  await menu.getByRole("menuitem", { name: "Delete" }).click();
  await w.waitFor({ state: "detached" });

  // By keyboard: the context-menu key on a focused node; arrows move, Escape closes.
  await node(page, "Service logger").focus();
  await page.keyboard.press("ContextMenu");
  await menu.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Delete");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Duplicate");
  await page.keyboard.press("Escape");
  await menu.waitFor({ state: "detached" });

  // On the background: Paste (what was copied) and Auto layout.
  // (The inspector now covers the right of the canvas: select by keyboard.)
  await node(page, "Service logger").focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Control+c");
  const frame = await canvas(page).boundingBox();
  await page.mouse.click(frame.x + 30, frame.y + frame.height - 60, { button: "right" });
  assert.deepEqual(await items(), ["Paste", "Auto layout"]);
  await menu.getByRole("menuitem", { name: "Paste" }).click();
  await node(page, "Service logger-2").waitFor();
  await page.mouse.click(frame.x + 30, frame.y + frame.height - 60, { button: "right" });
  await menu.getByRole("menuitem", { name: "Auto layout" }).click();
  await menu.waitFor({ state: "detached" });
  checkPicture(await measure(page), "after Auto layout from the menu");

  // Opened at the canvas's right or bottom edge, the menu opens inward, whole.
  const c = await canvas(page).boundingBox();
  for (const [x, y] of [[c.x + c.width - 6, c.y + c.height * 0.3], [c.x + c.width * 0.5, c.y + c.height - 6]]) {
    await page.mouse.click(x, y, { button: "right" });
    await menu.waitFor();
    await page.waitForTimeout(50);
    const m = await menu.boundingBox();
    assert.ok(m.x >= c.x && m.x + m.width <= c.x + c.width && m.y >= c.y && m.y + m.height <= c.y + c.height,
      `the menu opened at ${x},${y} is cut off: ${JSON.stringify(m)} in ${JSON.stringify(c)}`);
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
  }
  assert.deepEqual(page.errors, []);
});

test("palette clicks add at the centre, pastes keep offsetting, search says when nothing matches", async (t) => {
  const page = await open(t);
  // An empty canvas says how to begin; the first node takes its place.
  const start = page.getByRole("note", { name: "How to start" });
  await start.waitFor();
  assert.match(await start.textContent(), /Click a kind in the palette/);
  // The view's centre when the entry is clicked (the inspector then opens beside the canvas).
  const frame = await canvas(page).boundingBox();
  await page.getByRole("button", { name: "Broker", exact: true }).click();
  const broker = node(page, "Broker broker");
  await broker.waitFor();
  assert.equal(await start.count(), 0, "the hint stays with a node on the canvas");
  assert.match(await broker.getAttribute("class"), /selected/);
  const b = await broker.locator("rect.box").boundingBox();
  const [cx, cy] = [b.x + b.width / 2, b.y + 32];
  assert.ok(Math.abs(cx - (frame.x + frame.width / 2)) < 30 && Math.abs(cy - (frame.y + frame.height / 2)) < 40,
    `added at the centre: ${cx},${cy} in ${JSON.stringify(frame)}`);

  // Copy once, paste three times: each copy further off, none on another.
  await page.keyboard.press("Control+c");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Control+v");
  await node(page, "Broker broker-4").waitFor();
  const boxes = await page.locator('svg.canvas [data-node^="Broker/"] rect.box').evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect()).map((r) => [r.left, r.top]));
  assert.equal(boxes.length, 4);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      assert.ok(Math.abs(boxes[i][0] - boxes[j][0]) + Math.abs(boxes[i][1] - boxes[j][1]) > 20, `copies ${i} and ${j} on top of one another`);
    }
  }

  // Entries clicked one after another land beside what is there, not on it, each whole in view.
  for (const kind of ["PingSource", "Trigger", "Service"]) {
    await page.getByRole("button", { name: kind, exact: true }).click();
    await node(page, `${kind} ${kind.toLowerCase()}`).waitFor();
    const all = await page.locator("svg.canvas [data-node] rect.box").evaluateAll((rs) => rs.map((r) => {
      const b = r.getBoundingClientRect();
      return { id: r.closest("[data-node]").getAttribute("data-node"), x0: b.left, y0: b.top, x1: b.right, y1: b.bottom };
    }));
    const added = all.find((n) => n.id === `${kind}/${kind.toLowerCase()}`);
    for (const b of all.filter((n) => n !== added)) {
      const a = added;
      assert.ok(a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0, `${a.id} lands on ${b.id}`);
    }
    const c = await canvas(page).boundingBox();
    assert.ok(added.x0 >= c.x && added.x1 <= c.x + c.width && added.y0 >= c.y && added.y1 <= c.y + c.height, `${kind} added out of view`);
  }

  await page.getByLabel("Search kinds").fill("zzz");
  await page.getByText("No kinds match “zzz”").waitFor();
  await page.getByLabel("Search kinds").fill("trig");
  await page.getByRole("button", { name: "Trigger", exact: true }).waitFor();
  assert.equal(await page.getByText(/No kinds match/).count(), 0);
  assert.deepEqual(page.errors, []);
});

test("the dock resizes by drag and keys, collapses, remembers; Send event stays in view; the inspector folds", async (t) => {
  const page = await open(t, "orders.yaml");
  const dock = page.getByRole("region", { name: "Dock" });
  const separator = page.getByRole("separator", { name: "Resize dock" });
  const h0 = (await dock.boundingBox()).height;
  const s = await separator.boundingBox();
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
  await page.mouse.down();
  await page.mouse.move(s.x + s.width / 2 + 150, s.y - 100, { steps: 4 });
  await page.mouse.up();
  assert.equal(await page.evaluate(() => getSelection().toString()), "", "the drag selected text");
  const h1 = (await dock.boundingBox()).height;
  assert.ok(Math.abs(h1 - h0 - 100) < 4, `dragged 100 px up: ${h0} → ${h1}`);
  await separator.focus();
  await page.keyboard.press("ArrowDown");
  const h2 = (await dock.boundingBox()).height;
  assert.ok(Math.abs(h1 - h2 - 20) < 2, `ArrowDown: ${h1} → ${h2}`);

  // Collapse: the canvas grows; expand: back.
  const c0 = (await canvas(page).boundingBox()).height;
  await page.getByRole("button", { name: "Collapse dock" }).click();
  const c1 = (await canvas(page).boundingBox()).height;
  assert.ok(c1 > c0 + 100, `the canvas takes the room: ${c0} → ${c1}`);
  await page.getByRole("button", { name: "Expand dock" }).click();
  assert.ok(Math.abs((await dock.boundingBox()).height - h2) < 2);

  // Remembered across a reload.
  await page.reload();
  await canvas(page).waitFor();
  assert.ok(Math.abs((await page.getByRole("region", { name: "Dock" }).boundingBox()).height - h2) < 2, "size remembered");

  // The smallest dock still shows Send event.
  await page.getByRole("separator", { name: "Resize dock" }).focus();
  await page.keyboard.press("End");
  await tab(page, "Simulate");
  const send = await page.getByRole("button", { name: "Send event" }).boundingBox();
  const panel = await page.locator("#dock-panel").boundingBox();
  assert.ok(send && send.y >= panel.y && send.y + send.height <= panel.y + panel.height, "Send event is visible");

  // The inspector opens with a selection and folds away on request.
  await node(page, "Broker orders").click();
  await page.getByRole("complementary", { name: "Inspector" }).getByRole("heading", { name: "Broker" }).waitFor();
  await page.getByRole("button", { name: "Collapse inspector" }).click();
  await page.getByRole("button", { name: "Expand inspector" }).click();
  await page.getByRole("button", { name: "Collapse inspector" }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("a flow of 30 nodes opens with names readable and nothing overlapping", async (t) => {
  // A source, a broker, and 14 triggers each with its own service: a tall flow.
  const docs = [
    "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: {name: tick}\nspec:\n  schedule: '* * * * *'\n  sink: {ref: {apiVersion: eventing.knative.dev/v1, kind: Broker, name: b}}\n",
    "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b}\n",
  ];
  for (let i = 0; i < 14; i++) {
    docs.push(`apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t${i}}\nspec:\n  broker: b\n  filters: [{exact: {type: e${i}}}]\n  subscriber: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: s${i}}}\n`);
    docs.push(`apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: s${i}}\n`);
  }
  const page = await open(t);
  await page.getByRole("button", { name: "Open" }).click();
  await page.getByLabel("Knative YAML to import").fill(docs.join("---\n"));
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await node(page, "Service s13").waitFor();
  checkPicture(await measure(page), "30 nodes opened");
  await page.keyboard.press("f");
  checkPicture(await measure(page), "30 nodes after Fit");
  // Zoomed far out, a node is its box and its name (drawn from one string per node): each
  // still a named group with its box inside, its name on the box, and back in detail on zoom-in.
  for (let i = 0; i < 8; i++) await page.keyboard.press("-");
  const far = await page.evaluate(() => [...document.querySelectorAll("[data-node]")].map((g) => {
    const box = g.querySelector(".box")?.getBoundingClientRect();
    const name = g.querySelector(".name.far");
    const n = name?.getBoundingClientRect();
    return {
      label: g.getAttribute("aria-label"), name: name?.textContent, kind: g.querySelector(".kind") !== null,
      inside: !!box && !!n && n.left >= box.left && n.right <= box.right + 1 && n.top >= box.top && n.bottom <= box.bottom,
      boxWidth: box?.width ?? 0,
    };
  }));
  assert.equal(far.length, 30);
  for (const f of far) {
    assert.ok(!f.kind, `${f.label}: zoomed out, the kind line is left out`);
    assert.equal(f.name, f.label.split(" ").pop(), `${f.label}: its name is drawn`);
    assert.ok(f.inside && f.boxWidth > 8, `${f.label}: the name sits on a visible box`);
  }
  for (let i = 0; i < 8; i++) await page.keyboard.press("+");
  assert.equal(await page.locator("[data-node] .kind").count(), 30, "zoomed in again, every node shows its kind");
  assert.deepEqual(page.errors, []);
});

test("a node selected at the canvas's right: the inspector opens, the node stays in view, the minimap covers no node", async (t) => {
  for (const f of examples) {
    const page = await open(t, f);
    const before = await measure(page);
    // The rightmost node: selecting it opens the inspector, which takes width from the canvas.
    const right = before.nodes.reduce((a, b) => (b.box.x1 > a.box.x1 ? b : a));
    const c0 = await canvas(page).boundingBox();
    await page.locator(`svg.canvas [data-node="${right.label}"] rect.box`).click();
    await page.getByRole("complementary", { name: "Inspector" }).waitFor().catch(() => {});
    // The canvas is narrower now; the view followed the selected node, whole and off the edge.
    await page.waitForFunction((w) => document.querySelector("svg.canvas").getBoundingClientRect().width < w - 100, c0.width);
    const c = await canvas(page).boundingBox();
    const inView = () => page.evaluate(([label, c]) => {
      const r = document.querySelector(`svg.canvas [data-node="${label}"] rect.box`).getBoundingClientRect();
      return r.left >= c.x && r.right <= c.x + c.width && r.top >= c.y && r.bottom <= c.y + c.height;
    }, [right.label, c]);
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) {
      ok = await inView();
      if (!ok) await page.waitForTimeout(50);
    }
    assert.ok(ok, `${f}: ${right.label}, selected, is out of the narrower canvas`);
    const m = await measure(page);
    if (m.minimap) {
      const covered = m.nodes.filter((n) => overlap(n.box, m.minimap)).map((n) => n.label);
      assert.deepEqual(covered, [], `${f}: the minimap covers ${covered}`);
    }
    // Its duplicate (offset from it, past the edge) is brought into view too.
    const count = m.nodes.length;
    await page.keyboard.press("Control+d");
    await page.waitForFunction((n) => document.querySelectorAll("svg.canvas [data-node]").length > n, count);
    await page.waitForTimeout(100);
    const copy = await page.evaluate(() => {
      const r = document.querySelector("svg.canvas [data-node].selected rect.box").getBoundingClientRect();
      const c = document.querySelector("svg.canvas").getBoundingClientRect();
      return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom;
    });
    assert.ok(copy, `${f}: the duplicate of ${right.label} is out of view`);
    await page.close();
  }
});

test("the minimap shows the visible part whole, around the flow or inside it", async (t) => {
  for (const f of examples) {
    const page = await open(t, f);
    const check = async (when) => {
      const { mini, port } = await page.evaluate(() => {
        const b = (e) => { const r = e.getBoundingClientRect(); return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, w: r.width, h: r.height }; };
        return { mini: b(document.querySelector("svg.minimap")), port: b(document.querySelector("svg.minimap rect.viewport")) };
      });
      assert.ok(port.x0 >= mini.x0 - 1 && port.y0 >= mini.y0 - 1 && port.x1 <= mini.x1 + 1 && port.y1 <= mini.y1 + 1,
        `${f} ${when}: the visible part ${JSON.stringify(port)} is cut off by the minimap ${JSON.stringify(mini)}`);
      assert.ok(port.w > 10 && port.h > 10, `${f} ${when}: the visible part is a sliver`);
    };
    await page.getByRole("button", { name: "Show minimap" }).click().catch(() => {});
    await page.locator("svg.minimap").waitFor();
    await check("opened");
    for (let i = 0; i < 3; i++) await page.keyboard.press("+");
    await check("zoomed in");
    await page.close();
  }
});

test("Delete after tabbing past a wire to a node and selecting it deletes the node, not the wire", async (t) => {
  const page = await open(t, "orders.yaml");
  const w = page.getByRole("button", { name: "Trigger notify-fulfilled subscriber → Service notify", exact: true });
  await w.focus();
  assert.equal(await w.getAttribute("aria-pressed"), "true", "a focused wire is selected");
  await node(page, "Trigger big-paid-orders").focus();
  await page.keyboard.press("Enter");
  await page.getByRole("complementary", { name: "Inspector" }).getByRole("heading", { name: "Trigger" }).waitFor();
  assert.notEqual(await w.getAttribute("aria-pressed"), "true", "the wire stays selected beside the node");
  await node(page, "Trigger big-paid-orders").focus();
  await page.keyboard.press("Delete");
  await node(page, "Trigger big-paid-orders").waitFor({ state: "detached" });
  assert.equal(await w.count(), 1, "the wire tabbed past was deleted");
  assert.deepEqual(page.errors, []);
});
