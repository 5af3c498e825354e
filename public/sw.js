// ISC Playground's service worker: after the first visit the playground
// works with no network. It precaches the app (the files index.html names,
// the engine worker), the examples, bundled sessions and lessons. What loads
// on first use (Monaco, solc) is cached then: the page tells the worker
// which files it has used ({kind: 'keep', urls}), because on a first visit
// they may load before this worker controls the page.
//
// Hashed build files never change, so they are served from the cache
// first. Everything else (index.html, the worker's fixed names, data files)
// is fetched from the network first, so a new build takes effect at once,
// and falls back to the cache when offline.
const CACHE = 'isc-playground-v1';
const FIXED = [
  './',
  'index.html',
  'isc-worker_loader.js',
  'isc-worker.js',
  'isc-worker_bg.wasm',
  'solc-worker.js',
  'asc-worker.js',
  'asc-compile.mjs',
  'manifest.webmanifest',
  'favicon.svg',
  'examples/index.json',
  'sessions/index.json',
  'lessons/index.json',
];
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css|svg)$/;

async function listed(cache, index, key) {
  try {
    const response = await fetch(index, { cache: 'no-cache' });
    const entries = await response.json();
    return entries.map((entry) => (typeof entry === 'string' ? entry : entry[key]));
  } catch {
    return [];
  }
}

async function precache() {
  const cache = await caches.open(CACHE);
  const page = await (await fetch('./', { cache: 'no-cache' })).text();
  const assets = [...page.matchAll(/(?:href|src)="\/?([^"#?]+)"/g), ...page.matchAll(/from '\/?([^']+)'/g), ...page.matchAll(/init\('\/?([^']+)'/g)]
    .map((m) => m[1])
    .filter((url) => !url.startsWith('http'));
  const data = [
    ...(await listed(cache, 'examples/index.json')),
    ...(await listed(cache, 'sessions/index.json', 'file')),
    ...(await listed(cache, 'lessons/index.json', 'file')),
  ];
  await cache.addAll([...new Set([...FIXED, ...assets, ...data])]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    if (request.mode === 'navigate') {
      const page = await cache.match('./');
      if (page) return page;
    }
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(HASHED.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
});

// Files the page used before this worker controlled it, or in a worker it
// does not see: cache each one not cached yet.
async function keep(urls) {
  const cache = await caches.open(CACHE);
  for (const url of urls) {
    const target = new URL(url, self.location.href);
    if (target.origin !== self.location.origin || (await cache.match(target.href))) continue;
    try {
      const response = await fetch(target.href);
      if (response.ok) await cache.put(target.href, response);
    } catch {
      // Offline now: it is cached the next time it loads.
    }
  }
}

self.addEventListener('message', (event) => {
  const { data } = event;
  if (data && data.kind === 'keep' && Array.isArray(data.urls)) {
    event.waitUntil(keep(data.urls.filter((url) => typeof url === 'string').slice(0, 500)));
  }
});
