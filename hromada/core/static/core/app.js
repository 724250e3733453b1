/* Small progressive enhancements shared by all pages (CSP: no inline scripts). */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("[data-autosubmit]")) { el.form.submit(); }
  });
  // Confirmation for destructive buttons: <button data-confirm="...">
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
  });
  // Network status banner: specialists must know when the server is unreachable.
  var banner = document.getElementById("net-status");
  var hideTimer = null;
  function show(msg, cls) {
    if (!banner) return;
    banner.textContent = msg; banner.className = "net-status " + (cls || ""); banner.hidden = !msg;
    // Plain notices fade out; the offline warning stays until the connection is back.
    if (hideTimer) clearTimeout(hideTimer);
    if (msg && cls !== "offline") hideTimer = setTimeout(function () { banner.hidden = true; }, 4000);
  }
  window.addEventListener("offline", function () { show(document.documentElement.lang === "en" ? "No connection to the server. Your input is kept on this computer." : "Немає зв’язку із сервером. Введені дані зберігаються на цьому комп’ютері.", "offline"); });
  window.addEventListener("online", function () { show(""); });
  document.body.addEventListener("htmx:sendError", function () { show(document.documentElement.lang === "en" ? "Server unreachable — will retry." : "Сервер недоступний — спробуємо ще раз.", "offline"); });
  document.body.addEventListener("htmx:afterRequest", function (e) { if (e.detail.successful) show(""); });
  // On a slow PC the specialist starts typing before the scripts have run: those keystrokes reach no listener,
  // and htmx, binding later, takes the typed text for the page's own. An element whose hx-trigger lists
  // "typed-early" gets that event once bound if it (or a field of the form) differs from what the page came with.
  function typedEarly(el) {
    var fields = el.elements ? Array.prototype.slice.call(el.elements) : [el];
    return fields.some(function (f) {
      if (f.type === "checkbox" || f.type === "radio") return f.checked !== f.defaultChecked;
      if (f.options) return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
      return "defaultValue" in f && f.type !== "hidden" && f.value !== f.defaultValue;
    });
  }
  if (window.htmx) {
    window.htmx.onLoad(function (root) {
      if (!root.querySelectorAll) return;
      root.querySelectorAll('[hx-trigger*="typed-early"]').forEach(function (el) {
        if (typedEarly(el)) window.htmx.trigger(el, "typed-early");
      });
    });
  }
  window.Hromada = { showStatus: show };
})();
