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
  window.Hromada = { showStatus: show };
})();
