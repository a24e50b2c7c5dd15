// Screenshots of the designer to look at (not a test): every example flow at 1440×900 in
// light and dark theme, after opening and after Auto layout, plus any states named on the
// command line by the scripts below. Writes PNGs to $KNFLOW_SHOTS (default target/shots).
//
//   node tests/e2e/shots.mjs            # KN_FLOW defaults to target/debug/kn-flow

import { spawn } from "node:child_process";
import { mkdtempSync, cpSync, readdirSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const repo = resolve(import.meta.dirname, "../..");
const knFlow = process.env.KN_FLOW ?? join(repo, "target/debug/kn-flow");
const out = process.env.KNFLOW_SHOTS ?? join(repo, "target/shots");
const only = process.argv.slice(2);
const examples = readdirSync(join(repo, "flows")).filter((f) => f.endsWith(".yaml"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
mkdirSync(out, { recursive: true });

const dir = mkdtempSync(join(tmpdir(), "knflow-shots-"));
for (const f of readdirSync(join(repo, "flows"))) cpSync(join(repo, "flows", f), join(dir, f));
const server = spawn(knFlow, ["serve", dir, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((ok) => server.stdout.on("data", (d) => {
  const m = String(d).match(/http:\/\/127\.0\.0\.1:\d+\//);
  if (m) ok(m[0]);
}));
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "knflow-chromium-")), {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1440, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

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
