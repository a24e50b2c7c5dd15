// The desktop app as a user meets it: the real `knflow-desktop` binary (Tauri v2, WebKitGTK) in
// an Xvfb display, driven over WebDriver by tauri-driver and Debian's WebKitWebDriver. Run by
// `cargo xtask test`, which installs those and builds the app; KNFLOW_DESKTOP names the binary,
// TAURI_DRIVER the driver. Failures leave a screenshot in $KNFLOW_ARTIFACTS.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  // -noreset: Xvfb otherwise resets when its last client leaves (an app that quit), and the
  // next app to connect during the reset cannot open the display.
  xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1400x900x24", "-nolisten", "tcp", "-noreset"], {
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
    // GTK's settings in memory: no dconf (and its D-Bus) under Xvfb.
    GSETTINGS_BACKEND: "memory",
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
  // The killed processes may still be writing their last files: retried, and never a failure.
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (e) {
    console.log(`left ${dir}: ${e.message}`);
  }
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
const question = "document.querySelector('[role=alertdialog]')";
const ESCAPE = "\uE00C";

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
    "window.__TAURI__.core.invoke('plugin:window-state|filename', {}).then(() => done('allowed'), (e) => done(String(e)));");
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

/// Starts the open flow live from the Live tab; the broker's ingress address.
async function startLive(s) {
  await s.click(await s.find("//button[@role='tab'][normalize-space()='Live']", "xpath"));
  await s.click(await s.button("Start live"));
  return s.until("the broker's address", `[...document.querySelectorAll('[aria-label="Live addresses"] tr')]
    .find((r) => r.textContent.includes("Broker/orders"))?.querySelector("code")?.textContent.trim()`);
}

