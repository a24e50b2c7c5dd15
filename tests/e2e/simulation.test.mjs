// The simulation on the canvas (issue 19): a badge per outcome on the node that had it, red
// with an icon for failures; each hop drawn along the wires it took (a dead letter along the
// dead-letter wire, a filtered event stopping at its trigger); playback with Play, Pause, Step
// back and Step forward and a Timeline slider; the saved sink behaviours shown in the form and
// replaced, not added to, by what the form says; the Live tab showing only live traffic.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, node, tab } from "./harness.mjs";

setup();

/// Path data → its points (the router's M/L/C/Q, curves by their end points only).
function ends(d) {
  const nums = [...d.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  return { first: [nums[0], nums[1]], last: [nums.at(-2), nums.at(-1)] };
}

const near = (a, b, what) =>
  assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) < 1.5, `${what}: ${a} is not at ${b}`);

/// Sends an order.paid of 250 to the orders broker with the given behaviours, fast.
async function sendOrder(page, behaviors) {
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("Broker/orders");
  await page.getByLabel("type", { exact: true }).fill("order.paid");
  await page.getByLabel("extensions").fill("amount=250");
  await page.getByLabel("Behaviors").fill(behaviors);
  await page.getByRole("button", { name: "Send event" }).click();
}

/// Moves the timeline to the first hop (1-based position) whose outcome is `outcome`.
async function showHop(page, outcome) {
  const items = page.getByRole("list", { name: "Hops" }).getByRole("listitem");
  const texts = await items.allTextContents();
  const i = texts.findIndex((t) => t.trimEnd().endsWith(` ${outcome}`));
  assert.ok(i >= 0, `a ${outcome} hop in ${texts.join(" | ")}`);
  await page.getByRole("slider", { name: "Timeline" }).fill(String(i + 1));
  await page.locator(`svg.canvas .hop[data-outcome="${outcome}"]`).waitFor();
}

test("a sink failing four times: retried, failed and dead-lettered on the right nodes, the dead letter along its wire", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Simulate");
  // The flow's saved behaviour is shown, not hidden.
  assert.equal(await page.getByLabel("Behaviors").inputValue(), "Service/fulfil=reply:order.fulfilled");
  await sendOrder(page, "Service/fulfil=fail:500x4");
  await page.getByLabel("Speed").selectOption("4");
  // Played to the end by itself.
  await page.getByRole("button", { name: "Play" }).waitFor({ timeout: 20000 });
  const badge = (n, text) => node(page, n).getByRole("img", { name: text, exact: true });
  await badge("Service fulfil", "retried 3").waitFor();
  await badge("Service fulfil", "failed 1").waitFor();
  await badge("Service dead-letters", "dead-lettered 1").waitFor();
  await badge("Service audit", "delivered 1").waitFor();
  await badge("Trigger notify-fulfilled", "filtered 1").waitFor();
  // The saved reply no longer applies: the box replaced it.
  assert.equal(await node(page, "Service fulfil").getByRole("img", { name: /replied/ }).count(), 0);
  // Failures are red and carry an icon, not colour alone.
  for (const [n, text] of [["Service fulfil", "failed 1"], ["Service dead-letters", "dead-lettered 1"]]) {
    const b = badge(n, text);
    assert.equal(await b.locator(".badge-icon").count(), 1, `${text} has an icon`);
    const fill = await b.locator("rect").evaluate((r) => getComputedStyle(r).fill);
    const ok = await badge("Service audit", "delivered 1").locator("rect").evaluate((r) => getComputedStyle(r).fill);
    assert.notEqual(fill, ok, `${text} is drawn unlike a delivery`);
  }
  // Badges sit above their node, inside its width, and do not cover each other.
  const boxes = await node(page, "Service fulfil").evaluate((g) => {
    const box = g.querySelector("rect.box").getBoundingClientRect();
    return { box: { l: box.left, r: box.right, t: box.top }, badges: [...g.querySelectorAll(".sim-badge rect")].map((b) => b.getBoundingClientRect()).map((b) => ({ l: b.left, r: b.right, t: b.top, b: b.bottom })) };
  });
  for (const b of boxes.badges) {
    assert.ok(b.b <= boxes.box.t + 1 && b.l >= boxes.box.l - 1 && b.r <= boxes.box.r + 1, "badge above its node, within its width");
  }
  for (let i = 1; i < boxes.badges.length; i++) {
    const [a, b] = [boxes.badges[i - 1], boxes.badges[i]];
    assert.ok(a.r <= b.l || b.b <= a.t || a.b <= b.t, "badges do not overlap");
  }

  // The dead-letter hop runs along the dead-letter wire, from its start to its end.
  await showHop(page, "dead-lettered");
  const hop = ends(await page.locator('svg.canvas .hop[data-outcome="dead-lettered"] .hop-path').getAttribute("d"));
  const dl = ends(await page.locator('svg.canvas g.wire.kind-dead-letter[data-to="Service/dead-letters"] .wire-line').first().getAttribute("d"));
  near(hop.first, dl.first, "the dead letter starts where the dead-letter wire does");
  near(hop.last, dl.last, "the dead letter ends where the dead-letter wire does");

  // Save as scenario: the event, the behaviours and what happened become a routing test that
  // passes (orders.yaml has two already).
  await page.getByRole("button", { name: "Save as scenario" }).click();
  await page.getByRole("status").getByText(/saved as "scenario 3: Broker\/orders"/).waitFor();
  await tab(page, "Scenarios");
  await page.getByRole("button", { name: "Run all" }).click();
  await page.getByRole("status").getByText("3 of 3 scenarios passed").waitFor();
  assert.deepEqual(page.errors, []);
});

