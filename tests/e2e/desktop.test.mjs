// The desktop app as a user meets it: the real `knflow-desktop` binary (Tauri v2, WebKitGTK) in
// an Xvfb display, driven over WebDriver by tauri-driver and Debian's WebKitWebDriver. Run by
// `cargo xtask test`, which installs those and builds the app; KNFLOW_DESKTOP names the binary,
// TAURI_DRIVER the driver. Failures leave a screenshot in $KNFLOW_ARTIFACTS.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Session } from "./webdriver.mjs";

const repo = resolve(import.meta.dirname, "../..");
const app = process.env.KNFLOW_DESKTOP ?? join(repo, "target/debug/knflow-desktop");
const driver = process.env.TAURI_DRIVER ?? join(repo, "target/tools/bin/tauri-driver");
// No Kubernetes cluster can run here: the cluster panel talks to kube-standin, the stand-in API
// server the Rust cluster tests use (discovery, server-side apply, dry run, readiness).
const standinBin = process.env.KUBE_STANDIN ?? join(repo, "target/debug/kube-standin");
const artifacts = process.env.KNFLOW_ARTIFACTS ?? join(repo, "target/e2e-artifacts");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ORDERS = `apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: orders
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata:
    name: orders
- apiVersion: eventing.knative.dev/v1
  kind: Trigger
  metadata:
    name: audit
  spec:
    broker: orders
    subscriber:
      uri: http://audit.example.com
`;

