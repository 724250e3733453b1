/* Front-office intake: nothing typed is lost, failed uploads can be retried (CSP: no inline scripts). */
(function () {
  "use strict";
  var PREFIX = "hromada:";

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "version" && el.type !== "file" &&
        el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
  }
  function snapshot(form) {
    var data = { ts: Date.now(), values: {} };
    fields(form).forEach(function (el) { data.values[el.name] = el.value; });
    return data;
  }
  function store(key, value) {
    try { window.localStorage.setItem(PREFIX + key, JSON.stringify(value)); } catch (e) { /* storage full/blocked */ }
  }
  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(PREFIX + key) || "null"); } catch (e) { return null; }
  }

  // 1. A copy of the form in this browser, restored on reload when it is newer than the server's draft.
  // Runs after DOMContentLoaded so htmx already listens and the restored values get autosaved.
  function restoreDrafts() { document.querySelectorAll("form[data-local-draft]").forEach(function (form) {
    var key = form.getAttribute("data-local-draft");
    var saved = load(key);
    var serverTs = Date.parse(form.getAttribute("data-saved-at") || "") || 0;
    if (saved && saved.values && saved.ts > serverTs) {
      var changed = null;
      fields(form).forEach(function (el) {
        if (Object.prototype.hasOwnProperty.call(saved.values, el.name) && el.value !== saved.values[el.name]) {
          el.value = saved.values[el.name];
          changed = changed || el;
        }
      });
      if (changed) {
        // Let the autosave send what the server has not seen yet.
        changed.dispatchEvent(new Event("change", { bubbles: true }));
        var status = document.getElementById("autosave-status");
        if (status) { status.textContent = document.documentElement.lang === "en" ? "Unsaved input restored from this computer." : "Відновлено незбережене введення з цього комп’ютера."; }
      }
    }
    form.addEventListener("input", function () { store(key, snapshot(form)); });
    form.addEventListener("change", function () { store(key, snapshot(form)); });
  }); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", restoreDrafts); }
  else { restoreDrafts(); }

  // 2. Once the case is submitted its local copy is no longer needed.
  document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
    try { window.localStorage.removeItem(PREFIX + el.getAttribute("data-clear-draft")); } catch (e) { /* ignore */ }
  });

  // 3. Failed upload (no connection, server error): keep the chosen file and offer "Повторити".
  function retryBox(form) {
    var item = form.closest("li");
    return item ? item.querySelector(".upload-retry") : null;
  }
  function uploadFailed(evt) {
    var form = evt.detail && evt.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-upload]")) { return; }
    var box = retryBox(form);
    if (box) { box.hidden = false; }
  }
  document.body.addEventListener("htmx:sendError", uploadFailed);
  document.body.addEventListener("htmx:responseError", uploadFailed);
  document.body.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-retry]");
    if (!btn) { return; }
    var item = btn.closest("li");
    var form = item && item.querySelector("form[data-upload]");
    var box = item && item.querySelector(".upload-retry");
    if (box) { box.hidden = true; }
    if (form && window.htmx) { window.htmx.trigger(form, "submit"); }
  });

  // 5. After an upload the checklist item is replaced: the keyboard focus goes back to its upload control (htmx
  // would leave it on <body>, and the next Tab would start again from the top of the page).
  // The swapped-in item is a new element (an outerHTML swap): focus its file input once htmx has settled it.
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    // detail.elt is the swap target (the item); the form that sent the file is the request's element.
    var form = evt.detail && evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (!form || !form.matches || !form.matches("form[data-upload]")) { return; }
    var input = form.querySelector("input[type=file]");
    var id = input ? input.id : null;
    if (!id) { return; }
    // Only when the swap dropped the focus to <body>: a user who has already tabbed on keeps her place.
    window.setTimeout(function () {
      var el = document.getElementById(id);
      var active = document.activeElement;
      if (el && (!active || active === document.body)) { el.focus(); }
    }, 60);
  });

  // 4. The submit form is sent once (the one-time token makes a resend harmless anyway).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
