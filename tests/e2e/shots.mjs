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
console.log(`screenshots in ${out}`);
await context.close();
server.kill();
