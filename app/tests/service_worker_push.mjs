// Runs public/sw.js in a Node VM with a stand-in `self` (listeners, registration, clients) and
// checks its push and notificationclick handlers. Driven by app/tests/service_worker.rs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const ORIGIN = "https://sightline.example";
const source = readFileSync(new URL("../../public/sw.js", import.meta.url), "utf8");

function worker({ windows = [] } = {}) {
  const listeners = {};
  const shown = [];
  const opened = [];
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type, fn) => { listeners[type] = fn; },
    registration: { showNotification: async (title, options) => { shown.push({ title, options }); } },
    clients: {
      matchAll: async () => windows,
      openWindow: async (url) => { opened.push(url); },
      claim: async () => {},
    },
  };
  vm.runInNewContext(source, { self, URL, console, caches: {}, fetch: async () => {} });
  async function dispatch(type, event) {
    let pending = Promise.resolve();
    listeners[type]({ ...event, waitUntil: (p) => { pending = p; } });
    await pending;
  }
  return { dispatch, shown, opened };
}

function push(payload) {
  return { data: { json: () => (typeof payload === "string" ? JSON.parse(payload) : payload) } };
}

function windowClient(url, { navigable = true } = {}) {
  const client = {
    url,
    focused: false,
    navigated: null,
    focus: async () => { client.focused = true; return client; },
    navigate: async (to) => {
      if (!navigable) throw new TypeError("not controlled");
      client.navigated = to;
      return client;
    },
  };
  return client;
}

const tests = {
  "a push shows its title and body as text, linked to a page on our origin": async () => {
    const w = worker();
    await w.dispatch("push", push({ title: "<b>Incident</b>", body: "alice <i>x</i>", url: "/alerts/42", tag: "incident:42:opened" }));
    assert.equal(w.shown.length, 1);
    assert.equal(w.shown[0].title, "<b>Incident</b>");
    assert.equal(w.shown[0].options.body, "alice <i>x</i>");
    assert.equal(w.shown[0].options.tag, "incident:42:opened");
    assert.equal(w.shown[0].options.data.url, "/alerts/42");
  },
  "links to other origins become the dashboard": async () => {
    for (const url of ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)", 42]) {
      const w = worker();
      await w.dispatch("push", push({ title: "t", url }));
      assert.equal(w.shown[0].options.data.url, "/", String(url));
    }
  },
  "an unreadable payload still shows a notification": async () => {
    const w = worker();
    await w.dispatch("push", { data: { json: () => { throw new SyntaxError("bad"); } } });
    await w.dispatch("push", { data: null });
    assert.deepEqual(w.shown.map((s) => s.title), ["Sightline", "Sightline"]);
    assert.equal(w.shown[0].options.tag, undefined);
  },
  "a click focuses an open Sightline window and shows the incident": async () => {
    const other = windowClient("https://elsewhere.example/");
    const mine = windowClient(`${ORIGIN}/`);
    const w = worker({ windows: [other, mine] });
    let closed = false;
    await w.dispatch("notificationclick", { notification: { data: { url: "/alerts/42" }, close: () => { closed = true; } } });
    assert.ok(closed);
    assert.ok(mine.focused && !other.focused);
    assert.equal(mine.navigated, `${ORIGIN}/alerts/42`);
    assert.deepEqual(w.opened, []);
  },
  "a click with no window open (or an uncontrolled one) opens the page": async () => {
    const w = worker();
    await w.dispatch("notificationclick", { notification: { data: { url: "/alerts/7" }, close() {} } });
    assert.deepEqual(w.opened, [`${ORIGIN}/alerts/7`]);
    const stuck = worker({ windows: [windowClient(`${ORIGIN}/`, { navigable: false })] });
    await stuck.dispatch("notificationclick", { notification: { data: { url: "/alerts/8" }, close() {} } });
    assert.deepEqual(stuck.opened, [`${ORIGIN}/alerts/8`]);
  },
  "a click never leaves our origin": async () => {
    const w = worker();
    await w.dispatch("notificationclick", { notification: { data: { url: "https://evil.example/" }, close() {} } });
    await w.dispatch("notificationclick", { notification: { data: null, close() {} } });
    assert.deepEqual(w.opened, [`${ORIGIN}/`, `${ORIGIN}/`]);
  },
};

let passed = 0;
let failed = 0;
for (const [name, run] of Object.entries(tests)) {
  try {
    await run();
    passed += 1;
  } catch (e) {
    failed += 1;
    console.error(`FAIL ${name}\n${e.stack}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
