// What the browser tests share: a real `kn-flow serve` on a temporary copy of the example
// flows, Debian's Chromium driven by playwright-core, and helpers that find things the way a
// user (or assistive technology) does: by role and accessible name. Failures leave a
// screenshot in $KNFLOW_ARTIFACTS (default target/e2e-artifacts) and print its path.

import { before, after } from "node:test";
import { spawn } from "node:child_process";
import { mkdtempSync, cpSync, readdirSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const repo = resolve(import.meta.dirname, "../..");
const knFlow = process.env.KN_FLOW ?? join(repo, "target/debug/kn-flow");
const artifacts = process.env.KNFLOW_ARTIFACTS ?? join(repo, "target/e2e-artifacts");
export const examples = readdirSync(join(repo, "flows")).filter((f) => f.endsWith(".yaml"));

/// The served folder, and the base URL of the designer.
export const env = { dir: undefined, base: undefined, context: undefined };
let server;

/// `kn-flow serve` (the binary `bin`) on `dir`: the process and the designer's base URL.
export async function serve(dir, bin = knFlow) {
  const proc = spawn(bin, ["serve", dir, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const base = await new Promise((ok, fail) => {
    proc.on("exit", (c) => fail(new Error(`kn-flow serve exited with ${c}`)));
    proc.stdout.on("data", (d) => {
      const m = String(d).match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) ok(m[0]);
    });
  });
  return { proc, base };
}

/// Debian's Chromium, headless, with a fresh profile (and no background networking: this
/// machine's closed network refuses it).
export function browser({ width = 1440, height = 900 } = {}) {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "knflow-chromium-")), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width, height },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/// Starts the server and the browser for the calling test file (1440×900, as users see it).
export function setup(size) {
  before(async () => {
    env.dir = mkdtempSync(join(tmpdir(), "knflow-e2e-"));
    for (const f of examples) cpSync(join(repo, "flows", f), join(env.dir, f));
    const s = await serve(env.dir);
    server = s.proc;
    env.base = s.base;
    env.context = await browser(size);
  });
  after(async () => {
    await env.context?.close();
    server?.kill();
  });
}

/// A fresh page on `hash` (a flow of the folder, or none); page errors fail the test that made
/// them.
export async function open(t, hash = "") {
  const page = await env.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.errors = errors;
  t.after(async () => {
    if (t.passed === false || errors.length) {
      mkdirSync(artifacts, { recursive: true });
      const shot = join(artifacts, `${t.name.replace(/\W+/g, "-")}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.log(`screenshot: ${shot}`);
      for (const e of errors) console.log(`page error: ${e}`);
    }
    await page.close();
  });
  await page.goto(env.base + (hash ? `#${hash}` : ""));
  await page.getByRole("application", { name: "Canvas" }).waitFor();
  if (hash) await page.locator("[data-node]").first().waitFor();
  return page;
}

export const canvas = (page) => page.getByRole("application", { name: "Canvas" });
export const node = (page, name) => page.getByRole("group", { name, exact: true });

export async function dropKind(page, kind, x, y) {
  await page.getByRole("button", { name: kind, exact: true }).dragTo(canvas(page), { targetPosition: { x, y } });
}

export async function wire(page, from, port, to) {
  await node(page, from).getByRole("button", { name: port, exact: true }).dragTo(node(page, to));
}

export async function tab(page, name) {
  await page.getByRole("tablist", { name: "Dock tabs" }).getByRole("tab", { name: new RegExp(`^${name}`) }).click();
}

export async function exportedYaml(page) {
  await tab(page, "YAML");
  return page.getByLabel("Exported YAML").textContent();
}

/// The canvas transform as numbers.
export async function viewOf(page) {
  const t = await page.locator("svg.canvas > g.view").getAttribute("transform");
  const m = t.match(/translate\(([-\d.]+),([-\d.]+)\) scale\(([-\d.]+)\)/);
  return { tx: Number(m[1]), ty: Number(m[2]), k: Number(m[3]) };
}
