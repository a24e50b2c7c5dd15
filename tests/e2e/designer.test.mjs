// The designer as a user meets it: Debian's Chromium, headless, driven by playwright-core,
// against a real `kn-flow serve` on a temporary folder (harness.mjs). Run by `cargo xtask test`
// (which builds the UI and kn-flow first); KN_FLOW names the binary.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setup, env, open, canvas, node, dropKind, wire, tab, exportedYaml, viewOf, repo, examples } from "./harness.mjs";

setup();

/// PingSource → Broker → Trigger (CESQL) → Service, only by drag and drop and typing.
async function drawFlow(page) {
  await dropKind(page, "PingSource", 140, 100);
  await dropKind(page, "Broker", 470, 100);
  await dropKind(page, "Trigger", 140, 330);
  await dropKind(page, "Service", 470, 330);
  for (const n of ["PingSource pingsource", "Broker broker", "Trigger trigger", "Service service"]) {
    await node(page, n).waitFor();
  }
  await wire(page, "PingSource pingsource", "sink", "Broker broker");
  await wire(page, "Trigger trigger", "broker", "Broker broker");
  await wire(page, "Trigger trigger", "subscriber", "Service service");
  await node(page, "Trigger trigger").click();
  await page.getByRole("button", { name: "Add filter", exact: true }).click();
  await page.getByLabel(".spec.filters[0] dialect", { exact: true }).selectOption("cesql");
  const cesql = page.getByLabel(".spec.filters[0].cesql (CESQL)");
  await cesql.fill("type = ");
  await page.locator(".inspector").getByText(/CESQL does not parse at column \d+:/).waitFor();
  await cesql.fill("type = 'order.paid'");
  await cesql.blur();
}

test("build a flow by drag and drop, see its YAML, simulate, undo and redo, save and reload", async (t) => {
  const page = await open(t);
  await drawFlow(page);
  let yaml = await exportedYaml(page);
  assert.match(yaml, /kind: PingSource[\s\S]*sink:\s+ref:[\s\S]*kind: Broker\s+name: broker/);
  assert.match(yaml, /broker: broker/);
  assert.match(yaml, /cesql: type = 'order\.paid'/);
  assert.match(yaml, /subscriber:\s+ref:[\s\S]*name: service/);

  // Simulate an event into the broker: it reaches the service, on the canvas.
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("Broker/broker");
  await page.getByLabel("type", { exact: true }).fill("order.paid");
  await page.getByRole("button", { name: "Send event" }).click();
  await node(page, "Service service").getByText("delivered 1").waitFor();
  await page.getByRole("list", { name: "Hops" }).getByText(/Broker\/broker → Service\/service via Trigger\/trigger/).waitFor();

  // An event the filter rejects is filtered at the trigger, with the reason.
  await page.getByLabel("type", { exact: true }).fill("order.created");
  await page.getByRole("button", { name: "Send event" }).click();
  await node(page, "Trigger trigger").getByText("filtered 1").waitFor();
  assert.equal(await node(page, "Service service").getByText("delivered").count(), 0);

  // Undo and redo: delete the service, undo brings it back, redo removes it again.
  await node(page, "Service service").click();
  await page.keyboard.press("Delete");
  await node(page, "Service service").waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Undo" }).click();
  await node(page, "Service service").waitFor();
  await page.getByRole("button", { name: "Redo" }).click();
  await node(page, "Service service").waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Undo" }).click();
  await node(page, "Service service").waitFor();

  // Fields in the inspector explain themselves (descriptions fetched on demand): a Knative
  // kind's own fields and those of the types it uses, and Kubernetes fields.
  const label = (path) => page.locator(`.field[data-path="${path}"] > label`);
  await node(page, "Trigger trigger").click();
  await page.waitForFunction(
    (sel) => /Where passing events are delivered/.test(document.querySelector(sel)?.title ?? ""),
    `.field[data-path=".spec.subscriber"] > label`,
  );
  assert.match(await label(".spec.subscriber.uri").getAttribute("title"), /absolute URL/);
  await node(page, "Service service").click();
  const containers = ".spec.template.spec.containers";
  await page.waitForFunction(
    (sel) => /List of containers/.test(document.querySelector(sel)?.title ?? ""),
    `.field[data-path="${containers}"] > label`,
  );
  assert.match(await label(`${containers}[0].image`).getAttribute("title"), /Container image name/);

  // Save, reload, and find the flow intact.
  // Saving an untitled flow asks for a file name in the designer's Save as dialog.
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const saveAs = page.getByRole("dialog", { name: "Save as" });
  await saveAs.getByRole("textbox", { name: "File name" }).fill("designed.yaml");
  await saveAs.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("status").getByText("saved designed.yaml").waitFor();
  const saved = readFileSync(join(env.dir, "designed.yaml"), "utf8");
  assert.match(saved, /kind: Flow/);
  assert.match(saved, /^  name: designed$/m, "the untitled flow took the file's name");
  assert.match(saved, /Trigger\/trigger:/, "layout is saved");
  await page.reload();
  for (const n of ["PingSource pingsource", "Broker broker", "Trigger trigger", "Service service"]) {
    await node(page, n).waitFor();
  }
  yaml = await exportedYaml(page);
  assert.match(yaml, /cesql: type = 'order\.paid'/);
  assert.deepEqual(page.errors, []);
});

