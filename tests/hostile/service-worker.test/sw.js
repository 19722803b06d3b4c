// Answers every request of the pages it controls itself, trackers included: nothing reaches the
// network, and the answers are whatever the worker says.
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', function (event) {
  event.respondWith(new Response('answered by the service worker: ' + event.request.url, {
    status: 200,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  }));
});