test("the cluster panel diffs, applies after showing the diff, and watches readiness", async (t) => {
  const s = await launch(t, [join(repo, "flows/orders.yaml")]);
  await s.until("the flow", node("Broker orders"));
  await s.click(await s.find("//button[@role='tab'][normalize-space()='Cluster']", "xpath"));
  await s.until("the kubeconfig's context", `document.querySelector('select[aria-label=Context]').value === "standin"`);
  // The actions wait for the connection.
  await s.until("connected", `document.querySelector(".cluster-tab").dataset.state === "connected"`);

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
  const url = await startLive(s);
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

test("quitting with unsaved work asks first, in the designer's question; confirming closes the app", async (t) => {
  const s = await launch(t, [join(repo, "flows/hello-ping.yaml")]);
  await s.until("the flow", node("Broker default"));
  await s.click(await s.button("Auto layout"));
  await s.until("the unsaved mark", `document.title.startsWith("● ")`);
  // The window title follows (the app hears of unsaved work through a command).
  const win = await until("the window titled with the unsaved mark", () => xdotool("search", "--name", "^● hello-ping.yaml — knflow$"));
  // Ctrl+Q as a user presses it: X key events to the window, taken by the menu's accelerator.
  const quit = () => xdotool("windowfocus", "--sync", win.split("\n")[0], "key", "ctrl+q");
  quit();
  await s.until("the question", `${question}?.textContent.includes("unsaved changes")`);
  // Escape answers "no": the app and the work stay.
  await s.press(ESCAPE);
  await s.until("the question gone", `${question} === null`);
  assert.ok(appProcesses().length > 0, "the app quit without asking");
  assert.ok(await s.exec(`return ${node("Broker default")} !== null && document.title.startsWith("● ")`));
  // Confirming closes without saving.
  quit();
  await s.until("the question again", `${question}`);
  // The window goes with the click, so WebDriver may not get to answer it.
  await s.click(await s.button("Close without saving")).catch(() => {});
  for (let i = 0; i < 100 && appProcesses().length; i++) await sleep(100);
  assert.deepEqual(appProcesses(), [], "the app is still running after the close was confirmed");
});

test("the window's size and place are kept between runs", async (t) => {
  const first = await launch(t, [join(repo, "flows/hello-ping.yaml")]);
  await first.until("the flow", node("Broker default"));
  await first.cmd("POST", "/window/rect", { x: 40, y: 30, width: 1000, height: 700 });
  const set = await first.cmd("GET", "/window/rect");
  assert.deepEqual([set.width, set.height], [1000, 700], "the window was resized");
  // At this size the toolbar is still one row of one-line buttons, all inside the window.
  const bar = await first.until("the toolbar at 1000 px", `innerWidth <= 1000 && [...document.querySelectorAll(".toolbar button")].map((b) => {
    const r = b.getBoundingClientRect(); return { text: b.textContent, top: Math.round(r.top), height: Math.round(r.height), right: Math.round(r.right) }; })`);
  for (const b of bar) {
    assert.ok(b.top === bar[0].top && b.height === bar[0].height && b.right <= 1000, `${JSON.stringify(b)} vs ${JSON.stringify(bar[0])}`);
  }
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

  // Escape keeps the edits; the canvas does not change.
  writeFileSync(file, ORDERS.replace("name: audit", "name: audit-2"));
  await s.until("the question", `${question}?.textContent.includes("changed on disk")`);
  await s.press(ESCAPE);
  await s.until("the kept version", `document.querySelector('[role=status]').textContent.includes("your version is kept")`);
  assert.ok(await s.exec(`return ${node("Trigger audit")} !== null && document.title.startsWith("● ")`));

  // Saving now would replace the other program's version: it asks. Escape leaves the file as
  // it is; "Save anyway" writes ours.
  await s.click(await s.button("Save"));
  await s.until("the save question", `${question}?.textContent.includes("changed on disk after you opened it")`);
  await s.press(ESCAPE);
  await s.until("the question gone", `${question} === null`);
  assert.ok(readFileSync(file, "utf8").includes("name: audit-2"), "the file was overwritten without asking");
  await s.click(await s.button("Save"));
  await s.until("the save question", `${question}`);
  await s.click(await s.button("Save anyway"));
  await s.until("the save", `!document.title.startsWith("● ")`);
  assert.ok(readFileSync(file, "utf8").includes("name: audit\n"), readFileSync(file, "utf8"));
  // Saved: the next save does not ask.
  await s.click(await s.button("Auto layout"));
  await s.until("the unsaved mark", `document.title.startsWith("● ")`);

  // Reload: the file's version replaces the edits.
  writeFileSync(file, ORDERS.replace("name: audit", "name: audit-3"));
  await s.until("the question", `${question}?.textContent.includes("changed on disk")`);
  await s.click(await s.button("Reload"));
  await s.until("the reloaded flow", node("Trigger audit-3"));
  assert.equal(await s.exec(`return ${node("Trigger audit")}`), null);
  assert.ok(!(await s.exec("return document.title")).startsWith("● "));
});

/// The app's main window (by title) and its geometry on the X screen.
function geometry(win) {
  const out = xdotool("getwindowgeometry", "--shell", win);
  return Object.fromEntries(out.split("\n").map((l) => l.split("=")).map(([k, v]) => [k, Number(v)]));
}

/// A native window (a file chooser) centred on the app's, within what GTK's rounding and the
/// chooser's own sizing leave.
function assertCentredOn(inner, outer) {
  const [o, i] = [geometry(outer), geometry(inner)];
  const off = [i.X + i.WIDTH / 2 - (o.X + o.WIDTH / 2), i.Y + i.HEIGHT / 2 - (o.Y + o.HEIGHT / 2)];
  assert.ok(Math.abs(off[0]) <= 40 && Math.abs(off[1]) <= 40,
    `${JSON.stringify(i)} is ${off} px off the centre of ${JSON.stringify(o)}`);
}

const mainWindow = () => until("the main window", () => xdotool("search", "--name", "— knflow$").split("\n")[0]);
const openDialog = `document.querySelector('[role=dialog][aria-label="Open flow"]')`;
const recentFile = (file) => `[...${openDialog}?.querySelectorAll('[aria-label="Recent files"] button') ?? []].some((b) => b.textContent === ${JSON.stringify(file)})`;

/// Where an element's box centre is from the web view's centre, in CSS pixels.
const offCentre = (selector) => `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
  return [Math.round(r.x + r.width / 2 - innerWidth / 2), Math.round(r.y + r.height / 2 - innerHeight / 2)]; })()`;

test("one Open: the toolbar, File ▸ Open… and Ctrl+O show the same dialog with recent files, Browse… and Import", async (t) => {
  const file = join(dir, "recent.yaml");
  writeFileSync(file, ORDERS);
  const s = await launch(t, [file]);
  await s.until("the flow", node("Trigger audit"));
  const win = await mainWindow();
  const entries = {
    toolbar: async () => s.click(await s.button("Open")),
    "Ctrl+O": async () => xdotool("windowfocus", "--sync", win, "key", "ctrl+o"),
    // The menu bar from the keyboard: F10 opens File, the second item is Open….
    "File ▸ Open…": async () => xdotool("windowfocus", "--sync", win, "key", "F10", "Down", "Down", "Return"),
  };
  for (const [how, open] of Object.entries(entries)) {
    await open();
    await s.until(`the Open dialog from ${how}`, recentFile(file));
    const parts = await s.exec(`const d = ${openDialog}; return [[...d.querySelectorAll("button")].map((b) => b.textContent), d.querySelector("textarea")?.getAttribute("aria-label")]`);
    assert.ok(parts[0].includes("Browse…") && parts[0].includes("Import"), `${how}: ${parts[0]}`);
    assert.equal(parts[1], "Knative YAML to import", how);
    // Centred on the window.
    const [dx, dy] = await s.exec(`return ${offCentre('[role=dialog][aria-label="Open flow"]')}`);
    assert.ok(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, `${how}: the dialog is ${dx},${dy} px off the window's centre`);
    await s.press(ESCAPE);
    await s.until(`the dialog closed by Escape (${how})`, `${openDialog} === null`);
  }

  // With unsaved work, a recent file chosen in the dialog asks first; Discard opens it.
  const other = join(dir, "other.yaml");
  writeFileSync(other, ORDERS.replace("name: audit", "name: other"));
  await s.execAsync("window.__TAURI__.core.invoke('open_flow', { path: arguments[0] }).then(done)", other);
  await s.click(await s.button("Auto layout"));
  await s.until("the unsaved mark", `document.title.startsWith("● ")`);
  await entries["Ctrl+O"]();
  await s.until("the Open dialog", recentFile(other));
  await s.click(await s.find(`//div[@aria-label='Open flow']//button[normalize-space()='${other}']`, "xpath"));
  await s.until("the question", `${question}?.textContent.includes("Discard unsaved changes")`);
  await s.click(await s.button("Discard"));
  await s.until("the chosen file", node("Trigger other"));
  assert.equal(await s.exec("return document.title"), `${other} — knflow`);

  // Browse… opens the native chooser, over the window and centred on it; Escape closes it.
  await entries.toolbar();
  await s.until("the Open dialog", recentFile(file));
  await s.click(await s.button("Browse…"));
  const chooser = await until("the file chooser", () => xdotool("search", "--name", "^Open flow$").split("\n")[0]);
  assertCentredOn(chooser, win);
  xdotool("windowfocus", "--sync", chooser, "key", "Escape");
  await until("the chooser closed", () => !xdotool("search", "--name", "^Open flow$"));
  assert.ok(await s.exec(`return ${node("Trigger other")} !== null`), "the flow is still open");
});

test("Escape closes every dialog and menu, and dialogs are centred on the window", async (t) => {
  const s = await launch(t, [join(repo, "flows/orders.yaml")]);
  await s.until("the flow", node("Broker orders"));
  const closes = async (what, open, selector) => {
    await open();
    await s.until(`${what} open`, `document.querySelector(${JSON.stringify(selector)})`);
    if (!selector.includes("menu")) {
      const [dx, dy] = await s.exec(`return ${offCentre(selector)}`);
      assert.ok(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, `${what} is ${dx},${dy} px off centre`);
    }
    await s.press(ESCAPE);
    await s.until(`${what} closed by Escape`, `document.querySelector(${JSON.stringify(selector)}) === null`);
  };
  await closes("Open", async () => s.click(await s.button("Open")), '[role=dialog][aria-label="Open flow"]');
  await closes("Flow settings", async () => s.click(await s.button("Flow settings")), '[role=dialog][aria-label="Flow settings"]');
  await closes("Keyboard shortcuts", async () => s.click(await s.find('button[aria-label="Keyboard shortcuts"]')), '[role=dialog][aria-label="Keyboard shortcuts"]');
  await closes("the context menu", async () => {
    const [x, y] = await s.exec(`const r = ${node("Broker orders")}.getBoundingClientRect(); return [Math.round(r.x + r.width / 2), Math.round(r.y + 10)];`);
    await s.cmd("POST", "/actions", { actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
      actions: [{ type: "pointerMove", origin: "viewport", x, y }, { type: "pointerDown", button: 2 }, { type: "pointerUp", button: 2 }] }] });
  }, ".context-menu");
  // A question (New flow with unsaved work): Escape is its Cancel.
  await s.click(await s.button("Auto layout"));
  await closes("the question", async () => s.click(await s.button("New flow")), "[role=alertdialog]");
  assert.ok(await s.exec(`return ${node("Broker orders")} !== null`), "Escape discarded the work");
  // The apply's confirmation in the Cluster tab.
  await s.click(await s.find("//button[@role='tab'][normalize-space()='Cluster']", "xpath"));
  await s.until("connected", `document.querySelector(".cluster-tab").dataset.state === "connected"`);
  await s.press(ESCAPE); // nothing open: harmless
  const applyButton = await s.button("Apply…");
  await s.until("Apply… enabled", `![...document.querySelectorAll("button")].find((b) => b.textContent === "Apply…").disabled`);
  await s.click(applyButton);
  await s.until("the confirmation", `document.querySelector('[aria-label="Confirm apply"]')`);
  await s.press(ESCAPE);
  await s.until("the confirmation closed by Escape", `document.querySelector('[aria-label="Confirm apply"]') === null`);

  // Save as: the native chooser, centred on the window; Escape cancels it.
  const win = await mainWindow();
  await s.click(await s.button("Save as"));
  const chooser = await until("the save chooser", () => xdotool("search", "--name", "^Save flow as$").split("\n")[0]);
  assertCentredOn(chooser, win);
  xdotool("windowfocus", "--sync", chooser, "key", "Escape");
  await until("the save chooser closed", () => !xdotool("search", "--name", "^Save flow as$"));
});

