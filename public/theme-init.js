// Applies the saved theme (or the system preference) before first paint, to avoid a flash.
(function () {
  var theme = null;
  try { theme = localStorage.getItem("sightline-theme"); } catch (e) { /* storage disabled */ }
  if (theme !== "light" && theme !== "dark") {
    theme = window.matchMedia && window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
  }
  document.documentElement.setAttribute("data-theme", theme);
})();
