// A minimal W3C WebDriver client over fetch: the few commands the desktop tests use, against
// tauri-driver (which hands the session to WebKitWebDriver and the app). No npm dependency.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, capabilities) {
    const v = await call(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, v.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  /// Runs `body` in the page; `arguments[0..]` are `args`.
  exec(body, ...args) {
    return this.cmd("POST", "/execute/sync", { script: body, args });
  }

  /// Runs `body` in the page, which calls `done(value)` (the last argument) when finished.
  execAsync(body, ...args) {
    return this.cmd("POST", "/execute/async", {
      script: `const done = arguments[arguments.length - 1]; ${body}`,
      args,
    });
  }

  /// The first element `selector` finds, waiting up to `timeoutMs` for it to appear: the app
  /// renders some of what a click opens only after a round trip to the host (the Open dialog's
  /// recent files).
  async find(selector, using = "css selector", timeoutMs = 10000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        const v = await this.cmd("POST", "/element", { using, value: selector });
        return v[ELEMENT];
      } catch (e) {
        if (!/no such element/.test(String(e)) || Date.now() > end) throw e;
        await sleep(100);
      }
    }
  }

  button(name) {
    return this.find(`//button[normalize-space()='${name}']`, "xpath");
  }

  async click(element) {
    await this.cmd("POST", `/element/${element}/click`, {});
  }

  /// Polls `check` (a page expression) until it is truthy; returns its value.
  async until(what, expression, timeoutMs = 20000) {
    const end = Date.now() + timeoutMs;
    let last;
    while (Date.now() < end) {
      last = await this.exec(`return ${expression};`).catch((e) => String(e));
      if (last) return last;
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
  }

  /// A mouse click at the centre of the element `selector` finds, by its on-screen box (SVG
  /// groups have no box WebDriver accepts as interactable).
  async pointerClick(selector) {
    const [x, y] = await this.exec(
      "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)];",
      selector);
    await this.cmd("POST", "/actions", {
      actions: [{
        type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
        actions: [
          { type: "pointerMove", origin: "viewport", x, y },
          { type: "pointerDown", button: 0 }, { type: "pointerUp", button: 0 },
        ],
      }],
    });
  }

  /// Presses the mouse on `from`, moves in steps, releases over `to` at (x, y) from its centre.
  async drag(from, to, x, y) {
    const at = (el, dx, dy, duration = 0) => ({
      type: "pointerMove", origin: { [ELEMENT]: el }, x: dx, y: dy, duration,
    });
    await this.cmd("POST", "/actions", {
      actions: [{
        type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
        actions: [
          at(from, 0, 0), { type: "pointerDown", button: 0 }, at(from, 20, 5, 100),
          at(to, x, y, 300), { type: "pointerUp", button: 0 },
        ],
      }],
    });
  }

  /// Presses `keys` (WebDriver key values, e.g. "\uE00C" for Escape) on whatever has the focus.
  async press(...keys) {
    const actions = keys.flatMap((value) => [{ type: "keyDown", value }, { type: "keyUp", value }]);
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  end() {
    return this.cmd("DELETE", "");
  }
}

async function call(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j.value ?? j)}`);
  return j.value;
}