test("stopping live mode clears its marks and badges; the log lists hops in the order they happened, with their events, and stays", async (t) => {
  const s = await launch(t, [join(repo, "flows/orders.yaml")]);
  await s.until("the flow", node("Service audit"));
  const url = await startLive(s);
  for (const type of ["order.created", "order.cancelled"]) {
    const r = await fetch(url, { method: "POST", body: "{}", headers: { "ce-specversion": "1.0", "ce-id": type,
      "ce-source": "/e2e", "ce-type": type, "content-type": "application/json" } });
    assert.equal(r.status, 202);
  }
  const hops = "[...document.querySelectorAll('[aria-label=\"Live hops\"] li')].map((l) => l.textContent)";
  const log = await s.until("both events' hops", `${hops}.length >= 8 && ${hops}`);
  // Each event enters at the ingress before the broker hands it on.
  assert.match(log[0], /^ingress → Broker\/orders/, log.join("\n"));
  const second = log.findIndex((h, i) => i > 0 && h.startsWith("ingress"));
  assert.ok(second > 0 && log.slice(1, second).every((h) => h.startsWith("Broker/orders →")), log.join("\n"));
  // Each hop names its event (type · id); a filtered one has no HTTP status, there was none.
  assert.ok(log.slice(0, second).every((h) => h.endsWith("order.created · order.created")), log.join("\n"));
  const filtered = log.filter((h) => h.includes("filtered"));
  assert.ok(filtered.length > 0 && filtered.every((h) => /via Trigger\/[\w-]+  filtered/.test(h)), filtered.join("\n"));
  const marks = `document.querySelectorAll(".sim-badge, .hop-mark, g.hop").length`;
  assert.ok(await s.exec(`return ${marks}`) > 0, "live traffic marks the canvas");

  // Traffic keeps coming: the list keeps the newest hop in sight and Stop stays where it was.
  const stopAt = `(() => { const b = [...document.querySelectorAll("button")].find((b) => b.textContent === "Stop live");
    const r = b.getBoundingClientRect(); return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b; })()`;
  for (let i = 0; i < 25; i++) {
    await fetch(url, { method: "POST", body: "{}", headers: { "ce-specversion": "1.0", "ce-id": `more-${i}`,
      "ce-source": "/e2e", "ce-type": "order.created", "content-type": "application/json" } });
  }
  await s.until("the newest hop in the list's view", `(() => { const l = document.querySelector('[aria-label="Live hops"]');
    const last = l.lastElementChild; if (!last?.textContent.includes("more-24")) return false;
    const [a, b] = [l.getBoundingClientRect(), last.getBoundingClientRect()]; return b.bottom <= a.bottom + 1 && b.top >= a.top; })()`);
  assert.ok(await s.exec(`return ${stopAt}`), "Stop live scrolled out of sight");
  const before = await s.exec(`return ${hops}`);
  await s.click(await s.button("Stop live"));
  await s.button("Start live");
  await s.until("no marks", `${marks} === 0`);
  // The log stays to be read.
  assert.deepEqual(await s.exec(`return ${hops}`), before);
  // And none come back: the canvas stays clean.
  await sleep(500);
  assert.equal(await s.exec(`return ${marks}`), 0);
});

