// The Events tab (issue 21): each broker's event types against its triggers — who receives
// what, "may" marked — measured and read as a user would; hovering a type draws the paths it
// takes over the canvas's own wires; a trigger's inspector lists what it receives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, node, tab } from "./harness.mjs";

setup();

test("orders.yaml: the Events tab says which trigger receives which type, and hovering a type draws its paths", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Events");
  const table = page.getByRole("table", { name: "Event types at Broker/orders" });
  await table.waitFor();
  // Rows: what arrives at the broker (declared producers and fulfil's reply), in order.
  const rows = await table.locator("tbody tr th").allTextContents();
  assert.deepEqual(rows, ["order.created", "order.fulfilled", "order.paid"]);
  const heads = await table.locator("thead th").allTextContents();
  assert.deepEqual(heads, ["type", "source", "from", "big-paid-orders", "audit-all-orders", "notify-fulfilled"]);
  const cells = async (type) => table.locator("tbody tr", { has: page.getByRole("rowheader", { name: type, exact: true }) })
    .locator("td[aria-label]").evaluateAll((tds) => tds.map((td) => td.getAttribute("aria-label")));
  // big-paid-orders' CESQL requires type = 'order.paid': the other types cannot pass it.
  assert.deepEqual(await cells("order.created"), [
    "Trigger/big-paid-orders does not receive",
    "Trigger/audit-all-orders receives",
    "Trigger/notify-fulfilled does not receive",
  ]);
  assert.deepEqual(await cells("order.fulfilled"), [
    "Trigger/big-paid-orders does not receive",
    "Trigger/audit-all-orders receives",
    "Trigger/notify-fulfilled may receive (its filter reads more than the type and source)",
  ]);
  // Where each comes from.
  const from = await table.locator("tbody tr td.from").allTextContents();
  assert.equal(from[1], "the reply of Service/fulfil (via Trigger/big-paid-orders)");
  // Readable: no cell text smaller than 12 px, the table inside the dock.
  const sizes = await table.locator("th, td").evaluateAll((es) => es.map((e) => parseFloat(getComputedStyle(e).fontSize)));
  assert.ok(Math.min(...sizes) >= 12, `text at ${Math.min(...sizes)} px`);

  // Hovering order.fulfilled draws, over the canvas's wires, the paths it can take: in from
  // fulfil's reply, out through the two triggers that may pass it to their subscribers.
  assert.equal(await page.locator("svg.canvas path.traced").count(), 0);
  await table.getByRole("rowheader", { name: "order.fulfilled" }).hover();
  await page.locator("svg.canvas path.traced").first().waitFor({ state: "attached" });
  const traced = await page.locator("svg.canvas path.traced").evaluateAll((ps) => ps.map((p) => p.getAttribute("d")));
  const wires = await page.locator("svg.canvas g.wire").evaluateAll((gs) =>
    Object.fromEntries(gs.map((g) => [g.getAttribute("data-wire"), g.querySelector(".wire-line").getAttribute("d")])));
  for (const key of ["Trigger/big-paid-orders.spec.subscriber", "Trigger/notify-fulfilled.spec.broker",
    "Trigger/notify-fulfilled.spec.subscriber", "Trigger/audit-all-orders.spec.subscriber"]) {
    assert.ok(traced.includes(wires[key]), `${key} is not drawn traced`);
  }
  assert.ok(!traced.includes(wires["Trigger/big-paid-orders.spec.broker"]), "big-paid-orders drawn as passing order.fulfilled");
  assert.equal(traced.length, 5, "the reply's wire and both wires of each of the two triggers");
  // order.created does not reach notify.
  await table.getByRole("rowheader", { name: "order.created" }).hover();
  await page.waitForFunction((d) => ![...document.querySelectorAll("svg.canvas path.traced")].some((p) => p.getAttribute("d") === d),
    wires["Trigger/notify-fulfilled.spec.subscriber"]);
  // Leaving the table clears it.
  await page.getByRole("tab", { name: /^Events/ }).hover();
  await page.waitForFunction(() => document.querySelectorAll("svg.canvas path.traced").length === 0);
  assert.deepEqual(page.errors, []);
});

test("a trigger's inspector lists the types it receives", async (t) => {
  const page = await open(t, "orders.yaml");
  await node(page, "Trigger notify-fulfilled").click();
  const receives = page.getByRole("region", { name: "Receives" });
  await receives.waitFor();
  assert.deepEqual(await receives.locator("li").allTextContents(), ["order.fulfilled from * (may)"]);
  await node(page, "Trigger audit-all-orders").click();
  await page.getByRole("region", { name: "Receives" }).locator("li", { hasText: "order.created" }).waitFor();
  assert.equal(await page.getByRole("region", { name: "Receives" }).locator("li").count(), 3);
});

test("a flow whose brokers have no known producer says how to declare them", async (t) => {
  const page = await open(t, "hello-ping.yaml");
  await tab(page, "Events");
  await page.getByRole("table", { name: "Event types at Broker/default" }).waitFor();
  const page2 = await open(t, "");
  await tab(page2, "Events");
  await page2.getByText(/knflow.dev\/produces/).waitFor();
});

test("a long source in a trigger's Receives wraps inside the inspector", async (t) => {
  const page = await open(t, "hello-ping.yaml");
  await node(page, "Trigger display-all").click();
  const receives = page.getByRole("region", { name: "Receives" });
  await receives.locator("li").first().waitFor();
  const inspector = await page.getByRole("complementary", { name: "Inspector" }).boundingBox();
  for (const li of await receives.locator("li").all()) {
    const b = await li.boundingBox();
    const scroll = await li.evaluate((e) => e.scrollWidth - e.clientWidth);
    assert.ok(b.x + b.width <= inspector.x + inspector.width && scroll <= 0, `${await li.textContent()} runs out of the inspector`);
  }
});
