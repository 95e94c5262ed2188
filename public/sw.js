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
