// Sightline's service worker. It caches the application shell (the WASM bundle, its
// JavaScript glue, styles, icons) so the installed app starts fast, and shows an offline page
// when the server cannot be reached. It never caches pages, API answers or the live socket:
// those carry private data and must always come fresh from the server.
const CACHE = "sightline-shell-v1";
const SHELL = [
  "/pkg/sightline.js",
  "/pkg/sightline.wasm",
  "/pkg/sightline.css",
  "/theme-init.js",
  "/register-sw.js",
  "/manifest.webmanifest",
  "/offline.html",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  // Maps work offline: Leaflet and the bundled world outline.
  "/vendor/leaflet/leaflet.js",
  "/vendor/leaflet/leaflet.css",
  "/vendor/echarts/echarts.min.js",
  "/vendor/world-110m.geojson",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShellAsset(url) {
  return SHELL.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  // Never touch API calls, server functions, auth endpoints or the live socket.
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/auth/") || url.pathname === "/ws") return;

  if (isShellAsset(url)) {
    // Network first so a new build is picked up; the cache answers when offline.
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone();
            caches.open(CACHE).then((c) => c.put(req, copy));
          }
          return res;
        })
        .catch(() => caches.match(req)),
    );
    return;
  }
  if (req.mode === "navigate") {
    // Pages are private and never cached; offline, show the offline page instead.
    event.respondWith(fetch(req).catch(() => caches.match("/offline.html")));
  }
});

// Push notifications (Web Push). The payload is JSON from Sightline, {title, body, url, tag},
// decrypted by the browser. Everything is shown as notification text (never HTML), and a click
// only ever opens a page on Sightline's own origin.
function localPath(raw) {
  try {
    const url = new URL(typeof raw === "string" ? raw : "/", self.location.origin);
    if (url.origin !== self.location.origin) return "/";
    return url.pathname + url.search + url.hash;
  } catch (_) {
    return "/";
  }
}

function text(value, max) {
  return typeof value === "string" ? value.slice(0, max) : "";
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = {};
  }
  const title = text(data.title, 200) || "Sightline";
  const options = {
    body: text(data.body, 1000),
    icon: "/icons/icon-192.png",
    data: { url: localPath(data.url) },
  };
  const tag = text(data.tag, 64);
  if (tag) options.tag = tag;
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const target = new URL(localPath(data.url), self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const mine = windows.find((c) => new URL(c.url).origin === self.location.origin);
      if (mine) {
        const focused = await mine.focus();
        try {
          if (focused.url !== target) await focused.navigate(target);
          return;
        } catch (_) {
          // An uncontrolled window cannot be navigated from here: open the page instead.
        }
      }
      await self.clients.openWindow(target);
    })(),
  );
});
