/* Offline front-office intake: cases live in IndexedDB until the server accepts them (exactly once per key).
   The store is the signed-in user's at this desk (front office): another user on the same computer opens another
   store, every case records its author and desk, and is sent only by them (the server checks it too). Sent cases
   stay listed for the retention period, then are deleted; at logout desk.js deletes them at once. */
(function () {
  "use strict";
  var desk = document.getElementById("desk").dataset;
  var DB_NAME = desk.db, STORE = "cases", SYNC_EVERY_MS = 4000;
  var RETENTION_MS = parseFloat(desk.retentionHours || "72") * 3600 * 1000;
  var t = document.getElementById("i18n").dataset;
  var catalog = JSON.parse(document.getElementById("catalog-data").textContent);
  var form = document.getElementById("offline-form");
  var conn = document.getElementById("conn");
  var csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken":\s*"([^"]+)"/);
  csrf = csrf ? csrf[1] : "";
  var syncing = false, sessionLost = false;
  var editing = null;  // the failed case reopened in the form to be corrected (kept key, kept scans)

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
  function ownCase(c) { return String(c.author) === desk.user && String(c.desk) === desk.desk; }
  function allCases() {
    return withStore("readonly", function (s) { return s.getAll(); }).then(function (cases) {
      return cases.filter(ownCase);
    });
  }
  function pruneSent() {
    // A sent case is on the server: the browser keeps its number for a while, never the resident's data for long.
    var cutoff = Date.now() - RETENTION_MS;
    return withStore("readwrite", function (s) {
      s.getAll().onsuccess = function (e) {
        e.target.result.forEach(function (c) {
          if (c.status === "sent" && (c.sentAt || 0) < cutoff) s["delete"](c.key);
        });
      };
    });
  }
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

  function validRnokpp(n) {
    if (!/^[0-9]{10}$/.test(n)) return false;
    var weights = [-1, 5, 7, 9, 4, 6, 10, 5, 7], sum = 0;
    for (var i = 0; i < 9; i++) sum += weights[i] * Number(n[i]);
    return ((sum % 11) + 11) % 11 % 10 === Number(n[9]);
  }

  // --- Family members: rows of the form, each a person with the relation to the applicant ---------------
  var membersBox = document.getElementById("members");
  function addMember(data) {
    var row = document.getElementById("member-row").content.firstElementChild.cloneNode(true);
    data = data || {};
    var person = data.person || {}, doc = person.id_document || {};
    var values = { relation: data.relation, last_name: person.last_name, first_name: person.first_name,
      patronymic: person.patronymic, birth_date: person.birth_date, sex: person.sex, rnokpp: person.rnokpp,
      no_rnokpp_reason: person.no_rnokpp_reason, doc_type: doc.type, doc_number: doc.number };
    row.querySelectorAll("[data-field]").forEach(function (el) {
      var v = values[el.dataset.field];
      if (v !== undefined && v !== null && v !== "") el.value = v;
    });
    row.querySelector(".remove-member").addEventListener("click", function () { row.remove(); });
    membersBox.appendChild(row);
    return row;
  }
  document.getElementById("add-member").addEventListener("click", function () {
    addMember().querySelector("[data-field=relation]").focus();
  });
  function collectMembers() {
    var out = [];
    membersBox.querySelectorAll(".member").forEach(function (row, i) {
      var v = {};
      row.querySelectorAll("[data-field]").forEach(function (el) { v[el.dataset.field] = el.value.trim(); });
      var name = [v.last_name, v.first_name].filter(Boolean).join(" ");
      var who = t.member + (i + 1) + (name ? " (" + name + ")" : "") + ": ";
      if (!v.relation || !v.last_name || !v.first_name || !v.birth_date || !v.sex || !v.doc_number) {
        throw new Error(who + t.memberMissing);
      }
      var rnokpp = v.rnokpp.replace(/\s/g, "");
      if (rnokpp && !validRnokpp(rnokpp)) throw new Error(who + t.badRnokpp);
      if (!rnokpp && !v.no_rnokpp_reason && v.doc_type !== "birth_certificate") throw new Error(who + t.noRnokpp);
      out.push({ relation: v.relation, person: {
        last_name: v.last_name, first_name: v.first_name, patronymic: v.patronymic, birth_date: v.birth_date,
        sex: v.sex, rnokpp: rnokpp || null, no_rnokpp_reason: rnokpp ? "" : v.no_rnokpp_reason,
        id_document: { type: v.doc_type, number: v.doc_number } } });
    });
    return out;
  }

  function collect() {
    var f = form, missing = [];
    ["last_name", "first_name", "birth_date", "sex", "doc_number", "service"].forEach(function (name) {
      if (!f[name].value.trim()) missing.push(f.querySelector("label[for=" + name + "]").textContent);
    });
    var files = [];
    form.querySelectorAll("#checklist input[type=file]").forEach(function (input) {
      var kept = editing && editing.files.some(function (k) { return k.code === input.dataset.code; });
      if (input.dataset.required && !input.files.length && !kept) {
        missing.push(input.labels[0].firstChild.textContent.trim());
      }
      Array.prototype.forEach.call(input.files, function (file) {
        files.push({ code: input.dataset.code, name: file.name, type: file.type, blob: file });
      });
    });
    if (missing.length) throw new Error(t.missing + " " + missing.join("; "));
    // РНОКПП as the server checks it (stdnum.ua.rntrc): 10 digits, the last one a check digit; without a number,
    // a recorded reason — except a child identified by the birth certificate (a newborn has no number yet).
    var rnokpp = f.rnokpp.value.replace(/\s/g, "");
    if (rnokpp && !validRnokpp(rnokpp)) throw new Error(t.badRnokpp);
    if (!rnokpp && !f.no_rnokpp_reason.value.trim() && f.doc_type.value !== "birth_certificate") {
      throw new Error(t.noRnokpp);
    }
    var members = collectMembers();
    var person = {
      last_name: f.last_name.value, first_name: f.first_name.value, patronymic: f.patronymic.value,
      birth_date: f.birth_date.value, sex: f.sex.value, rnokpp: rnokpp || null,
      no_rnokpp_reason: rnokpp ? "" : f.no_rnokpp_reason.value.trim(),
      id_document: { type: f.doc_type.value, number: f.doc_number.value },
      phone: f.phone.value, is_idp: f.is_idp.checked,
      address: { settlement_code: f.settlement.value || null, street: f.street.value, house: f.house.value, flat: f.flat.value }
    };
    if (editing) {
      // A new scan of a checklist item replaces the kept ones of that item; the others stay with the case.
      var replaced = files.map(function (x) { return x.code; });
      files = editing.files.filter(function (k) { return replaced.indexOf(k.code) < 0; }).concat(files);
    }
    return {
      key: editing ? editing.key : newKey(), created: editing ? editing.created : Date.now(), status: "pending",
      files: files, author: desk.user, desk: desk.desk,
      applicant: [person.last_name, person.first_name, person.patronymic].join(" ").trim(),
      serviceName: form.service.options[form.service.selectedIndex].text,
      payload: { person: person, members: members, service_code: f.service.value, channel: "in_person" }
    };
  }

  // --- Correcting a case the server refused (validation error): back into the form with its data ------------
  var title = document.getElementById("form-title"), editNote = document.getElementById("edit-note");
  function resetForm() {
    editing = null; form.reset(); membersBox.textContent = ""; renderChecklist();
    title.textContent = title.dataset["new"]; editNote.hidden = true;
  }
  function editCase(c) {
    resetForm();
    editing = c;
    var p = c.payload.person || {}, f = form, doc = p.id_document || {}, addr = p.address || {};
    ["last_name", "first_name", "patronymic", "birth_date", "sex", "phone"].forEach(function (k) { f[k].value = p[k] || ""; });
    f.rnokpp.value = p.rnokpp || ""; f.no_rnokpp_reason.value = p.no_rnokpp_reason || "";
    f.doc_type.value = doc.type || "id_card"; f.doc_number.value = doc.number || "";
    f.settlement.value = addr.settlement_code || ""; f.street.value = addr.street || "";
    f.house.value = addr.house || ""; f.flat.value = addr.flat || ""; f.is_idp.checked = !!p.is_idp;
    (c.payload.members || []).forEach(addMember);
    f.service.value = c.payload.service_code || ""; renderChecklist();
    title.textContent = title.dataset.edit;
    document.getElementById("edit-error").textContent = c.error || "";
    document.getElementById("edit-files").textContent = c.files.length ? t.keptFiles + " " +
      c.files.map(function (x) { return x.name; }).join(", ") : "";
    editNote.hidden = false;
    render();
    f.last_name.focus();
    form.scrollIntoView({ block: "start" });
  }
  document.getElementById("edit-cancel").addEventListener("click", function () { resetForm(); render(); });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var err = document.getElementById("form-error");
    var record;
    try { record = collect(); } catch (ex) { err.textContent = ex.message; err.hidden = false; return; }
    err.hidden = true;
    var corrected = !!editing;
    putCase(record).then(function () {
      resetForm(); render();
      window.Hromada && window.Hromada.showStatus(corrected ? t.editSaved : t.saved, "");
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
        if (editing && editing.key === c.key) tr.className += " editing";
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
        if (c.status === "sent" && c.result && c.result.id) {
          // The same receipt the online intake prints (the front office's PDF of the registered case).
          var a = document.createElement("a"); a.className = "button receipt"; a.target = "_blank";
          a.href = "/front/" + encodeURIComponent(c.result.id) + "/receipt.pdf"; a.textContent = t.receipt;
          actions.appendChild(a);
        }
        if (c.status === "error") actions.appendChild(button(t.edit, function () { editCase(c); }, "primary edit-case"));
        if (c.status === "error") actions.appendChild(button(t.retry, function () { c.status = "pending"; putCase(c).then(render).then(sync); }));
        if (c.status !== "sent") actions.appendChild(button(t["delete"], function () {
          if (!window.confirm(t.confirmDelete)) return;
          if (editing && editing.key === c.key) resetForm();
          deleteCase(c.key).then(render);
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
    data.append("author_id", String(c.author));
    data.append("desk_id", String(c.desk));
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
          c.sentAt = Date.now(); c.payload = { person: { birth_date: c.payload.person.birth_date } };
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
        var pending = cases.filter(function (c) { return c.status === "pending" && ownCase(c); });
        return pending.reduce(function (p, c) { return p.then(function () { return send(c); }); }, Promise.resolve());
      })
      .catch(function () { setConn(false); })
      .then(function () { syncing = false; return render(); });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/front/offline/sw.js", { scope: "/front/" }).catch(function () {});
  }
  window.addEventListener("online", sync);
  pruneSent().then(render).then(sync);
  setInterval(sync, SYNC_EVERY_MS);
})();