test("a filtered hop stops at its trigger, marked filtered; a reply goes back to the broker", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Simulate");
  await sendOrder(page, "Service/fulfil=reply:order.fulfilled");
  await page.getByLabel("Speed").selectOption("4");
  await page.getByRole("button", { name: "Play" }).waitFor({ timeout: 20000 });
  // The trigger that passed the order and filtered the reply says both.
  await node(page, "Trigger big-paid-orders").getByRole("img", { name: "delivered 1", exact: true }).waitFor();
  await node(page, "Trigger big-paid-orders").getByRole("img", { name: "filtered 1", exact: true }).waitFor();
  await node(page, "Service fulfil").getByRole("img", { name: "replied 1", exact: true }).waitFor();
  // The badges of the top nodes are whole, below the flow's description, inside the canvas.
  const badges = await page.evaluate(() => {
    const c = document.querySelector("svg.canvas").getBoundingClientRect();
    const below = document.querySelector(".flow-description")?.getBoundingClientRect().bottom ?? c.top;
    return [...document.querySelectorAll("svg.canvas .sim-badge")].map((b) => b.getBoundingClientRect())
      .filter((b) => b.top < below || b.top < c.top || b.left < c.left || b.right > c.right)
      .map((b) => [b.left, b.top, below]);
  });
  assert.deepEqual(badges, [], "badges cut off or under the description");

  await showHop(page, "filtered");
  const hop = page.locator('svg.canvas .hop[data-outcome="filtered"]');
  assert.equal(await hop.locator(".hop-mark").getAttribute("aria-label"), "filtered");
  assert.match(await hop.locator(".hop-mark").textContent(), /⊘/);
  // The mark sits outside every node: the trigger's own text stays readable.
  const overlaps = await page.evaluate(() => {
    const m = document.querySelector("svg.canvas .hop .hop-mark").getBoundingClientRect();
    return [...document.querySelectorAll("svg.canvas [data-node] .box")].map((b) => b.getBoundingClientRect())
      .filter((b) => m.left < b.right && b.left < m.right && m.top < b.bottom && b.top < m.bottom).length;
  });
  assert.equal(overlaps, 0, "the filtered mark overlaps a node");
  const end = ends(await hop.locator(".hop-path").getAttribute("d")).last;
  // Ends at a trigger's input: the wire from the broker into that trigger ends there too.
  const intoTriggers = await page.locator('svg.canvas g.wire[data-from="Broker/orders"]').evaluateAll((ws) =>
    ws.filter((w) => w.dataset.to.startsWith("Trigger/")).map((w) => w.querySelector(".wire-line").getAttribute("d")));
  assert.ok(intoTriggers.some((d) => { const e = ends(d).last; return Math.hypot(e[0] - end[0], e[1] - end[1]) < 1.5; }),
    "the filtered hop ends where a broker wire enters its trigger");

  // The reply (fulfil → broker) retraces the subscriber and trigger wires backwards: it
  // starts at the subscriber wire's end and ends at the broker's triggers port.
  const texts = await page.getByRole("list", { name: "Hops" }).getByRole("listitem").allTextContents();
  const reply = texts.findIndex((x) => /Service\/fulfil → Broker\/orders/.test(x));
  assert.ok(reply >= 0, "a reply hop back to the broker");
  await page.getByRole("slider", { name: "Timeline" }).fill(String(reply + 1));
  const back = ends(await page.locator("svg.canvas .hop .hop-path").getAttribute("d"));
  const sub = ends(await page.locator('svg.canvas g.wire[data-from="Trigger/big-paid-orders"][data-to="Service/fulfil"] .wire-line').getAttribute("d"));
  const trig = ends(await page.locator('svg.canvas g.wire[data-from="Broker/orders"][data-to="Trigger/big-paid-orders"] .wire-line').getAttribute("d"));
  near(back.first, sub.last, "the reply leaves from where the event entered the subscriber");
  near(back.last, trig.first, "the reply reaches the broker where its events leave for the trigger");
  // Through the trigger it goes along the node's top edge, not across its name and facts.
  const across = await page.evaluate(() => {
    const path = document.querySelector("svg.canvas .hop .hop-path");
    const m = path.getScreenCTM();
    const node = document.querySelector('svg.canvas [data-node="Trigger/big-paid-orders"]');
    const texts = [...node.querySelectorAll("text.name, text.facts")].map((t) => t.getBoundingClientRect());
    const n = path.getTotalLength();
    let hits = 0;
    for (let i = 0; i <= 200; i++) {
      const p = path.getPointAtLength((n * i) / 200);
      const x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
      hits += texts.filter((b) => x > b.left && x < b.right && y > b.top && y < b.bottom).length;
    }
    return hits;
  });
  assert.equal(across, 0, "the hop's path crosses the trigger's name or facts");
  assert.deepEqual(page.errors, []);
});

