// ISC Playground's script console: runs a user's JavaScript in a worker of
// its own (so Stop can end it), with `provider` — an EIP-1193 provider whose
// every request the page answers from the in-page chain — and the pinned
// `ethers` and `viem` modules, loaded on first use from `vendor/`.
//
// Messages in: {kind: 'run', script}, {kind: 'rpc-reply', id, result | error}.
// Messages out: {kind: 'rpc', id, method, params}, {kind: 'log', level, text},
// {kind: 'done', error?}.

let nextId = 0;
const waiting = new Map();

const provider = {
  request({ method, params = [] }) {
    return new Promise((resolve, reject) => {
      nextId += 1;
      waiting.set(nextId, { resolve, reject });
      postMessage({ kind: 'rpc', id: nextId, method, params: params ?? [] });
    });
  },
  // The chain emits no events: nothing to subscribe to.
  on() {},
  removeListener() {},
};

// Values as people read them: strings as they are, the rest as JSON
// (big integers in decimal).
const show = (value) => {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value instanceof Error) return value.stack || String(value);
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
};

const say = (level) => (...values) =>
  postMessage({ kind: 'log', level, text: values.map(show).join(' ') });
const scriptConsole = {
  log: say('log'),
  info: say('log'),
  debug: say('log'),
  warn: say('warn'),
  error: say('error'),
};

onmessage = async (event) => {
  const message = event.data;
  if (message.kind === 'rpc-reply') {
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) {
      const error = new Error(message.error.message);
      error.code = message.error.code;
      if (message.error.data) error.data = message.error.data;
      pending.reject(error);
    } else {
      pending.resolve(message.result);
    }
    return;
  }
  if (message.kind === 'run') {
    try {
      const [ethers, viem] = await Promise.all([
        import('./vendor/ethers.min.js'),
        import('./vendor/viem.min.js'),
      ]);
      const AsyncFunction = (async () => {}).constructor;
      const body = new AsyncFunction('provider', 'ethers', 'viem', 'console', message.script);
      await body(provider, ethers, viem, scriptConsole);
      postMessage({ kind: 'done' });
    } catch (error) {
      postMessage({ kind: 'done', error: show(error) });
    }
  }
};
