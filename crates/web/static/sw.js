// Tend's service worker: makes Tend installable, keeps its static assets for quick starts,
// shows a friendly page when the network is gone, and opens the right page when a
// notification is tapped.
//
// Served at /sw.js by crates/web/src/pwa.rs, which puts `CACHE` (a name that changes with
// every release) and `PRECACHE` (the hashed asset URLs and /offline) above this text.
//
// Private pages never go into any cache: only /static/ assets and the /offline page do.
// Everything else (pages, /api/, /events) goes to the network, or is left to the browser.

/* global CACHE, PRECACHE */

const OFFLINE = '/offline';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload`: past the HTTP cache, so /offline is this release's.
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Hashed assets never change: the cache first, then the network (kept for next time).
async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

// Pages: always the network, never stored. Only when the network fails, the offline page.
async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const offline = await caches.match(OFFLINE, { cacheName: CACHE });
    if (offline) return offline;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(asset(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(request));
  }
  // Anything else (the API, /events, live refreshes of a page) is not touched.
});

// A tapped notification opens its page (`data.url`, Today by default) in a Tend window: one
// already showing it, else one this worker controls (sent there), else a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  let target = new URL('/today', self.location.origin);
  try {
    const wanted = new URL(event.notification.data?.url || '/today', self.location.origin);
    if (wanted.origin === self.location.origin) target = wanted;
  } catch {
    // Not a URL: Today it is.
  }
  event.waitUntil((async () => {
    const all = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const showing = all.find((client) => client.url === target.href);
    if (showing) return showing.focus();
    const [ours] = await self.clients.matchAll({ type: 'window' });
    if (ours) {
      try {
        const moved = await (await ours.focus()).navigate(target.href);
        if (moved) return moved;
      } catch {
        // It would not go there: open a new window instead.
      }
    }
    return self.clients.openWindow(target.href);
  })());
});

// A reminder arrives as Web Push, encrypted for this browser alone: `{title, body, url, tag}`.
// Its words are written to be safe on a lock screen (see content/reminders/messages.toml).
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = {};
  }
  const title = typeof message.title === 'string' && message.title ? message.title : 'Tend';
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof message.body === 'string' ? message.body : '',
    tag: typeof message.tag === 'string' ? message.tag : undefined,
    icon: '/static/icon-192.png',
    badge: '/static/icon-192.png',
    data: { url: typeof message.url === 'string' ? message.url : '/today' },
  }));
});
