// Work is never lost or overwritten without asking (issue 19): Import, Save as onto an existing
// file, and a changed address (Back, Forward, typed) ask first with the designer's own
// alertdialog ("Discard" / "Replace" and "Cancel"); Cancel keeps everything; Import is one
// undoable step; the unsaved mark follows the history; a dialog's errors stay in the dialog,
// in words.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { setup, open, node, env, exportedYaml } from "./harness.mjs";

setup();

const fileLabel = (page) => page.getByLabel("File", { exact: true });
const resources = (page) => page.locator("svg.canvas [data-node]").count();

/// One unsaved edit: a selected node moved by the keyboard.
async function edit(page, name) {
  await node(page, name).click();
  await page.keyboard.press("ArrowRight");
  await assertText(fileLabel(page), /^● /);
}

async function assertText(locator, re) {
  for (let i = 0; i < 50; i++) {
    if (re.test(await locator.textContent())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(await locator.textContent(), re);
}

test("Import with unsaved changes asks; Cancel keeps everything; Discard imports as one undoable step", async (t) => {
  const page = await open(t, "orders.yaml");
  const before = await resources(page);
  await edit(page, "Service audit");
  await page.getByRole("button", { name: "Open", exact: true }).click();
  // The converter's errors stay in the dialog, in words, without a status code.
  await page.getByLabel("Knative YAML to import").fill("kind: [");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const problem = page.getByRole("dialog", { name: "Open flow" }).getByRole("alert");
  await problem.waitFor();
  assert.doesNotMatch(await problem.textContent(), /^\s*\d{3}\b/, "no HTTP status code");
  assert.match(await problem.textContent(), /\.yaml:\d+:\d+/, "the file, line and column are named");

  await page.getByLabel("Knative YAML to import").fill("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: imported\n");
  assert.equal(await problem.count(), 0, "the old error goes once the text changes");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const ask = page.getByRole("alertdialog");
  await ask.waitFor();
  assert.match(await ask.getAttribute("aria-label"), /Discard unsaved changes/);
  await ask.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await resources(page), before, "Cancel keeps the flow");
  await assertText(fileLabel(page), /^● orders\.yaml/);
  assert.ok(await page.getByRole("dialog", { name: "Open flow" }).isVisible(), "and the Import text");

  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Discard" }).click();
  await node(page, "Broker imported").waitFor();
  assert.equal(await resources(page), 1);
  // The import is a new flow, not orders.yaml's: Save asks where to keep it, and the file is
  // as it was.
  await assertText(fileLabel(page), /untitled/);
  await page.getByRole("status").getByText(/imported 1 resources as a new flow; orders\.yaml is unchanged/).waitFor();
  const file = join(env.dir, "orders.yaml");
  const onDisk = readFileSync(file, "utf8");
  await page.keyboard.press("Control+s");
  await page.getByRole("dialog", { name: "Save as" }).waitFor();
  await page.keyboard.press("Escape");
  assert.equal(readFileSync(file, "utf8"), onDisk, "Save replaced orders.yaml with the import");
  await page.keyboard.press("Control+z");
  await node(page, "Service audit").waitFor();
  assert.equal(await resources(page), before, "Undo brings the flow before the import back");
  // The browser logs the refused import's answer itself; nothing else went wrong.
  assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
});

test("Save as onto an existing file asks; Cancel leaves it byte-identical; Replace writes it; an untitled flow takes the file's name", async (t) => {
  const page = await open(t, "orders.yaml");
  const target = join(env.dir, "channel.yaml");
  const original = readFileSync(target);
  await edit(page, "Service audit");
  await page.getByRole("button", { name: "Save as" }).click();
  const dialog = page.getByRole("dialog", { name: "Save as" });
  await dialog.waitFor();
  // The folder's flows are listed; clicking one takes its name.
  await dialog.getByRole("button", { name: "channel.yaml" }).click();
  assert.equal(await dialog.getByRole("textbox", { name: "File name" }).inputValue(), "channel.yaml");
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  const ask = page.getByRole("alertdialog");
  await ask.waitFor();
  assert.match(await ask.getAttribute("aria-label"), /Replace channel\.yaml/);
  await ask.getByRole("button", { name: "Cancel" }).click();
  assert.ok(readFileSync(target).equals(original), "Cancel leaves the file as it was");
  // Escape closes the dialog even once the question's button that had the focus is gone.
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Save as" }).click();
  await dialog.getByRole("textbox", { name: "File name" }).fill("channel.yaml");
  await assertText(fileLabel(page), /^● orders\.yaml/);

  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Replace" }).click();
  await dialog.waitFor({ state: "detached" });
  await assertText(fileLabel(page), /^channel\.yaml/);
  assert.match(readFileSync(target, "utf8"), /name: fulfil/, "the open flow is in the file now");
  assert.equal(new URL(page.url()).hash, "#channel.yaml");

  // An untitled flow saved as a new file is named after it.
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByRole("button", { name: "Broker", exact: true }).click();
  await page.getByRole("button", { name: "Save as" }).click();
  await dialog.getByRole("textbox", { name: "File name" }).fill("night-orders");
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await dialog.waitFor({ state: "detached" });
  const saved = join(env.dir, "night-orders.yaml");
  assert.ok(existsSync(saved));
  assert.match(readFileSync(saved, "utf8"), /^  name: night-orders$/m);
  assert.deepEqual(page.errors, []);
});

test("Back after opening another flow asks, then shows the flow the address names", async (t) => {
  const page = await open(t, "orders.yaml");
  await page.getByRole("button", { name: "Open", exact: true }).click();
  await page.getByRole("dialog", { name: "Open flow" }).getByRole("button", { name: "sequence.yaml" }).click();
  await page.locator('[data-node^="Sequence/"]').first().waitFor();
  assert.equal(new URL(page.url()).hash, "#sequence.yaml");
  const sequenceNodes = await resources(page);
  await edit(page, await page.locator('[data-node^="Sequence/"]').first().getAttribute("aria-label"));

  await page.goBack();
  const ask = page.getByRole("alertdialog");
  await ask.waitFor();
  await ask.getByRole("button", { name: "Cancel" }).click();
  // Cancel: the address names the open flow again, which is unchanged and still unsaved.
  await assertText(fileLabel(page), /^● sequence\.yaml/);
  for (let i = 0; i < 20 && new URL(page.url()).hash !== "#sequence.yaml"; i++) await page.waitForTimeout(50);
  assert.equal(new URL(page.url()).hash, "#sequence.yaml");
  assert.equal(await resources(page), sequenceNodes);

  await page.goBack();
  await page.getByRole("alertdialog").getByRole("button", { name: "Discard" }).click();
  await node(page, "Broker orders").waitFor();
  await assertText(fileLabel(page), /^orders\.yaml/);
  assert.equal(new URL(page.url()).hash, "#orders.yaml");

  // A typed address opens its flow (nothing unsaved: no question).
  await page.evaluate(() => { location.hash = "channel.yaml"; });
  await assertText(fileLabel(page), /^channel\.yaml/);
  assert.equal(await page.getByRole("alertdialog").count(), 0);
  // An address without a file (New flow's entry) is a new, untitled flow.
  await page.evaluate(() => { location.hash = ""; });
  await assertText(fileLabel(page), /^untitled/);
  assert.equal(await resources(page), 0);
  assert.deepEqual(page.errors, []);
});

test("Save as refuses a name with a folder before anything is sent", async (t) => {
  const page = await open(t, "orders.yaml");
  await page.getByRole("button", { name: "Save as" }).click();
  const dialog = page.getByRole("dialog", { name: "Save as" });
  await dialog.getByRole("textbox", { name: "File name" }).fill("../evil.yaml");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("alert").filter({ hasText: /without a folder/ }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("undoing back to the saved state clears the unsaved mark; Escape cancels a question", async (t) => {
  const page = await open(t, "orders.yaml");
  await edit(page, "Service audit");
  await page.keyboard.press("Control+z");
  await assertText(fileLabel(page), /^orders\.yaml/);
  await page.keyboard.press("Control+Shift+z");
  await assertText(fileLabel(page), /^● orders\.yaml/);
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByRole("alertdialog").waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await page.getByRole("alertdialog").count(), 0);
  await node(page, "Service audit").waitFor();
  assert.deepEqual(page.errors, []);
});

test("a YAML edit in the inspector that cannot apply says why under the editor and changes nothing", async (t) => {
  const page = await open(t, "orders.yaml");
  await node(page, "Service audit").click();
  await page.getByRole("tablist", { name: "Inspector views" }).getByRole("tab", { name: "YAML" }).click();
  const editor = page.getByLabel("Resource YAML");
  const before = await editor.inputValue();
  await editor.fill(before.replace(/^kind: .*\n/m, ""));
  await page.getByRole("button", { name: "Apply YAML" }).click();
  const problem = page.locator(".raw [role=alert]");
  await problem.waitFor();
  assert.match(await problem.textContent(), /Not applied: .*kind/);
  assert.equal(await page.locator("footer.status .error").count(), 0, "not in the status line");
  await node(page, "Service audit").waitFor();
  assert.doesNotMatch(await fileLabel(page).textContent(), /●/, "nothing was applied");
  assert.deepEqual(page.errors, []);
});

test("a rename: in the YAML view it takes the references along; a taken name is refused at the field, which shows the name kept", async (t) => {
  const page = await open(t, "orders.yaml");
  await node(page, "Service audit").click();
  const inspector = page.getByRole("complementary", { name: "Inspector" });
  const name = inspector.getByRole("textbox", { name: "name", exact: true });
  await name.fill("notify");
  await name.press("Tab");
  await page.locator(".tip[role=alert]").getByText(/Service\/notify already exists/).waitFor();
  assert.equal(await name.inputValue(), "audit", "the field shows the name the Service still has");
  await node(page, "Service audit").waitFor();

  await page.getByRole("tablist", { name: "Inspector views" }).getByRole("tab", { name: "YAML" }).click();
  const editor = page.getByLabel("Resource YAML");
  await editor.fill((await editor.inputValue()).replace(/^  name: audit$/m, "  name: auditor"));
  await page.getByRole("button", { name: "Apply YAML" }).click();
  await node(page, "Service auditor").waitFor();
  // The trigger that delivered to it still does: no dangling reference, no placeholder.
  const yaml = await exportedYaml(page);
  assert.doesNotMatch(yaml, /name: audit\n/, "a reference still names audit");
  assert.match(yaml, /name: auditor/);
  assert.equal(await page.getByText(/is not in this flow/).count(), 0);
  assert.deepEqual(page.errors, []);
});

test("Flow settings: name, namespace and description, with the editor's refusal shown in the dialog", async (t) => {
  const page = await open(t);
  await page.getByRole("button", { name: "Broker", exact: true }).click();
  await page.getByRole("button", { name: "Flow settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Flow settings" });
  await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("Night Orders");
  await dialog.getByRole("button", { name: "Apply" }).click();
  await dialog.getByRole("alert").filter({ hasText: /^name:/ }).waitFor();
  await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("night-orders");
  await dialog.getByRole("textbox", { name: "Namespace" }).fill("shop");
  await dialog.getByRole("textbox", { name: "Description" }).fill("Orders placed at night.");
  await dialog.getByRole("button", { name: "Apply" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByLabel("Flow description").getByText("Orders placed at night.").waitFor();
  await page.getByRole("tablist", { name: "Dock tabs" }).getByRole("tab", { name: /^YAML/ }).click();
  const yaml = await page.getByLabel("Exported YAML").textContent();
  assert.match(yaml, /namespace: shop/);
  assert.match(yaml, /night-orders/);
  // One undo step brings the old settings back.
  await page.keyboard.press("Control+z");
  await page.getByLabel("Flow description").waitFor({ state: "detached" });
  assert.deepEqual(page.errors, []);
});

test("Flow settings: the simulation defaults (how sinks answer) are the flow's saved behaviours", async (t) => {
  const page = await open(t, "orders.yaml");
  await page.getByRole("button", { name: "Flow settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Flow settings" });
  const box = dialog.getByRole("textbox", { name: "Sink behaviours" });
  assert.equal(await box.inputValue(), "Service/fulfil=reply:order.fulfilled");
  // A bad line is refused in the dialog, naming the line, and nothing changes.
  await box.fill("Service/fulfil=reply:order.fulfilled\nService/notify=explode");
  await dialog.getByRole("button", { name: "Apply" }).click();
  await dialog.getByRole("alert").filter({ hasText: /^sink behaviours: line 2: Service\/notify/ }).waitFor();
  await box.fill("Service/notify=fail:503x2");
  await dialog.getByRole("button", { name: "Apply" }).click();
  await dialog.waitFor({ state: "detached" });
  // The Simulate form starts from them, and a run uses them: notify fails twice, then acks.
  await page.getByRole("tablist", { name: "Dock tabs" }).getByRole("tab", { name: /^Simulate/ }).click();
  assert.equal(await page.getByLabel("Behaviors").inputValue(), "Service/notify=fail:503x2");
  // Saved with the flow: the unsaved mark is on, and one undo restores the old behaviour.
  await page.keyboard.press("Control+z");
  assert.equal(await page.getByLabel("Behaviors").inputValue(), "Service/fulfil=reply:order.fulfilled");
  assert.deepEqual(page.errors, []);
});

test("one Open in the browser too: the toolbar and Ctrl+O show it; Escape closes it, even from the Import text; Save is enabled only when it can act", async (t) => {
  const page = await open(t, "orders.yaml");
  const dialog = page.getByRole("dialog", { name: "Open flow" });
  const save = page.getByRole("button", { name: "Save", exact: true });
  assert.ok(await save.isDisabled(), "Save with nothing unsaved");
  for (const how of ["toolbar", "Ctrl+O"]) {
    if (how === "toolbar") await page.getByRole("button", { name: "Open", exact: true }).click();
    else await page.keyboard.press("Control+o");
    await dialog.waitFor();
    // The served folder's flows, and the first one has the focus.
    await dialog.getByRole("list", { name: "Flows in this folder" }).getByRole("button", { name: "sequence.yaml" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.closest("[role=dialog]")?.getAttribute("aria-label")), "Open flow", how);
    // Centred in the window.
    const box = await dialog.boundingBox();
    assert.ok(Math.abs(box.x + box.width / 2 - 720) <= 2 && Math.abs(box.y + box.height / 2 - 450) <= 2, `${how}: ${JSON.stringify(box)}`);
    if (how === "Ctrl+O") await dialog.getByLabel("Knative YAML to import").fill("kind: Broker");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  }
  await edit(page, "Service audit");
  assert.ok(await save.isEnabled(), "Save with unsaved work");
  // A flow chosen in the dialog with unsaved work: the question's Discard opens it (the
  // question outlives the dialog that asked it).
  await page.keyboard.press("Control+o");
  await dialog.getByRole("button", { name: "sequence.yaml" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Discard" }).click();
  await assertText(fileLabel(page), /^sequence\.yaml$/);
  assert.deepEqual(page.errors, []);
});
