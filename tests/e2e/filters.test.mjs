// The filter editor (issue 19, part 7): dialects from a menu with a line of help each,
// attribute names offered from the CloudEvents context attributes and the flow's extensions,
// legacy `filter.attributes` as rows, nested all/any/not as an indented tree, CESQL checked as
// it is typed (Problems at once, one error shown once), no console warnings; and, for a
// selected hop through a trigger, why its filter passed or not, entry by entry.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, node, tab } from "./harness.mjs";

setup();

const DIALECTS = ["exact", "prefix", "suffix", "all", "any", "not", "cesql"];

/// Runs `act` and waits until the inspector's form has been rebuilt (the control named
/// `label` is a new element): what a committed field causes, and what a person typing next waits
/// for without knowing it.
async function rebuilt(page, label, act) {
  await page.evaluate((l) => { const el = document.querySelector(`[aria-label="${l}"]`); if (el) el.dataset.old = "1"; }, label);
  await act();
  await page.waitForFunction((l) => { const el = document.querySelector(`[aria-label="${l}"]`); return el && !el.dataset.old; }, label);
}

/// Console warnings of the page (errors already fail a test through the harness).
function warnings(page) {
  const out = [];
  page.on("console", (m) => m.type() === "warning" && out.push(m.text()));
  return out;
}

async function exportedYaml(page) {
  await tab(page, "YAML");
  const text = await page.getByLabel("Exported YAML").textContent();
  return text;
}

