/* Offline front-office intake: cases live in IndexedDB until the server accepts them (exactly once per key). */
(function () {
  "use strict";
  var DB_NAME = "hromada-offline", STORE = "cases", SYNC_EVERY_MS = 4000;
  var t = document.getElementById("i18n").dataset;
  var catalog = JSON.parse(document.getElementById("catalog-data").textContent);
  var form = document.getElementById("offline-form");
  var conn = document.getElementById("conn");
  var csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken":\s*"([^"]+)"/);
  csrf = csrf ? csrf[1] : "";
  var syncing = false, sessionLost = false;

  // --- IndexedDB (plain API, no library) -----------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function withStore(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), store = tx.objectStore(STORE), out = fn(store);
        tx.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function allCases() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function putCase(c) { return withStore("readwrite", function (s) { s.put(c); }); }
  function deleteCase(key) { return withStore("readwrite", function (s) { s["delete"](key); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- The form ---------------------------------------------------------------------------------------
  function serviceByCode(code) { return catalog.filter(function (s) { return s.code === code; })[0]; }
  function renderChecklist() {
    var box = document.getElementById("checklist");
    box.textContent = "";
    var service = serviceByCode(form.service.value);
    if (!service) return;
    service.documents.forEach(function (d) {
      var div = document.createElement("div"); div.className = "doc";
      var label = document.createElement("label"); label.setAttribute("for", "doc-" + d.code);
      label.textContent = d.title + " ";
      var small = document.createElement("small");
      small.textContent = d.timing === "before_submit" ? "(" + t.required + ")" :
        d.timing === "may_follow" ? "(" + t.mayFollow + ")" : "(" + t.conditional + ": " + d.condition + ")";
      label.appendChild(small);
      var input = document.createElement("input");
      input.type = "file"; input.multiple = true; input.id = "doc-" + d.code; input.dataset.code = d.code;
      input.dataset.required = d.timing === "before_submit" ? "1" : "";
      input.accept = "application/pdf,image/jpeg,image/png,image/tiff";
      div.appendChild(label); div.appendChild(input); box.appendChild(div);
    });
  }
  form.service.addEventListener("change", renderChecklist);

  function collect() {
    var f = form, missing = [];
    ["last_name", "first_name", "birth_date", "sex", "doc_number", "service"].forEach(function (name) {
      if (!f[name].value.trim()) missing.push(f.querySelector("label[for=" + name + "]").textContent);
    });
    var files = [];
    form.querySelectorAll("#checklist input[type=file]").forEach(function (input) {
      if (input.dataset.required && !input.files.length) {
        missing.push(input.labels[0].firstChild.textContent.trim());
      }
      Array.prototype.forEach.call(input.files, function (file) {
        files.push({ code: input.dataset.code, name: file.name, type: file.type, blob: file });
      });
    });
    if (missing.length) throw new Error(t.missing + " " + missing.join("; "));
    var person = {
      last_name: f.last_name.value, first_name: f.first_name.value, patronymic: f.patronymic.value,
      birth_date: f.birth_date.value, sex: f.sex.value, rnokpp: f.rnokpp.value.trim() || null,
      id_document: { type: f.doc_type.value, number: f.doc_number.value },
      phone: f.phone.value, is_idp: f.is_idp.checked,
      address: { settlement_code: f.settlement.value || null, street: f.street.value, house: f.house.value, flat: f.flat.value }
    };
    return {
      key: newKey(), created: Date.now(), status: "pending", files: files,
      applicant: [person.last_name, person.first_name, person.patronymic].join(" ").trim(),
      serviceName: form.service.options[form.service.selectedIndex].text,
      payload: { person: person, service_code: f.service.value, channel: "in_person" }
    };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var err = document.getElementById("form-error");
    var record;
    try { record = collect(); } catch (ex) { err.textContent = ex.message; err.hidden = false; return; }
    err.hidden = true;
    putCase(record).then(function () {
      form.reset(); renderChecklist(); render();
      window.Hromada && window.Hromada.showStatus(t.saved, "");
      sync();
    });
  });

  // --- The list of cases ----------------------------------------------------------------------------
  function button(text, onClick, cls) {
    var b = document.createElement("button"); b.type = "button"; b.textContent = text;
    if (cls) b.className = cls; b.addEventListener("click", onClick); return b;
  }
  function render() {
    return allCases().then(function (cases) {
      var body = document.querySelector("#pending tbody");
      body.textContent = "";
      if (!cases.length) {
        var tr0 = document.createElement("tr"); tr0.className = "empty";
        var td0 = document.createElement("td"); td0.colSpan = 5; td0.textContent = t.none; tr0.appendChild(td0);
        body.appendChild(tr0); return;
      }
      cases.sort(function (a, b) { return b.created - a.created; }).forEach(function (c) {
        var tr = document.createElement("tr"); tr.dataset.key = c.key; tr.className = "case case-" + c.status;
        [c.applicant, c.serviceName, String(c.fileCount || c.files.length)].forEach(function (v, i) {
          var td = document.createElement("td"); td.textContent = v; if (i === 2) td.className = "num"; tr.appendChild(td);
        });
        var state = document.createElement("td"), badge = document.createElement("span");
        badge.className = "badge state " + ({ sent: "ok", pending: "warn", conflict: "bad", error: "bad" }[c.status] || "");
        badge.textContent = { pending: t.pending, sent: t.sent, conflict: t.conflict, error: t.error }[c.status] || c.status;
        state.appendChild(badge);
        if (c.status === "sent" && c.result) {
          var num = document.createElement("strong"); num.className = "number"; num.textContent = " " + t.number + " " + c.result.number;
          state.appendChild(num);
        }
        if (c.status === "error" && c.error) {
          var msg = document.createElement("div"); msg.className = "error"; msg.textContent = c.error; state.appendChild(msg);
        }
        if (c.status === "conflict" && c.conflict) {
          var box = document.createElement("div"); box.className = "conflict-box";
          box.appendChild(document.createTextNode(c.conflict.message));
          (c.conflict.details && c.conflict.details.candidates || []).forEach(function (cand) {
            var p = document.createElement("div");
            p.textContent = t.registry + ": " + [cand.name, cand.birth_date, cand.rnokpp, cand.hromada].filter(Boolean).join(", ")
              + " · " + t.typed + ": " + [c.applicant, c.payload.person.birth_date].join(", ");
            box.appendChild(p);
            box.appendChild(button(t.useExisting, function () {
              c.useExisting = cand.id; c.status = "pending"; putCase(c).then(render).then(sync);
            }, "primary use-existing"));
          });
          if (c.conflict.details && c.conflict.details.reason === "possible_duplicate") {
            box.appendChild(button(t.otherPerson, function () {
              c.confirmOther = true; c.status = "pending"; putCase(c).then(render).then(sync);
            }, "other-person"));
          }
          state.appendChild(box);
        }
        tr.appendChild(state);
        var actions = document.createElement("td");
        if (c.status === "error") actions.appendChild(button(t.retry, function () { c.status = "pending"; putCase(c).then(render).then(sync); }));
        if (c.status !== "sent") actions.appendChild(button(t["delete"], function () {
          if (window.confirm(t.confirmDelete)) deleteCase(c.key).then(render);
        }, "danger"));
        tr.appendChild(actions);
        body.appendChild(tr);
      });
    });
  }

  // --- Sending ----------------------------------------------------------------------------------------
  function setConn(online) {
    if (sessionLost) { conn.textContent = conn.dataset.relogin; conn.className = "conn off"; return; }
    conn.textContent = online ? conn.dataset.online : conn.dataset.offline;
    conn.className = online ? "conn" : "conn off";
  }
  function send(c) {
    var data = new FormData();
    data.append("client_key", c.key);
    data.append("payload", JSON.stringify(c.payload));
    if (c.useExisting) data.append("use_existing_person_id", String(c.useExisting));
    if (c.confirmOther) data.append("confirm_not_duplicate", "1");
    c.files.forEach(function (f) { data.append("file:" + f.code, f.blob, f.name); });
    return fetch("/api/v1/offline/intake", {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.status === 200) {
          c.status = "sent"; c.result = body; c.fileCount = c.files.length; c.files = []; // scans are on the server now
        } else if (res.status === 409) {
          c.status = "conflict"; c.conflict = body;
        } else if (res.status === 401 || res.status === 403) {
          sessionLost = true; throw new Error("session");
        } else if (res.status >= 500) {
          throw new Error("server");
        } else {
          c.status = "error"; c.error = body.message || ("HTTP " + res.status);
        }
        return putCase(c);
      });
    });
  }
  function sync() {
    if (syncing) return Promise.resolve();
    syncing = true;
    return fetch("/healthz?ts=" + Date.now(), { cache: "no-store", credentials: "same-origin" })
      .then(function (res) { if (!res.ok) throw new Error("down"); setConn(true); return allCases(); })
      .then(function (cases) {
        var pending = cases.filter(function (c) { return c.status === "pending"; });
        return pending.reduce(function (p, c) { return p.then(function () { return send(c); }); }, Promise.resolve());
      })
      .catch(function () { setConn(false); })
      .then(function () { syncing = false; return render(); });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/front/offline/sw.js", { scope: "/front/" }).catch(function () {});
  }
  window.addEventListener("online", sync);
  render().then(sync);
  setInterval(sync, SYNC_EVERY_MS);
})();
