/* Service worker for the front office: keeps the offline intake page and its assets, so the specialist can go on
   working when the server or the internet is gone. Scope: /front/. */
var CACHE = "hromada-offline-v1";
var PAGE = "/front/offline/";

function assetsOf(html) {
  var urls = [], re = /(?:href|src)="(\/static\/[^"]+)"/g, m;
  while ((m = re.exec(html))) urls.push(m[1]);
  return urls;
}

function refreshShell() {
  return fetch(PAGE, { credentials: "same-origin" }).then(function (res) {
    if (!res.ok || res.redirected) return null;
    return res.clone().text().then(function (html) {
      return caches.open(CACHE).then(function (cache) {
        return cache.put(PAGE, res).then(function () { return cache.addAll(assetsOf(html)); });
      });
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(refreshShell().catch(function () {}).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches["delete"](k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && url.pathname.indexOf("/front/") === 0) {
    // Network first; with no network, the cached intake page (the work goes on).
    event.respondWith(fetch(req).then(function (res) {
      if (url.pathname === PAGE && res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(CACHE).then(function (cache) { cache.put(PAGE, copy); });
      }
      return res;
    }).catch(function () { return caches.match(PAGE); }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return res;
      });
    }));
  }
});