test("dialects from a menu with help, nested filters as a tree, attribute names offered", async (t) => {
  const page = await open(t, "orders.yaml");
  const warned = warnings(page);
  await node(page, "Trigger notify-fulfilled").click();
  const dialect = (path) => page.getByLabel(`${path} dialect`, { exact: true });
  assert.equal(await dialect(".spec.filters[0]").inputValue(), "exact");
  assert.equal(await dialect(".spec.filters[1]").inputValue(), "not");
  assert.equal(await dialect(".spec.filters[1].not").inputValue(), "suffix");
  // Every dialect is a choice, each with its line of help; the chosen one's help is shown.
  const options = await dialect(".spec.filters[0]").locator("option").evaluateAll((os) =>
    os.map((o) => [o.value, o.title]),
  );
  assert.deepEqual(options.map((o) => o[0]), DIALECTS);
  for (const [name, help] of options) assert.ok(help.length > 15, `help for ${name}: ${help}`);
  const first = page.getByRole("group", { name: ".spec.filters[0]", exact: true });
  await first.getByText("Each attribute equals its value exactly").waitFor();
  // The nested filter is indented under its `not`.
  const outer = await dialect(".spec.filters[1]").boundingBox();
  const inner = await dialect(".spec.filters[1].not").boundingBox();
  assert.ok(inner.x >= outer.x + 8, `nested at ${inner.x}, its parent at ${outer.x}`);
  // Attributes are rows; their names come from a list of the context attributes and more.
  const name = page.getByLabel(".spec.filters[0].exact attribute 1 name", { exact: true });
  assert.equal(await name.inputValue(), "type");
  assert.equal(
    await page.getByLabel(".spec.filters[0].exact attribute 1 value", { exact: true }).inputValue(),
    "order.fulfilled",
  );
  const offered = await page.locator(`datalist#${await name.getAttribute("list")} option`).evaluateAll((os) =>
    os.map((o) => o.value),
  );
  for (const n of ["type", "source", "subject", "dataschema"]) assert.ok(offered.includes(n), `${n} in ${offered}`);

  // Switching a dialect keeps what carries over: exact → prefix keeps the attribute.
  await dialect(".spec.filters[0]").selectOption("prefix");
  await page.getByLabel(".spec.filters[0].prefix attribute 1 value", { exact: true }).waitFor();
  // exact → any nests the entry in the new list.
  await dialect(".spec.filters[0]").selectOption("any");
  assert.equal(await dialect(".spec.filters[0].any[0]").inputValue(), "prefix");
  let yaml = await exportedYaml(page);
  assert.match(yaml, /- any:\n\s+- prefix:\n\s+type: order\.fulfilled/);
  // A nested filter is added inside its list; an attribute row takes the next unused name.
  await node(page, "Trigger notify-fulfilled").click();
  await page.getByRole("button", { name: "Add filter to .spec.filters[0].any", exact: true }).click();
  await dialect(".spec.filters[0].any[1]").waitFor();
  await page.getByRole("button", { name: "Add attribute to .spec.filters[0].any[0].prefix", exact: true }).click();
  assert.equal(
    await page.getByLabel(".spec.filters[0].any[0].prefix attribute 2 name", { exact: true }).inputValue(),
    "source",
  );
  // Tab from a name to its value keeps the focus although the form is rebuilt.
  const rowName = page.getByLabel(".spec.filters[0].any[0].prefix attribute 2 name", { exact: true });
  await rowName.fill("subject");
  await rebuilt(page, ".spec.filters[0].any[0].prefix attribute 2 name", () => rowName.press("Tab"));
  await page.waitForFunction(() =>
    document.activeElement?.getAttribute("aria-label") === ".spec.filters[0].any[0].prefix attribute 2 value",
  );
  await page.keyboard.type("/orders/");
  await page.keyboard.press("Tab");
  yaml = await exportedYaml(page);
  assert.match(yaml, /- prefix:\n\s+type: order\.fulfilled\n\s+subject: \/orders\//);
  assert.deepEqual(warned, [], "no console warnings from the form");
});

test("CESQL is checked as it is typed: Problems at once, the error shown once", async (t) => {
  const page = await open(t, "orders.yaml");
  const warned = warnings(page);
  await tab(page, "Problems");
  const problemsTab = page.getByRole("tab", { name: /^Problems/ });
  const before = await problemsTab.textContent();
  await node(page, "Trigger audit-all-orders").click();
  await page.getByRole("button", { name: "Add filter", exact: true }).click();
  await page.getByLabel(".spec.filters[1] dialect", { exact: true }).selectOption("cesql");
  const cesql = page.getByLabel(".spec.filters[1].cesql (CESQL)", { exact: true });
  await cesql.pressSequentially("amount >");
  // Not yet applied (no blur), and already in Problems and under the field, once.
  const inline = page.locator(".inspector").getByText(/CESQL does not parse at column/);
  await inline.waitFor();
  assert.equal(await inline.count(), 1, "the error is shown once in the inspector");
  const problems = page.getByRole("list", { name: "Problems" }).getByText(/invalid-cesql.*filters\[1\]\.cesql/);
  await problems.waitFor();
  assert.notEqual(await problemsTab.textContent(), before);
  await cesql.pressSequentially(" 10");
  await problems.waitFor({ state: "detached" });
  await cesql.blur();
  const yaml = await exportedYaml(page);
  assert.match(yaml, /cesql: amount > 10/);
  await tab(page, "Problems");
  assert.equal(await problemsTab.textContent(), before);
  assert.deepEqual(warned, [], "no console warnings from the form");
});

test("legacy filter.attributes as rows", async (t) => {
  const page = await open(t, "orders.yaml");
  await node(page, "Trigger audit-all-orders").click();
  await page.getByRole("button", { name: "Add attribute to .spec.filter.attributes", exact: true }).click();
  const value = page.getByLabel(".spec.filter.attributes attribute 1 value", { exact: true });
  assert.equal(
    await page.getByLabel(".spec.filter.attributes attribute 1 name", { exact: true }).inputValue(),
    "type",
  );
  await value.fill("order.paid");
  await value.blur();
  let yaml = await exportedYaml(page);
  assert.match(yaml, /filter:\n\s+attributes:\n\s+type: order\.paid/);
  await node(page, "Trigger audit-all-orders").click();
  await page.getByRole("button", { name: "Remove .spec.filter.attributes attribute 1", exact: true }).click();
  yaml = await exportedYaml(page);
  assert.doesNotMatch(yaml, /attributes:/);
});

test("a selected hop through a trigger says why its filter passed or not, per entry", async (t) => {
  const page = await open(t, "orders.yaml");
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("Broker/orders");
  await page.getByLabel("type", { exact: true }).fill("order.paid");
  await page.getByLabel("extensions").fill("amount=250");
  await page.getByRole("button", { name: "Send event" }).click();
  const hops = page.getByRole("list", { name: "Hops" }).getByRole("listitem");
  await hops.first().waitFor();
  const why = page.getByRole("list", { name: "Why the trigger passed or not" });
  const pick = async (re) => {
    const texts = await hops.allTextContents();
    const i = texts.findIndex((x) => re.test(x));
    assert.ok(i >= 0, `${re} in ${texts.join(" | ")}`);
    await hops.nth(i).getByRole("button").click();
  };
  await pick(/Broker\/orders → Service\/fulfil via Trigger\/big-paid-orders/);
  await why.getByText("Trigger/big-paid-orders passes this event").waitFor();
  assert.match(await why.textContent(), /filters\[0\]\.cesql/);
  await pick(/Broker\/orders → Service\/notify via Trigger\/notify-fulfilled.* filtered/);
  await why.getByText("Trigger/notify-fulfilled filters out this event").waitFor();
  const failed = why.locator("li.fail");
  assert.ok((await failed.count()) >= 1);
  assert.match(await failed.first().textContent(), /filters\[0\]\.exact\.type/);
  // A reply through a trigger is not that trigger's filtering.
  await pick(/Service\/fulfil → Broker\/orders via Trigger\/big-paid-orders/);
  assert.equal(await why.count(), 0);
});

test("typed values survive whatever comes next: a dialect switch, a removal, a click, a duplicate name", async (t) => {
  const page = await open(t, "orders.yaml");
  await node(page, "Trigger notify-fulfilled").click();
  const value1 = page.getByLabel(".spec.filters[0].exact attribute 1 value", { exact: true });
  // A value still being typed, then the entry's dialect changed: the value goes along.
  await value1.fill("order.shipped");
  await page.getByLabel(".spec.filters[0] dialect", { exact: true }).selectOption("prefix");
  const prefixValue = page.getByLabel(".spec.filters[0].prefix attribute 1 value", { exact: true });
  await prefixValue.waitFor();
  assert.equal(await prefixValue.inputValue(), "order.shipped");
  // A value being typed, then "+ attribute" clicked once: the row is added and the value kept.
  await prefixValue.fill("order.");
  await page.getByRole("button", { name: "Add attribute to .spec.filters[0].prefix", exact: true }).click();
  const name2 = page.getByLabel(".spec.filters[0].prefix attribute 2 name", { exact: true });
  await name2.waitFor();
  assert.equal(await prefixValue.inputValue(), "order.");
  // A duplicate name is refused and says so; both rows stay.
  await name2.fill("type");
  await name2.press("Tab");
  await page.getByText("`type` is already an attribute of this filter").waitFor();
  assert.equal(await page.getByLabel(".spec.filters[0].prefix attribute 1 name", { exact: true }).inputValue(), "type");
  assert.equal(await name2.inputValue(), "source");
  // A value being typed in one row, another row removed: the typed value stays.
  const value2 = page.getByLabel(".spec.filters[0].prefix attribute 2 value", { exact: true });
  await value2.fill("/shop");
  // Left with Tab, as a person does (a fill elsewhere in the same instant races the rebuild
  // that applying it makes, which no typing person can).
  await rebuilt(page, ".spec.filters[0].prefix attribute 2 value", () => value2.press("Tab"));
  await prefixValue.fill("order.ful");
  await page.getByRole("button", { name: "Remove .spec.filters[0].prefix attribute 2", exact: true }).click();
  await page.getByLabel(".spec.filters[0].prefix attribute 2 name", { exact: true }).waitFor({ state: "detached" });
  assert.equal(await prefixValue.inputValue(), "order.ful");
  const yaml = await exportedYaml(page);
  assert.match(yaml, /- prefix:\n\s+type: order\.ful\n/);
  assert.doesNotMatch(yaml, /source: \/shop/);
  assert.deepEqual(page.errors, [], "no page errors (a disposed value read after a rebuild panicked)");
});