/// A kube-standin whose kubeconfig is at `path`; resolves to the process once it serves.
async function startStandin(path) {
  const p = spawn(standinBin, [path, "shop"], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((ok, fail) => {
    p.on("exit", (c) => fail(new Error(`kube-standin exited with ${c}`)));
    p.stdout.on("data", (d) => String(d).startsWith("ready") && ok());
  });
  return p;
}

test("the Cluster tab shows its state and enables only what can work: no kubeconfig, connected, server down", async (t) => {
  const kubeconfig = join(dir, "kubeconfig");
  const good = readFileSync(kubeconfig, "utf8");
  t.after(() => writeFileSync(kubeconfig, good));
  rmSync(kubeconfig);
  const s = await launch(t, [join(repo, "flows/orders.yaml")]);
  await s.until("the flow", node("Broker orders"));
  await s.click(await s.find("//button[@role='tab'][normalize-space()='Cluster']", "xpath"));
  const state = (want) => s.until(`the state ${want}`, `document.querySelector(".cluster-tab")?.dataset.state === ${JSON.stringify(want)} && document.querySelector('[aria-label="Cluster state"]').textContent`);
  const actions = ["Diff", "Dry run", "Apply…", "Watch readiness", "Import from cluster"];
  const enabled = async () => s.exec(`return Object.fromEntries([...document.querySelectorAll(".cluster-tab button")]
    .filter((b) => ${JSON.stringify(actions)}.includes(b.textContent)).map((b) => [b.textContent, !b.disabled]))`);
  const all = (on) => Object.fromEntries(actions.map((a) => [a, on]));

  // No kubeconfig: said once, with the path unquoted, and what to do; nothing to press but Check again.
  const none = await state("no-kubeconfig");
  assert.ok(none.startsWith("No kubeconfig") && none.includes(`KUBECONFIG names ${kubeconfig}, which does not exist. Point KUBECONFIG at your kubeconfig file`), none);
  assert.equal(none.split(kubeconfig).length, 2, `the path is said once: ${none}`);
  assert.doesNotMatch(none, /'"|"'/);
  assert.deepEqual(await enabled(), all(false));
  // The checkboxes sit beside their labels, on one line.
  const boxes = await s.exec(`return [...document.querySelectorAll(".cluster-tab label.check")].map((l) => {
    const [b, i] = [l.getBoundingClientRect(), l.querySelector("input").getBoundingClientRect()];
    return { text: l.textContent, height: b.height, inputHeight: i.height, inputLeft: i.left - b.left, inputTop: i.top - b.top }; })`);
  assert.equal(boxes.length, 2);
  for (const b of boxes) {
    assert.ok(b.height < b.inputHeight * 2 && b.inputLeft < 6, `${b.text}: ${JSON.stringify(b)}`);
  }

  // The kubeconfig appears: Check again finds the context and connects.
  writeFileSync(kubeconfig, good);
  await s.click(await s.button("Check again"));
  const connected = await state("connected");
  assert.ok(connected.includes(`Connected to ${standinUrl.replace(/\/$/, "")} (context standin)`), connected);
  assert.deepEqual(await enabled(), all(true));

  // Importing a namespace with nothing in it says so and keeps the open flow.
  await s.exec(`const i = document.querySelector('.cluster-tab input[aria-label="Namespace"]');
    i.value = "nothing-here"; i.dispatchEvent(new Event("input", { bubbles: true }));`);
  await s.click(await s.button("Import from cluster"));
  const nothing = await s.until("the import's answer", `${result}?.startsWith("Nothing") && ${result}`);
  assert.equal(nothing, "Nothing to import: no Knative objects in namespace nothing-here. The open flow is unchanged.");
  assert.ok(await s.exec(`return ${node("Broker orders")} !== null && !document.title.startsWith("● ")`));

  // The server goes away: the tab notices by itself (it asks again every few seconds), says
  // what to do, and the actions wait for Retry.
  const gone = join(dir, "kubeconfig-gone");
  const other = await startStandin(gone);
  other.kill();
  await new Promise((ok) => other.on("exit", ok));
  writeFileSync(kubeconfig, readFileSync(gone, "utf8"));
  const down = await state("error");
  assert.match(down, /cannot connect.*cannot reach the cluster at .*is it running, and is that its address in the kubeconfig\?/s);
  assert.deepEqual(await enabled(), all(false));
  writeFileSync(kubeconfig, good);
  await s.click(await s.button("Retry"));
  await state("connected");
  assert.deepEqual(await enabled(), all(true));
});

test("the menu's accelerators and enabled items follow the editor; in a text field the keys edit the text", async (t) => {
  const file = join(dir, "menu.yaml");
  writeFileSync(file, ORDERS);
  const s = await launch(t, [file]);
  await s.until("the flow", node("Trigger audit"));
  const win = await mainWindow();
  const key = (k) => xdotool("windowfocus", "--sync", win, "key", k);
  const menu = async (what, check) => {
    const end = Date.now() + 10000;
    let m;
    while (Date.now() < end) {
      m = await s.execAsync("window.__TAURI__.core.invoke('menu_state').then(done, (e) => done(String(e)))");
      const on = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.enabled]));
      if (check(on)) return m;
      await sleep(100);
    }
    throw new Error(`the menu never showed ${what}: ${JSON.stringify(m)}`);
  };

  // Fresh: nothing to undo, redo or save; labels without their keys (those are accelerators).
  const fresh = await menu("a fresh flow", (m) => !m.undo && !m.redo && !m.save && !m.delete && m.select_all && m.open);
  assert.deepEqual(Object.values(fresh).filter((i) => /Ctrl|\(/.test(i.label)), []);
  assert.equal(fresh.undo.label, "Undo");

  // An edit: Undo and Save can act.
  await s.click(await s.button("Auto layout"));
  await menu("undo and save after an edit", (m) => m.undo && m.save && !m.redo);
  // Ctrl+Z as a user presses it goes to the menu's accelerator.
  key("ctrl+z");
  await s.until("the undone edit", `!document.title.startsWith("● ")`);
  await menu("redo after undo", (m) => !m.undo && m.redo && !m.save);

  // A selected node: Delete and Copy can act; the Delete key deletes it through the menu.
  await s.pointerClick('[role=group][aria-label="Trigger audit"]');
  await menu("delete with a selection", (m) => m.delete && m.copy && m.duplicate);
  key("Delete");
  await s.until("the deleted node", `${node("Trigger audit")} === null`);
  key("ctrl+z");
  await s.until("the node back", node("Trigger audit"));

  // In a text field the editing items step aside, so that Ctrl+A selects the field's text
  // and not the flow's nodes.
  await s.click(await s.button("Flow settings"));
  await s.until("the name field focused", `document.activeElement?.id === "flow-name"`);
  await menu("editing items off while typing", (m) => !m.undo && !m.copy && !m.select_all && !m.delete && !m.paste);
  await s.exec(`const i = document.activeElement; i.setSelectionRange(0, 0);`);
  const selected = `document.querySelectorAll("[role=group].selected").length`;
  const before = await s.exec(`return ${selected}`);
  key("ctrl+a");
  await s.until("the field's text selected", `(() => { const i = document.activeElement; return i.selectionStart === 0 && i.selectionEnd === i.value.length && i.value.length > 0; })()`);
  assert.equal(await s.exec(`return ${selected}`), before, "Ctrl+A selected nodes from a text field");
  // Typing is undone and redone with the usual keys (WebKitGTK binds none of its own).
  const value = "document.activeElement.value";
  const original = await s.exec(`return ${value}`);
  await s.exec("const i = document.activeElement; i.setSelectionRange(i.value.length, i.value.length);");
  xdotool("windowfocus", "--sync", win, "type", "--delay", "40", "xy");
  await s.until("the typed text", `${value} === ${JSON.stringify(original + "xy")}`);
  key("ctrl+z");
  await s.until("the typing undone", `${value} === ${JSON.stringify(original)}`);
  key("ctrl+shift+z");
  await s.until("the typing redone", `${value} === ${JSON.stringify(original + "xy")}`);
  await s.press(ESCAPE);
  await menu("editing items back", (m) => m.select_all && m.paste);
});

test("a file that cannot be opened says so where it cannot be missed and is no recent file", async (t) => {
  const bad = join(dir, "broken.yaml");
  writeFileSync(bad, "apiVersion: knflow.dev/v1alpha1\nkind: Flow\nresources: [\n");
  const s = await launch(t, [bad]);
  const banner = await s.until("the banner", `document.querySelector('.banner[role=alert]')?.textContent`);
  assert.ok(banner.startsWith(`Cannot open ${bad}: `), banner);
  assert.match(banner, /broken\.yaml:\d+/);
  // The app hears of it by a command: asked until it has.
  let recent;
  for (let i = 0; i < 50; i++) {
    recent = await s.execAsync("window.__TAURI__.core.invoke('recent_files').then(done)");
    if (!recent.includes(bad)) break;
    await sleep(100);
  }
  assert.ok(!recent.includes(bad), `still recent: ${recent}`);
  await s.click(await s.button("Dismiss"));
  await s.until("the banner gone", `document.querySelector('.banner[role=alert]') === null`);
});
