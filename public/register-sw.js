// Registers Sightline's service worker (scope "/"). Kept in a file so the CSP needs no inline script.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function (err) {
      console.warn("service worker registration failed", err);
    });
  });
}