test("introduce a validation error, see it, fix it", async (t) => {
  const page = await open(t);
  await dropKind(page, "PingSource", 200, 150);
  await node(page, "PingSource pingsource").click();
  const schedule = page.getByLabel(".spec.schedule", { exact: true });
  await schedule.fill("every minute");
  await schedule.blur();
  await tab(page, "Problems");
  const problem = page.getByRole("list", { name: "Problems", exact: true }).getByText(/\.spec\.schedule/).first();
  await problem.waitFor();
  // Each problem says where once: the resource and field in parentheses, unless the message
  // names them (no empty slots, no repeats).
  for (const text of await page.getByRole("list", { name: "Problems", exact: true }).getByRole("listitem").allTextContents()) {
    assert.doesNotMatch(text, / \)|\( |\(\)/, text);
    const at = text.match(/\(([^()]*)\)\s*[^()]*$/)?.[1];
    if (at) for (const part of at.split(" ")) assert.equal(text.split(part).length, 2, `"${part}" twice in: ${text}`);
  }
  // The inspector shows it under the field, and the node carries an error badge.
  const inline = page.locator('.field[data-path=".spec.schedule"] .field-problem');
  await inline.first().waitFor();
  const badge = node(page, "PingSource pingsource").locator(".badge.error");
  const before = Number(await badge.textContent());
  // Clicking the problem selects the node and puts the cursor in the field.
  await problem.click();
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === ".spec.schedule");
  await schedule.fill("*/5 * * * *");
  await schedule.blur();
  await problem.waitFor({ state: "detached" });
  assert.equal(await inline.count(), 0);
  // What remains is the missing sink, which wiring fixes.
  assert.equal(Number(await badge.textContent()), before - 1);
});

test("wires only connect what Knative accepts", async (t) => {
  const page = await open(t);
  await dropKind(page, "Trigger", 150, 150);
  await dropKind(page, "Service", 500, 150);
  await wire(page, "Trigger trigger", "broker", "Service service");
  // Why is said next to where the wire was dropped: on the Service, not in the status line.
  const tip = page.locator(".tip[role=alert]").filter({ hasText: /cannot point at a Service/ });
  await tip.waitFor();
  const [t1, s1] = [await tip.boundingBox(), await node(page, "Service service").boundingBox()];
  assert.ok(Math.abs(t1.x - (s1.x + s1.width / 2)) < s1.width && Math.abs(t1.y - (s1.y + s1.height / 2)) < 80,
    `the message ${JSON.stringify(t1)} is by the drop point on ${JSON.stringify(s1)}`);
  assert.doesNotMatch(await exportedYaml(page), /broker: service/);
});

test("unsaved work is recovered after a reload", async (t) => {
  const page = await open(t);
  await dropKind(page, "Broker", 200, 150);
  await node(page, "Broker broker").waitFor();
  page.once("dialog", (d) => d.accept());
  await page.reload();
  await page.getByRole("button", { name: "Recover" }).click();
  await node(page, "Broker broker").waitFor();
});

test("every example flow opens without errors", async (t) => {
  for (const f of examples) {
    const page = await open(t, f);
    const text = readFileSync(join(repo, "flows", f), "utf8");
    const kinds = [...text.matchAll(/^  kind: (\w+)\n  metadata:\n    name: ([\w.-]+)/gm)];
    assert.ok(kinds.length > 0, f);
    for (const [, kind, name] of kinds) {
      await node(page, `${kind} ${name}`).waitFor();
    }
    await page.getByRole("status").getByText(`${kinds.length} resources · 0 errors · 0 warnings`).waitFor();
    await tab(page, "Problems");
    await page.getByText("No problems").waitFor();
    await tab(page, "Scenarios");
    if (/^scenarios:/m.test(text)) {
      await page.getByRole("button", { name: "Run all" }).click();
      assert.equal(await page.locator(".scenario-list .fail").count(), 0, f);
      assert.ok((await page.locator(".scenario-list .pass").count()) > 0, f);
    }
    assert.deepEqual(page.errors, [], f);
    await page.close();
  }
});

