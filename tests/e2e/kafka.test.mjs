// Knative's Kafka extension as a user meets it in the designer: the palette's Kafka group found by
// searching for the project, a KafkaSource dragged onto a new flow and wired to a Broker whose
// class is chosen from the inspector's menu (which also points spec.config at the Kafka broker's
// ConfigMap), a Trigger and a Service behind it, and the source's own event simulated through to
// the Service. Measured too: the palette's project groups do not overlap their entries, and the
// KafkaSource's wire starts at its `sink` port. Run by `cargo xtask test`; KN_FLOW names the
// binary.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, canvas, node, dropKind, wire, tab, exportedYaml } from "./harness.mjs";

setup();

const KAFKA = ["KafkaSource", "KafkaSink", "KafkaChannel"];
/// The extension projects' palette groups, after Knative's own.
const PROJECTS = ["Kafka", "RabbitMQ", "NATS", "GitHub", "GitLab", "Redis", "AWS SQS", "Ceph", "CouchDB", "vSphere", "Integration"];

const entry = (page, kind) => page.locator(`.palette .entry[aria-label="${kind}"]`);
const visibleGroups = (page) => page.locator(".palette section.group").evaluateAll((gs) =>
  gs.filter((g) => g.getClientRects().length > 0).map((g) => g.querySelector("h3").textContent));

/// Client-coordinate boxes of the palette's visible headings and entries, in page order.
function paletteBoxes(page) {
  return page.evaluate(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; };
    return [...document.querySelectorAll(".palette section.group h3, .palette .entry")]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => ({ what: el.tagName === "H3" ? `heading ${el.textContent}` : `entry ${el.getAttribute("aria-label")}`, box: box(el) }));
  });
}

const overlap = (a, b) => a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
const inside = (p, b) => p.x >= b.x0 - 1 && p.x <= b.x1 + 1 && p.y >= b.y0 - 1 && p.y <= b.y1 + 1;