test("playback: Play moves the event, Pause holds it, Step back and Step forward move one hop", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Simulate");
  await sendOrder(page, "Service/fulfil=reply:order.fulfilled");
  await page.getByLabel("Speed").selectOption("0.5");
  const slider = page.getByRole("slider", { name: "Timeline" });
  const max = Number(await slider.getAttribute("max"));
  assert.ok(max >= 6, `hops: ${max}`);
  // It starts from the beginning, not at the last hop.
  assert.ok(Number(await slider.inputValue()) < max, "playing from the start");
  // Mid-hop, the event is somewhere along the way and moving.
  await page.locator("svg.canvas .hop circle").waitFor();
  const at = () => page.locator("svg.canvas .hop circle").evaluate((c) => { const r = c.getBoundingClientRect(); return [r.x, r.y]; });
  // Sampled over most of a hop: between hops the event rests at its end for a moment.
  const seen = [];
  for (let i = 0; i < 6; i++) {
    seen.push(JSON.stringify(await at()));
    await page.waitForTimeout(150);
  }
  assert.ok(new Set(seen).size > 1, `the event moves along its hop: ${seen.join(" ")}`);
  await page.screenshot({ path: "target/e2e-artifacts/simulation-mid-animation.png" }).catch(() => {});
  await page.getByRole("button", { name: "Pause" }).click();
  const held = await slider.inputValue();
  await page.waitForTimeout(2000);
  assert.equal(await slider.inputValue(), held, "paused, the timeline holds");
  await page.getByRole("button", { name: "Step forward" }).click();
  assert.equal(Number(await slider.inputValue()), Number(held) + 1);
  await page.getByRole("button", { name: "Step back" }).click();
  await page.getByRole("button", { name: "Step back" }).click();
  assert.equal(Number(await slider.inputValue()), Number(held) - 1);
  // Counts follow the timeline: at the start nothing has happened, and there is no step back.
  await slider.fill("0");
  assert.equal(await page.locator("svg.canvas .sim-badge").count(), 0);
  assert.equal(await page.getByRole("button", { name: "Step back" }).isDisabled(), true);
  await slider.fill(String(max));
  assert.equal(await page.getByRole("button", { name: "Step forward" }).isDisabled(), true);
  await slider.fill("0");
  await page.getByRole("button", { name: "Play" }).click();
  await page.getByRole("button", { name: "Pause" }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("the Live tab shows only live traffic and says when live mode is not running", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Simulate");
  await sendOrder(page, "");
  await page.getByLabel("Speed").selectOption("4");
  await page.getByRole("button", { name: "Play" }).waitFor({ timeout: 20000 });
  await tab(page, "Live");
  await page.getByText("Live mode is not running").waitFor();
  assert.equal(await page.getByRole("list", { name: "Live hops" }).getByRole("listitem").count(), 0);
  assert.deepEqual(page.errors, []);
});

test("the Send form starts from the target's own event; a source sends the form's event once or runs for a while", async (t) => {
  const page = await open(t, "hello-ping.yaml");
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("PingSource/heartbeat");
  assert.equal(await page.getByLabel("type", { exact: true }).inputValue(), "dev.knative.sources.ping");
  assert.match(await page.getByLabel("source", { exact: true }).inputValue(), /pingsources\/heartbeat/);
  await page.getByLabel("type", { exact: true }).fill("com.example.typed");
  await page.getByRole("button", { name: "Send event" }).click();
  await page.getByRole("status").getByText(/PingSource\/heartbeat sent the form's event once/).waitFor();
  const hops = page.getByRole("list", { name: "Hops" }).getByRole("listitem");
  const once = await hops.allTextContents();
  assert.equal(once.filter((h) => /PingSource\/heartbeat →/.test(h)).length, 1, once.join("\n"));
  await page.getByRole("slider", { name: "Timeline" }).fill("1");
  await page.locator(".hop-detail").getByText(/com\.example\.typed/).waitFor();

  await page.getByLabel("what it emits, for").check();
  await page.getByLabel("Run for").fill("5m");
  await page.getByRole("button", { name: "Send event" }).click();
  await page.getByRole("status").getByText(/ran PingSource\/heartbeat for 5m/).waitFor();
  const ran = await hops.allTextContents();
  assert.ok(ran.filter((h) => /PingSource\/heartbeat →/.test(h)).length > 1, ran.join("\n"));
  assert.deepEqual(page.errors, []);
});

test("an ApiServerSource offers its own event types, then those the triggers ask for", async (t) => {
  const page = await open(t, "cluster-events.yaml");
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("ApiServerSource/k8s-events");
  const typeBox = page.getByLabel("type", { exact: true });
  await page.waitForFunction(() => document.querySelector("#event-types option"));
  const offered = await page.locator(`datalist#${await typeBox.getAttribute("list")} option`).evaluateAll((os) =>
    os.map((o) => o.value),
  );
  const own = offered.filter((o) => o.startsWith("dev.knative.apiserver."));
  assert.equal(own.length, 3, `${offered}`);
  for (const op of ["add", "update", "delete"]) assert.ok(own.some((o) => o.endsWith(`.${op}`)), `${op} in ${own}`);
  assert.deepEqual(offered.slice(0, 3), own, "the source's own types come first");
  // The form starts from the source's own event.
  assert.match(await typeBox.inputValue(), /^dev\.knative\.apiserver\.\w+\.add$/);
});

test("the Send form's targets are the open flow's: none of a flow no longer open", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("Broker/orders");
  await page.getByRole("button", { name: "New flow" }).click();
  await page.locator("[data-node]").first().waitFor({ state: "detached" });
  await page.waitForFunction(() => !document.querySelector('select[aria-label="Target"] option[value="Broker/orders"]'));
  assert.equal(await page.getByLabel("Target").inputValue(), "");
  assert.deepEqual(page.errors, []);
});

test("the Send form keeps what was typed across tabs; Save as scenario saves the send shown; sinks are targets", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("Broker/orders");
  await page.getByLabel("type", { exact: true }).fill("com.example.other");
  await page.getByLabel("extensions").fill("amount=7");
  await page.getByRole("button", { name: "Send event" }).click();
  await page.getByRole("status").getByText(/sent the form's event to Broker\/orders/).waitFor();
  // Each hop says which event it carried.
  const lines = await page.getByRole("list", { name: "Hops" }).getByRole("listitem").allTextContents();
  assert.ok(lines.length > 0 && lines.every((l) => /^com\.example\.other · \S+/.test(l.trim())), lines.join("\n"));
  await tab(page, "Scenarios");
  await tab(page, "Simulate");
  assert.equal(await page.getByLabel("Target").inputValue(), "Broker/orders");
  assert.equal(await page.getByLabel("type", { exact: true }).inputValue(), "com.example.other");
  assert.equal(await page.getByLabel("extensions").inputValue(), "amount=7");
  await page.getByRole("button", { name: "Save as scenario" }).click();
  await page.getByRole("status").getByText(/saved as "scenario \d+: Broker\/orders"/).waitFor();
  // The flow's sinks can be sent to directly.
  const options = await page.getByLabel("Target").locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes("Service/audit"), `${options}`);
  assert.ok(options.indexOf("Broker/orders") < options.indexOf("Service/audit"), "routing targets come first");
  // Another flow starts a fresh form: nothing typed for this one carries over.
  await page.getByLabel("source", { exact: true }).fill("/typed/for/orders");
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Discard" }).click().catch(() => {});
  await page.getByRole("button", { name: "Broker", exact: true }).click();
  await page.waitForFunction(() => document.querySelector('select[aria-label="Target"]').value === "Broker/broker");
  assert.equal(await page.getByLabel("source", { exact: true }).inputValue(), "/knflow/designer");
  assert.equal(await page.getByLabel("extensions").inputValue(), "");
  assert.deepEqual(page.errors, []);
});

