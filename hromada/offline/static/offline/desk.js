/* Signing out of a front-office desk: the browser keeps nothing another user could see or send. The offline
   intake's cases live in a store of their own per user and desk (offline.js); here, before the logout is posted,
   the cases already on the server are deleted and the cached offline page (which carries the user's identity)
   is dropped. Cases not yet sent stay sealed in the user's own store: only this user, signed in again at this
   desk, opens it, and the server refuses them from anyone else. */
(function () {
  "use strict";
  var CACHE = "hromada-offline-v1";
  function deleteSent(dbName) {
    return new Promise(function (resolve) {
      var req = indexedDB.open(dbName, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("cases", { keyPath: "key" }); };
      req.onerror = function () { resolve(); };
      req.onsuccess = function () {
        var db = req.result, tx = db.transaction("cases", "readwrite"), store = tx.objectStore("cases");
        store.getAll().onsuccess = function (e) {
          e.target.result.forEach(function (c) { if (c.status === "sent") store["delete"](c.key); });
        };
        tx.oncomplete = tx.onerror = tx.onabort = function () { db.close(); resolve(); };
      };
    });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("logout") || form.dataset.cleared) return;
    e.preventDefault();
    var work = [];
    if (window.caches) work.push(caches["delete"](CACHE).catch(function () {}));
    if (window.indexedDB && form.dataset.offlineDb) work.push(deleteSent(form.dataset.offlineDb));
    var done = false;
    function submit() { if (done) return; done = true; form.dataset.cleared = "1"; form.submit(); }
    Promise.all(work).then(submit, submit);
    setTimeout(submit, 1500);  // signing out never waits on the browser's storage
  }, true);
})();