test("Kafka kinds: found by project in the palette, a KafkaSource into a Kafka broker, its event simulated to a service", async (t) => {
  const page = await open(t);
  assert.equal(await page.locator("[data-node]").count(), 0, "a new flow is empty");

  // Searching for the project shows its group, and the Broker (Kafka is one of its classes),
  // and nothing else.
  const search = page.getByLabel("Search kinds");
  await search.fill("kafka");
  for (const k of [...KAFKA, "Broker"]) assert.ok(await entry(page, k).isVisible(), `${k} shown for "kafka"`);
  for (const k of ["PingSource", "Trigger", "RabbitmqSource"]) assert.ok(await entry(page, k).isHidden(), `${k} hidden for "kafka"`);
  assert.deepEqual(await visibleGroups(page), ["Routing", "Kafka"]);
  assert.equal(await page.getByText(/No kinds match/).count(), 0);
  await search.fill("");
  await entry(page, "PingSource").waitFor();
  assert.ok(await entry(page, "KafkaSource").isVisible());

  // The flow, by drag and drop.
  await dropKind(page, "KafkaSource", 140, 100);
  await dropKind(page, "Broker", 470, 100);
  await dropKind(page, "Trigger", 140, 330);
  await dropKind(page, "Service", 470, 330);
  for (const n of ["KafkaSource kafkasource", "Broker broker", "Trigger trigger", "Service service"]) {
    await node(page, n).waitFor();
  }

  // The broker's class from the inspector's menu: the annotation and the Kafka broker's
  // ConfigMap, in the manifest.
  await node(page, "Broker broker").click();
  // The node's key fact is its class (the whole of it in the fact's tooltip).
  const fact = () => node(page, "Broker broker").locator("text.facts > title").textContent();
  assert.equal(await fact(), "MTChannelBasedBroker");
  const classMenu = page.getByLabel("broker class", { exact: true });
  assert.equal(await classMenu.inputValue(), "");
  const classes = await classMenu.locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(classes.includes("Kafka"), `the class menu offers Kafka: ${classes}`);
  await classMenu.selectOption("Kafka");
  await page.waitForFunction(() =>
    document.querySelector('[data-node="Broker/broker"] text.facts > title')?.textContent === "Kafka");
  // The ConfigMap it now reads is on the canvas, wired from the broker's `config` port.
  await page.locator('svg.canvas g.wire[data-from="Broker/broker"][data-port="config"][data-to="ConfigMap/knative-eventing/kafka-broker-config"]').waitFor();
  assert.equal(await page.getByLabel("broker class", { exact: true }).inputValue(), "Kafka");
  const views = page.getByRole("tablist", { name: "Inspector views" });
  await views.getByRole("tab", { name: "YAML" }).click();
  const manifest = await page.getByLabel("Resource YAML").inputValue();
  assert.match(manifest, /annotations:\n\s+eventing\.knative\.dev\/broker\.class: Kafka\n/, manifest);
  const config = manifest.match(/^  config:\n((?:    .*\n)+)/m);
  assert.ok(config, `spec.config in\n${manifest}`);
  assert.match(config[1], /^    apiVersion: v1$/m);
  assert.match(config[1], /^    kind: ConfigMap$/m);
  assert.match(config[1], /^    name: kafka-broker-config$/m);
  assert.match(config[1], /^    namespace: knative-eventing$/m);
  await views.getByRole("tab", { name: "Form" }).click();

  // Wiring by dragging from ports.
  await wire(page, "KafkaSource kafkasource", "sink", "Broker broker");
  await wire(page, "Trigger trigger", "broker", "Broker broker");
  await wire(page, "Trigger trigger", "subscriber", "Service service");
  const yaml = await exportedYaml(page);
  assert.match(yaml, /kind: KafkaSource[\s\S]*?sink:\s+ref:[\s\S]*?kind: Broker\s+name: broker/);
  assert.match(yaml, /kind: Broker\n[\s\S]*?broker\.class: Kafka[\s\S]*?name: kafka-broker-config/);
  assert.match(yaml, /broker: broker/);
  assert.match(yaml, /subscriber:\s+ref:[\s\S]*?name: service/);

  // The source's wire leaves from its `sink` port and reaches the broker's input.
  const ends = await page.evaluate(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; };
    const w = document.querySelector('svg.canvas g.wire[data-from="KafkaSource/kafkasource"][data-to="Broker/broker"]');
    if (!w) return null;
    const p = w.querySelector("path.wire-line");
    const m = p.getScreenCTM();
    const at = (q) => ({ x: m.a * q.x + m.c * q.y + m.e, y: m.b * q.x + m.d * q.y + m.f });
    const port = (n, name) => {
      const el = document.querySelector(`svg.canvas [data-node="${n}"] .port[data-port="${name}"]`);
      return el && box(el);
    };
    return {
      port: w.dataset.port,
      start: at(p.getPointAtLength(0)), end: at(p.getPointAtLength(p.getTotalLength())),
      sink: port("KafkaSource/kafkasource", "sink"),
      dead: port("KafkaSource/kafkasource", "deadLetterSink"),
      input: port("Broker/broker", "in"),
    };
  });
  assert.ok(ends, "a wire from the KafkaSource to the broker");
  assert.equal(ends.port, "sink");
  assert.ok(ends.sink && inside(ends.start, ends.sink),
    `the wire starts at ${JSON.stringify(ends.start)}, not in the sink port ${JSON.stringify(ends.sink)}`);
  assert.ok(!ends.dead || !inside(ends.start, ends.dead), "the wire does not start at the dead-letter port");
  assert.ok(ends.input && inside(ends.end, ends.input),
    `the wire ends at ${JSON.stringify(ends.end)}, not in the broker's input ${JSON.stringify(ends.input)}`);

  // The source's own event, sent once: through the Kafka broker and the trigger to the service.
  await tab(page, "Simulate");
  await page.getByLabel("Target").selectOption("KafkaSource/kafkasource");
  assert.equal(await page.getByLabel("type", { exact: true }).inputValue(), "dev.knative.kafka.event");
  await page.getByRole("button", { name: "Send event" }).click();
  await page.getByRole("status").getByText(/KafkaSource\/kafkasource sent the form's event once/).waitFor();
  await node(page, "Service service").getByText("delivered 1").waitFor();
  const hops = page.getByRole("list", { name: "Hops" });
  await hops.getByText(/KafkaSource\/kafkasource → Broker\/broker/).waitFor();
  await hops.getByText(/Broker\/broker → Service\/service via Trigger\/trigger/).waitFor();
  const texts = await hops.getByRole("listitem").allTextContents();
  assert.ok(texts.some((h) => /Service\/service.*delivered/.test(h)), texts.join("\n"));
  assert.ok(!texts.some((h) => /failed|dead-lettered|dropped/.test(h)), texts.join("\n"));
  assert.deepEqual(page.errors, []);
});