let xvfb, tauriDriver, standin, standinUrl, base, dir, display;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "knflow-desktop-"));
  // A display of our own: Xvfb picks a free number and writes it to fd 3.
  xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1400x900x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "inherit", "pipe"],
  });
  display = await new Promise((ok, fail) => {
    xvfb.on("exit", (c) => fail(new Error(`Xvfb exited with ${c}`)));
    xvfb.stdio[3].on("data", (d) => ok(`:${String(d).trim()}`));
  });
  const kubeconfig = join(dir, "kubeconfig");
  standin = spawn(standinBin, [kubeconfig, "shop"], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((ok, fail) => {
    standin.on("exit", (c) => fail(new Error(`kube-standin exited with ${c}`)));
    standin.stdout.on("data", (d) => {
      const m = String(d).match(/^ready (\S+)/);
      if (m) ok((standinUrl = m[1]));
    });
  });
  const port = 20000 + Math.floor(Math.random() * 20000);
  // The app's settings (recent files, window state) go to a fresh folder, not the user's.
  const env = {
    ...process.env,
    DISPLAY: display,
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CACHE_HOME: join(dir, "cache"),
    KUBECONFIG: kubeconfig,
    HOME: dir,
  };
  tauriDriver = spawn(driver, ["--port", String(port), "--native-port", String(port + 1),
    "--native-driver", "/usr/bin/WebKitWebDriver"], { env, stdio: ["ignore", "inherit", "inherit"] });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${base}/status`).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error("tauri-driver did not start");
});

after(() => {
  tauriDriver?.kill();
  standin?.kill();
  xvfb?.kill();
});

/// A desktop app with `args`, ended (and photographed on failure) after the test.
async function launch(t, args = []) {
  const s = await Session.start(base, { "tauri:options": { application: app, args } });
  t.after(async () => {
    if (t.passed === false) {
      mkdirSync(artifacts, { recursive: true });
      const shot = join(artifacts, `desktop-${t.name.replace(/\W+/g, "-")}.png`);
      await s.screenshot().then((png) => writeFileSync(shot, png), () => {});
      console.log(`screenshot: ${shot}`);
    }
    await s.end().catch(() => {});
  });
  return s;
}

const node = (label) => `document.querySelector('[role=group][aria-label="${label}"]')`;

/// xdotool's output on our display ("" when it finds nothing).
function xdotool(...args) {
  try {
    return execFileSync("xdotool", args, { env: { ...process.env, DISPLAY: display } }).toString().trim();
  } catch {
    return "";
  }
}

async function until(what, f, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = f();
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function appProcesses() {
  try {
    return execFileSync("pgrep", ["-f", app]).toString().trim().split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

test("the app starts on the example, round-trips files through its commands, and exits cleanly", async (t) => {
  const s = await launch(t);
  await s.until("the built-in example flow", node("PingSource heartbeat"));
  assert.equal(await s.exec("return document.title"), "untitled — knflow");
  assert.ok(await s.exec(`return [...document.querySelectorAll('[role=tab]')].some(t => t.textContent === "Cluster")`),
    "the Cluster tab is there on the desktop");

  // One command round trip: the host's open, as the designer calls it.
  const file = join(dir, "orders.yaml");
  writeFileSync(file, ORDERS);
  const opened = await s.execAsync(
    "window.__TAURI__.core.invoke('open_flow', { path: arguments[0] }).then(done, (e) => done('error: ' + e));",
    file);
  assert.deepEqual(opened, { path: file, text: ORDERS });

  // Only the designer's own commands are allowed: a plugin command the app has but did not
  // grant the web view is refused.
  const refused = await s.execAsync(
    "window.__TAURI__.core.invoke('plugin:dialog|open', {}).then(() => done('allowed'), (e) => done(String(e)));");
  assert.match(refused, /not allowed/, refused);

  // The CSP lets the page reach nothing but the app: a server that answers everyone else (the
  // stand-in API server) is refused from the web view.
  assert.ok(await fetch(standinUrl).then(() => true, () => false), "the server answers from outside");
  const blocked = await s.execAsync(`
    let violated = "";
    document.addEventListener("securitypolicyviolation", (e) => { violated = e.violatedDirective; });
    fetch(arguments[0], { mode: "no-cors" }).then(
      () => done("fetched"),
      () => setTimeout(() => done("refused by " + violated), 100));`, standinUrl);
  assert.equal(blocked, "refused by connect-src");

  // The Open dialog lists it as recent; choosing it opens it on the canvas.
  await s.click(await s.button("Open"));
  await s.click(await s.button(file));
  await s.until("the opened flow", node("Trigger audit"));

  // Edit and save through the app: the file on disk changes, the title loses its mark.
  await s.pointerClick('[role=group][aria-label="Trigger audit"]');
  await s.click(await s.button("Delete"));
  await s.until("the unsaved mark", `document.title.startsWith("● ")`);
  await s.click(await s.button("Save"));
  await s.until("the save", `!document.title.startsWith("● ")`);
  const saved = readFileSync(file, "utf8");
  assert.ok(saved.includes("name: orders") && !saved.includes("name: audit"), saved);

  // Changed on disk by someone else: reloaded (there were no local edits).
  writeFileSync(file, ORDERS);
  await s.until("the reload", node("Trigger audit"));

  // Closing the window ends the app.
  const before = appProcesses();
  assert.ok(before.length > 0, "the app runs");
  await s.cmd("DELETE", "/window").catch(() => {});
  for (let i = 0; i < 100 && appProcesses().length; i++) await sleep(100);
  assert.deepEqual(appProcesses(), [], "the app exited after its window closed");
});

test("a palette item dragged onto the canvas in the desktop window becomes a node", async (t) => {
  // The flow named on the command line opens first.
  const s = await launch(t, [join(repo, "flows/hello-ping.yaml")]);
  await s.until("the designer", node("Broker default"));
  const before = await s.exec("return document.querySelectorAll('[role=group]').length");
  await s.drag(await s.find('[draggable=true][aria-label="Broker"]'), await s.find('[aria-label="Canvas"]'), 40, 120);
  await s.until("the new broker", node("Broker broker"));
  assert.equal(await s.exec("return document.querySelectorAll('[role=group]').length"), before + 1);
  assert.equal(await s.exec(`return [...document.querySelectorAll('button')].find(b => b.textContent === "Undo").disabled`), false);
});

const result = `(document.querySelector('[aria-label="Cluster result"]') || {}).textContent`;

test("the cluster panel diffs, applies after showing the diff, and watches readiness", async (t) => {
  const s = await launch(t, [join(repo, "flows/orders.yaml")]);
  await s.until("the flow", node("Broker orders"));
  await s.click(await s.find("//button[@role='tab'][normalize-space()='Cluster']", "xpath"));
  await s.until("the kubeconfig's context", `document.querySelector('select[aria-label=Context]').value === "standin"`);

  await s.click(await s.button("Diff"));
  const diff = await s.until("the diff", `${result}?.includes("would change") && ${result}`);
  assert.match(diff, /Broker\/orders new/);
  assert.match(diff, /\(namespace shop\)/);

  await s.click(await s.button("Apply…"));
  const confirm = await s.until("the confirmation", `document.querySelector('[role=alertdialog][aria-label="Confirm apply"]')?.textContent`);
  assert.match(confirm, /Apply \d+ changed objects to .*\(namespace shop\)\?/);
  assert.match(confirm, /\+kind: Trigger/);
  await s.click(await s.button("Apply"));
  const applied = await s.until("the apply", `${result}?.startsWith("Applied") && ${result}`);
  assert.match(applied, /Trigger\/audit-all-orders created/);

  await s.click(await s.button("Watch readiness"));
  const ready = await s.until("readiness", `${result}?.startsWith("Readiness") && ${result}`);
  assert.match(ready, /Broker\/orders Ready/);
  assert.doesNotMatch(ready, /not ready/);

  await s.click(await s.button("Diff"));
  await s.until("an empty diff", `${result}?.includes("0 objects would change")`);
  // The web view never sees the kubeconfig's credentials.
  const page = await s.exec("return document.documentElement.outerHTML");
  assert.ok(!page.includes(`standin-${standin.pid}`), "the token reached the web view");
});

test("live mode from the app: real traffic on the canvas", async (t) => {
  const s = await launch(t, [join(repo, "flows/orders.yaml")]);
  await s.until("the flow", node("Service audit"));
  await s.click(await s.find("//button[@role='tab'][normalize-space()='Live']", "xpath"));
  await s.click(await s.button("Start live"));
  const url = await s.until("the broker's address", `[...document.querySelectorAll('[aria-label="Live addresses"] tr')]
    .find((r) => r.textContent.includes("Broker/orders"))?.querySelector("code")?.textContent.trim()`);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/shop\/orders$/);
  const r = await fetch(url, {
    method: "POST",
    headers: { "ce-specversion": "1.0", "ce-id": "desk-1", "ce-source": "/e2e", "ce-type": "order.created", "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(r.status, 202);
  await s.until("the delivery on the canvas", `${node("Service audit")}?.textContent.includes("delivered 1")`);
  await s.click(await s.button("Stop live"));
  await s.button("Start live");
  await fetch(url, { method: "POST" }).then(
    () => assert.fail("the ingress still answers after Stop"),
    () => {});
});

test("quitting with unsaved work asks first; confirming closes the app", async (t) => {
  const s = await launch(t, [join(repo, "flows/hello-ping.yaml")]);
  await s.until("the flow", node("Broker default"));
  await s.click(await s.button("Auto layout"));
  await s.until("the unsaved mark", `document.title.startsWith("● ")`);
  // The window title follows (the app hears of unsaved work through a command).
  const win = await until("the window titled with the unsaved mark", () => xdotool("search", "--name", "^● hello-ping.yaml — knflow$"));
  // Ctrl+Q as a user presses it: X key events to the window, taken by the menu's accelerator.
  xdotool("windowfocus", "--sync", win.split("\n")[0], "key", "ctrl+q");
  const dialog = await until("the confirmation dialog", () => xdotool("search", "--name", "^Unsaved changes$"));
  assert.ok(appProcesses().length > 0, "the app quit without asking");
  assert.ok(await s.exec(`return ${node("Broker default")} !== null`), "the designer is still there");
  // Confirming closes without saving.
  xdotool("windowfocus", "--sync", dialog.split("\n")[0], "key", "Return");
  for (let i = 0; i < 100 && appProcesses().length; i++) await sleep(100);
  assert.deepEqual(appProcesses(), [], "the app is still running after the close was confirmed");
});

test("the window's size and place are kept between runs", async (t) => {
  const first = await launch(t, [join(repo, "flows/hello-ping.yaml")]);
  await first.until("the flow", node("Broker default"));
  await first.cmd("POST", "/window/rect", { x: 40, y: 30, width: 1000, height: 700 });
  const set = await first.cmd("GET", "/window/rect");
  assert.deepEqual([set.width, set.height], [1000, 700], "the window was resized");
  const win = await until("the window", () => xdotool("search", "--name", "^hello-ping.yaml — knflow$"));
  xdotool("windowfocus", "--sync", win.split("\n")[0], "key", "ctrl+q");
  for (let i = 0; i < 100 && appProcesses().length; i++) await sleep(100);
  assert.deepEqual(appProcesses(), [], "Ctrl+Q quits a flow without unsaved work");
  await first.end().catch(() => {});

  const second = await launch(t, [join(repo, "flows/hello-ping.yaml")]);
  await second.until("the flow", node("Broker default"));
  const again = await second.cmd("GET", "/window/rect");
  assert.deepEqual({ width: again.width, height: again.height }, { width: set.width, height: set.height });
  assert.deepEqual({ x: again.x, y: again.y }, { x: set.x, y: set.y });
});

test("a flow changed on disk while it has unsaved edits asks before reloading", async (t) => {
  const file = join(dir, "edited.yaml");
  writeFileSync(file, ORDERS);
  const s = await launch(t, [file]);
  await s.until("the flow", node("Trigger audit"));
  await s.click(await s.button("Auto layout"));
  await s.until("the unsaved mark", `document.title.startsWith("● ")`);
  // The question is a native dialog (titled "knflow"); a user answers it with the keyboard.
  const answer = async (key) => {
    const dialog = await until("the question", () => xdotool("search", "--name", "^knflow$"));
    xdotool("windowfocus", "--sync", dialog.split("\n")[0], "key", key);
  };

  // Cancel keeps the edits; the canvas does not change.
  writeFileSync(file, ORDERS.replace("name: audit", "name: audit-2"));
  await answer("Escape");
  await s.until("the kept version", `document.querySelector('[role=status]').textContent.includes("your version is kept")`);
  assert.ok(await s.exec(`return ${node("Trigger audit")} !== null && document.title.startsWith("● ")`));

  // OK reloads: the file's version replaces the edits.
  writeFileSync(file, ORDERS.replace("name: audit", "name: audit-3"));
  await answer("Return");
  await s.until("the reloaded flow", node("Trigger audit-3"));
  assert.equal(await s.exec(`return ${node("Trigger audit")}`), null);
  assert.ok(!(await s.exec("return document.title")).startsWith("● "));
});