test("an edit to the flow clears a simulation's trace and says so; moving a node or saving a scenario does not", async (t) => {
  const page = await open(t, "orders.yaml");
  const marks = page.locator("svg.canvas [role=img], svg.canvas .hop");
  const before = await marks.count();
  await sendOrder(page, "");
  const hops = page.getByRole("list", { name: "Hops" }).getByRole("listitem");
  await hops.first().waitFor();
  // Saving the run as a scenario keeps the trace.
  await page.getByRole("button", { name: "Save as scenario" }).click();
  await page.getByRole("status").getByText(/saved as/).waitFor();
  assert.ok(await hops.count() > 0, "saving a scenario cleared the trace");
  // Deleting the broker: no hops through it are left on the canvas or in the log.
  await node(page, "Broker orders").click();
  await page.keyboard.press("Delete");
  await page.getByRole("status").getByText(/the flow changed since the simulation ran/).waitFor();
  assert.equal(await hops.count(), 0);
  assert.ok(await marks.count() <= before, "marks of the old trace left on the canvas");
  assert.deepEqual(page.errors, []);
});

test("a long hop row wraps under its own number", async (t) => {
  const page = await open(t, "sequence.yaml");
  await tab(page, "Simulate");
  await page.getByRole("button", { name: "Send event" }).click();
  const rows = page.getByRole("list", { name: "Hops" }).getByRole("listitem");
  await rows.nth(4).waitFor();
  const starts = await rows.evaluateAll((lis) => lis.map((li) => {
    const b = li.querySelector("button").getBoundingClientRect();
    return { gap: b.top - li.getBoundingClientRect().top, tall: b.height };
  }));
  assert.ok(starts.some((s) => s.tall > 20), "no row is long enough to wrap here: the check proves nothing");
  for (const [i, s] of starts.entries()) assert.ok(Math.abs(s.gap) < 3, `row ${i + 1} starts ${s.gap}px below its number`);
  assert.deepEqual(page.errors, []);
});

test("Apply scenarios refuses a misspelt expectation, saying which; Run all names a resource not in the flow", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Scenarios");
  await page.getByRole("button", { name: "Edit scenarios" }).click();
  const yaml = page.getByLabel("Scenarios YAML");
  const text = await yaml.inputValue();
  await yaml.fill(text.replace("not_delivered: Service/fulfil", "not_delivred: Service/fulfil"));
  await page.getByRole("button", { name: "Apply scenarios" }).click();
  await page.getByRole("alert").getByText(/expect\[\d+\] has not_delivred: an expectation is one of delivered, not_delivered/).waitFor();
  await yaml.fill(text.replace("not_delivered: Service/fulfil", "not_delivered: Service/fulfill"));
  await page.getByRole("button", { name: "Apply scenarios" }).click();
  await page.getByRole("button", { name: "Run all" }).click();
  await page.getByText(/Service\/fulfill is not in this flow/).waitFor();
  assert.deepEqual(page.errors, []);
});
