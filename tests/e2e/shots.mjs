// Screenshots of the designer to look at (not a test): every example flow at 1440×900 in
// light and dark theme, after opening and after Auto layout, plus any states named on the
// command line by the scripts below. Writes PNGs to $KNFLOW_SHOTS (default target/shots).
//
//   node tests/e2e/shots.mjs            # KN_FLOW defaults to target/debug/kn-flow

import { mkdtempSync, cpSync, readdirSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repo, serve, browser } from "./harness.mjs";

const out = process.env.KNFLOW_SHOTS ?? join(repo, "target/shots");
const only = process.argv.slice(2);
const examples = readdirSync(join(repo, "flows")).filter((f) => f.endsWith(".yaml"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
mkdirSync(out, { recursive: true });

const dir = mkdtempSync(join(tmpdir(), "knflow-shots-"));
for (const f of readdirSync(join(repo, "flows"))) cpSync(join(repo, "flows", f), join(dir, f));
const { proc: server, base } = await serve(dir);
const context = await browser();

for (const theme of ["light", "dark"]) {
  for (const f of examples) {
    const page = await context.newPage();
    await page.addInitScript((t) => localStorage.setItem("knflow.theme", t), theme);
    await page.goto(`${base}#${f}`);
    await page.waitForSelector("[data-node]");
    await page.waitForTimeout(300);
    const name = f.replace(/\.yaml$/, "");
    await page.screenshot({ path: join(out, `${name}-${theme}.png`) });
    await page.keyboard.press("l");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, `${name}-${theme}-layout.png`) });
    await page.close();
  }
}
// The states issue 19 added, on orders.yaml: the filter editor, the dialogs, a simulation
// mid-animation with a selected hop's explanation.
for (const theme of ["light", "dark"]) {
  if (only.length && !only.includes("states")) break;
  const page = await context.newPage();
  await page.addInitScript((t) => localStorage.setItem("knflow.theme", t), theme);
  await page.goto(`${base}#orders.yaml`);
  await page.waitForSelector("[data-node]");
  const shot = (n) => page.screenshot({ path: join(out, `state-${n}-${theme}.png`) });
  await page.getByRole("group", { name: "Trigger notify-fulfilled", exact: true }).click();
  await page.getByRole("button", { name: "Add filter", exact: true }).click();
  await page.getByLabel(".spec.filters[2] dialect", { exact: true }).selectOption("cesql");
  await page.waitForTimeout(200);
  await page.getByLabel(".spec.filters[2].cesql (CESQL)").pressSequentially("amount >");
  await page.waitForTimeout(200);
  await shot("filters");
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: "Flow settings" }).click();
  await page.waitForTimeout(200);
  await shot("settings");
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Save as" }).click();
  await page.waitForTimeout(200);
  await shot("save-as");
  await page.keyboard.press("Escape");
  await page.getByRole("tablist", { name: "Dock tabs" }).getByRole("tab", { name: /^Simulate/ }).click();
  await page.getByLabel("Target").selectOption("Broker/orders");
  await page.getByLabel("type", { exact: true }).fill("order.paid");
  await page.getByLabel("extensions").fill("amount=250");
  await page.getByRole("button", { name: "Send event" }).click();
  await page.waitForTimeout(1500);
  await shot("sim-mid");
  await page.getByRole("button", { name: "Pause" }).click().catch(() => {});
  const hops = page.getByRole("list", { name: "Hops" }).getByRole("listitem");
  const texts = await hops.allTextContents();
  const i = texts.findIndex((x) => /Service\/notify via Trigger\/notify-fulfilled/.test(x));
  if (i >= 0) await hops.nth(i).getByRole("button").click();
  await page.waitForTimeout(300);
  await shot("sim-hop");
  await page.close();
}
// The rightmost node of channel.yaml selected: the inspector opens and the view follows it.
for (const theme of ["light", "dark"]) {
  if (only.length && !only.includes("states")) break;
  const page = await context.newPage();
  await page.addInitScript((t) => localStorage.setItem("knflow.theme", t), theme);
  await page.goto(`${base}#channel.yaml`);
  await page.waitForSelector("[data-node]");
  await page.waitForTimeout(300);
  const right = await page.evaluate(() => [...document.querySelectorAll("svg.canvas [data-node]")]
    .map((n) => [n.getAttribute("data-node"), n.getBoundingClientRect().right])
    .reduce((a, b) => (b[1] > a[1] ? b : a))[0]);
  await page.locator(`svg.canvas [data-node="${right}"] rect.box`).click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `state-selected-right-${theme}.png`) });
  await page.close();
}
console.log(`screenshots in ${out}`);
await context.close();
server.kill();