test("the palette's project groups: in order, headings clear of their entries, icons in one column", async (t) => {
  const page = await open(t);
  assert.deepEqual((await visibleGroups(page)).slice(-PROJECTS.length), PROJECTS);
  // Scrolled to the projects, as a user looking for them would.
  await page.locator(".palette section.group h3", { hasText: /^Kafka$/ }).scrollIntoViewIfNeeded();
  await page.locator(".palette .entry").last().scrollIntoViewIfNeeded();
  const boxes = await paletteBoxes(page);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      assert.ok(!overlap(boxes[i].box, boxes[j].box), `${boxes[i].what} overlaps ${boxes[j].what}`);
    }
    // Top to bottom in page order: each group's heading above its first entry.
    if (i > 0) assert.ok(boxes[i].box.y0 >= boxes[i - 1].box.y1 - 0.5, `${boxes[i].what} is not below ${boxes[i - 1].what}`);
  }
  for (const p of PROJECTS) assert.ok(boxes.some((b) => b.what === `heading ${p}`), `a heading for ${p}`);
  // Icons in one column: a long name does not squeeze its icon.
  const icons = await page.locator(".palette .entry .icon").evaluateAll((is) =>
    is.filter((i) => i.getClientRects().length > 0).map((i) => { const r = i.getBoundingClientRect(); return [i.closest(".entry").getAttribute("aria-label"), r.left, r.width]; }));
  for (const [k, x, w] of icons) {
    assert.ok(Math.abs(x - icons[0][1]) < 0.5 && Math.abs(w - icons[0][2]) < 0.5, `${k}'s icon at ${x} (${w} wide), the others at ${icons[0][1]} (${icons[0][2]})`);
  }
  // The Kafka group's entries are those three kinds, and dragging one still works from there.
  const kafka = await page.locator(".palette section.group", { has: page.locator("h3", { hasText: /^Kafka$/ }) })
    .locator(".entry").evaluateAll((es) => es.map((e) => e.getAttribute("aria-label")));
  assert.deepEqual(kafka, KAFKA);
  await dropKind(page, "KafkaSink", 300, 200);
  await node(page, "KafkaSink kafkasink").waitFor();
  assert.ok(await canvas(page).isVisible());
  assert.deepEqual(page.errors, []);
});

// The longest names (RabbitmqBrokerConfig, NatsJetStreamChannel) are wider than the palette's
// 180 px: they break between their words instead of running past its edge.
test("every kind's name fits in the palette", async (t) => {
  const page = await open(t);
  const clipped = await page.locator(".palette .entry .label").evaluateAll((ls) =>
    ls.filter((l) => l.scrollWidth > l.clientWidth + 1 || l.getBoundingClientRect().right > l.closest(".palette").getBoundingClientRect().right)
      .map((l) => l.textContent));
  assert.deepEqual(clipped, [], "palette labels cut off");
});

// Every icon is one Debian's fonts (what `cargo xtask test` installs) have a glyph for: ⧉, ⧈, 🐇,
// ⑂ and ⚿ were drawn as the missing-glyph box.
test("every palette icon is drawn by an installed font, not as a missing-glyph box", async (t) => {
  const page = await open(t);
  const tofu = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = c.height = 40;
    const g = c.getContext("2d", { willReadFrequently: true });
    g.font = getComputedStyle(document.querySelector(".palette .icon")).font;
    const pic = (s) => { g.clearRect(0, 0, 40, 40); g.fillText(s, 10, 28); return g.getImageData(0, 0, 40, 40).data.join(); };
    // Code points no font has: what a missing glyph looks like in this browser.
    const missing = new Set([pic("\u{10FFFD}"), pic("\u0378")]);
    return [...document.querySelectorAll(".palette .entry")]
      .map((e) => [e.getAttribute("aria-label"), e.querySelector(".icon").textContent])
      .filter(([, s]) => missing.has(pic(s)))
      .map(([k, s]) => `${k} ${s}`);
  });
  assert.deepEqual(tofu, [], "icons drawn as missing glyphs");
});