test("run the flow live and see real traffic on the canvas", async (t) => {
  const page = await open(t, "orders.yaml");
  await node(page, "Service audit").waitFor();
  await tab(page, "Live");
  await page.getByRole("button", { name: "Start live" }).click();
  const row = page.getByRole("table", { name: "Live addresses" }).getByRole("row").filter({ hasText: "Broker/orders" });
  const url = (await row.locator("code").textContent()).trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/shop\/orders$/);
  const r = await fetch(url, {
    method: "POST",
    headers: { "ce-specversion": "1.0", "ce-id": "live-1", "ce-source": "/e2e", "ce-type": "order.created", "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(r.status, 202);
  await node(page, "Service audit").getByText("delivered 1").waitFor();
  await page.getByRole("list", { name: "Live hops" }).getByText(/Broker\/orders → Service\/audit via Trigger\/audit-all-orders/).waitFor();
  await page.getByRole("button", { name: "Stop live" }).click();
  await page.getByRole("button", { name: "Start live" }).waitFor();
  assert.deepEqual(page.errors, []);
});

/// A point of the canvas where the background (not a node, wire or control) is.
async function backgroundPoint(page) {
  const p = await page.evaluate(() => {
    const r = document.querySelector("svg.canvas").getBoundingClientRect();
    for (let y = r.bottom - 20; y > r.top; y -= 15) {
      for (let x = r.left + 20; x < r.right; x += 15) {
        if (document.elementFromPoint(x, y)?.classList.contains("grid")) return { x, y };
      }
    }
    return null;
  });
  assert.ok(p, "some background is visible");
  return p;
}

test("pan, zoom, fit, minimap, box selection, copy/paste/duplicate, help and theme", async (t) => {
  const page = await open(t, "hello-ping.yaml");
  await node(page, "Broker default").waitFor();
  const frame = await canvas(page).boundingBox();

  // Zoom: keys, then the wheel.
  const v0 = await viewOf(page);
  await page.keyboard.press("+");
  const v1 = await viewOf(page);
  assert.ok(v1.k > v0.k, `+ zooms in: ${v0.k} → ${v1.k}`);
  await page.keyboard.press("-");
  await page.keyboard.press("-");
  const v2 = await viewOf(page);
  assert.ok(v2.k < v1.k, `- zooms out: ${v1.k} → ${v2.k}`);
  await page.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForFunction((k) => {
    const t = document.querySelector("svg.canvas > g[transform]").getAttribute("transform");
    return Number(t.match(/scale\(([-\d.]+)\)/)[1]) > k;
  }, v2.k);

  // Far out, names would be a few pixels high: bare boxes, still named for assistive tech.
  for (let i = 0; i < 14; i++) await page.keyboard.press("-");
  await page.waitForFunction(() => document.querySelectorAll("svg.canvas [role=group] text").length === 0);
  await node(page, "Broker default").waitFor();

  // Fit: every node inside the canvas.
  await page.keyboard.press("f");
  const inside = await page.evaluate(() => {
    const r = document.querySelector("svg.canvas").getBoundingClientRect();
    return [...document.querySelectorAll("svg.canvas [role=group]")].every((n) => {
      const b = n.getBoundingClientRect();
      return b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom;
    });
  });
  assert.ok(inside, "fit shows every node");

  // Pan: drag the background; the view follows the pointer.
  const before = await viewOf(page);
  const p = await backgroundPoint(page);
  await page.mouse.move(p.x, p.y);
  await page.mouse.down();
  await page.mouse.move(p.x - 120, p.y - 60, { steps: 5 });
  await page.mouse.up();
  const panned = await viewOf(page);
  assert.ok(Math.abs(panned.tx - before.tx + 120) < 2 && Math.abs(panned.ty - before.ty + 60) < 2,
    `panned by the drag: ${JSON.stringify(before)} → ${JSON.stringify(panned)}`);
  assert.equal(panned.k, before.k);

  // Minimap: a click centres the view there.
  const mini = await page.getByRole("img", { name: "Minimap" }).boundingBox();
  await page.mouse.click(mini.x + 5, mini.y + 5);
  const centred = await viewOf(page);
  assert.ok(centred.tx !== panned.tx || centred.ty !== panned.ty, "the minimap moved the view");
  await page.keyboard.press("f");

  // Box selection with Shift: the two triggers and nothing else; Delete removes both, Undo
  // brings them back.
  // (The node's box, not the group: port labels reach beyond it.)
  const a = await node(page, "Trigger display-all").locator("rect.box").boundingBox();
  const b = await node(page, "Trigger pings-to-logger").locator("rect.box").boundingBox();
  const [x0, y0] = [Math.min(a.x, b.x) - 8, Math.min(a.y, b.y) - 8];
  const [x1, y1] = [Math.max(a.x + a.width, b.x + b.width) + 4, Math.max(a.y + a.height, b.y + b.height) + 8];
  await page.keyboard.down("Shift");
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  const selected = await page.locator("svg.canvas .node.selected").evaluateAll(
    (ns) => ns.map((n) => n.getAttribute("aria-label")).sort());
  assert.deepEqual(selected, ["Trigger display-all", "Trigger pings-to-logger"]);
  await page.keyboard.press("Delete");
  await node(page, "Trigger display-all").waitFor({ state: "detached" });
  assert.equal(await node(page, "Trigger pings-to-logger").count(), 0);
  await page.keyboard.press("Control+z");
  await node(page, "Trigger display-all").waitFor();
  await node(page, "Trigger pings-to-logger").waitFor();

  // Copy and paste, then duplicate: new brokers with fresh names.
  const brokers = () => page.locator('svg.canvas [role=group][aria-label^="Broker "]').count();
  await page.keyboard.press("Escape");
  await node(page, "Broker default").click();
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await page.waitForFunction(() => document.querySelectorAll('svg.canvas [role=group][aria-label^="Broker "]').length === 2);
  await page.keyboard.press("Control+d");
  await page.waitForFunction(() => document.querySelectorAll('svg.canvas [role=group][aria-label^="Broker "]').length === 3);
  assert.equal(await brokers(), 3);
  assert.equal(await node(page, "Broker default").count(), 1, "the original keeps its name");

  // The help overlay lists the shortcuts; Escape closes it.
  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await help.getByText("Fit to view").waitFor();
  await page.keyboard.press("Escape");
  await help.waitFor({ state: "detached" });

  // The theme toggles and is remembered.
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const first = await theme();
  await page.getByRole("button", { name: "Toggle theme" }).click();
  const second = await theme();
  assert.notEqual(second, first);
  page.once("dialog", (d) => d.accept());
  await page.reload();
  await canvas(page).waitFor();
  assert.equal(await theme(), second);
  await page.getByRole("button", { name: "Toggle theme" }).click();
  assert.equal(await theme(), first);
  assert.deepEqual(page.errors, []);
});

test("problems with a clear remedy have a Fix button: a retired API version upgraded, a missing broker created", async (t) => {
  // As Knative's 2020 docs wrote a PingSource: v1alpha2, the time zone in the schedule, jsonData.
  writeFileSync(join(env.dir, "legacy.yaml"), `apiVersion: sources.knative.dev/v1alpha2
kind: PingSource
metadata:
  name: ping
spec:
  schedule: "CRON_TZ=Europe/Paris */2 * * * *"
  jsonData: '{"message": "Hello world!"}'
  sink:
    uri: http://example.com/
`);
  const page = await open(t, "legacy.yaml");
  await tab(page, "Problems");
  const fix = page.getByRole("button", { name: "Fix PingSource/ping: Upgrade to sources.knative.dev/v1" });
  await fix.click();
  await fix.waitFor({ state: "detached" });
  await page.getByText("No problems").waitFor();
  const yaml = await exportedYaml(page);
  assert.match(yaml, /apiVersion: sources\.knative\.dev\/v1\n/);
  assert.match(yaml, /timezone: Europe\/Paris/);
  assert.match(yaml, /contentType: application\/json/);
  assert.doesNotMatch(yaml, /jsonData/);
  await page.keyboard.press("Control+z");
  await tab(page, "Problems");
  await fix.waitFor();
  // A trigger on a broker the flow lacks: the fix creates it.
  writeFileSync(join(env.dir, "no-broker.yaml"), `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: t
spec:
  broker: orders
  subscriber:
    uri: http://example.com/
`);
  const other = await open(t, "no-broker.yaml");
  await tab(other, "Problems");
  await other.getByRole("button", { name: "Fix Trigger/t: Create Broker/orders" }).click();
  await node(other, "Broker orders").waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});
