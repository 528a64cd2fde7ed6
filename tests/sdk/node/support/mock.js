'use strict';
// Shared harness for the Node conformance suite.
//
// The server under test is the one named by STRIPE_MOCK_URL (a container, say) or the release
// binary, started once per test file on an ephemeral port; its URL is read from the JSON log
// line it prints on stderr. Every test makes its own API key, which is a fresh, empty account
// on the mock. The SDKs are used as published: only host, port and protocol change.

const {spawn} = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const crypto = require('node:crypto');
const {before, after} = require('node:test');

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const BINARY =
  process.env.STRIPE_MOCK_BIN ||
  path.join(ROOT, 'target', 'release', 'stripe-billing-mock');

let server = null;
let baseUrl = null;

function startBinary() {
  return new Promise((resolve, reject) => {
    const child = spawn(BINARY, ['--port', '0', '--log-format', 'json'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {...process.env, RUST_LOG: 'stripe_billing_mock=info'},
    });
    const lines = readline.createInterface({input: child.stderr});
    let done = false;
    lines.on('line', (line) => {
      if (done) return;
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        return;
      }
      const url = record.url || (record.fields && record.fields.url);
      if (url) {
        done = true;
        resolve({child, url});
      }
    });
    // Keep draining stderr so the server never blocks on a full pipe.
    child.stderr.resume();
    child.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
    child.on('exit', (code) => {
      if (!done) {
        done = true;
        reject(new Error(`the mock server exited (${code}) before it reported its URL`));
      }
    });
  });
}

// Registers the file-level hooks that start and stop the server.
function useMockServer() {
  before(async () => {
    if (process.env.STRIPE_MOCK_URL) {
      baseUrl = process.env.STRIPE_MOCK_URL.replace(/\/+$/, '');
      return;
    }
    const started = await startBinary();
    server = started.child;
    baseUrl = started.url.replace(/\/+$/, '');
  });
  after(() => {
    if (server) {
      server.kill('SIGTERM');
      server = null;
    }
  });
}

function mockUrl() {
  if (!baseUrl) throw new Error('useMockServer() was not called in this file');
  return baseUrl;
}

function freshKey() {
  return `sk_test_${crypto.randomUUID().replace(/-/g, '')}`;
}

// SDK options that point a client at the mock and change nothing else. Retries are off unless
// a test asks for them, so an error reaches the test on the first answer.
function connection(extra = {}) {
  const url = new URL(mockUrl());
  return {
    host: url.hostname,
    port: Number(url.port),
    protocol: url.protocol.replace(':', ''),
    maxNetworkRetries: 0,
    ...extra,
  };
}

// stripe-node with v2 billing intents (18.6.0-alpha.2, pins 2025-08-27.preview).
function previewClient(key, extra) {
  const Stripe = require('stripe-preview');
  return new Stripe(key, connection(extra));
}

// stripe-node 20.2.0-alpha.1 (pins 2025-12-15.preview: actions take `collect_at`, not
// `billing_details`).
function collectAtPreviewClient(key, extra) {
  const Stripe = require('stripe-preview-collect-at');
  return new Stripe(key, connection(extra));
}

// Current GA stripe-node (v1 invoices and lines, create_preview).
function gaClient(key, extra) {
  const Stripe = require('stripe');
  return new Stripe(key, connection(extra));
}

// stripe-node 17.7.0, the last release with listUpcomingLines (pins 2025-02-24.acacia).
function legacyClient(key, extra) {
  const Stripe = require('stripe-legacy');
  return new Stripe(key, connection(extra));
}

// Calls the mock's control plane (`/_mock/...`, no API key) and returns the JSON body.
async function control(method, pathname, {body, query} = {}) {
  const url = new URL(mockUrl() + pathname);
  for (const [k, v] of Object.entries(query || {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : {'content-type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) {
    throw new Error(`control plane ${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  }
  return json;
}

// Registers a fault limited to `key`.
function inject(key, fault) {
  return control('POST', '/_mock/faults', {body: {api_key: key, ...fault}});
}

// The requests `key` sent, oldest first (optionally only under `pathPrefix`).
async function received(key, pathPrefix) {
  const query = {api_key: key};
  if (pathPrefix) query.path_prefix = pathPrefix;
  return (await control('GET', '/_mock/requests', {query})).data;
}

function headerOf(entry, name) {
  const found = entry.headers.find(([k]) => k.toLowerCase() === name);
  return found ? found[1] : undefined;
}

// Runs `fn` and returns the error it rejects with (failing if it resolves).
async function rejection(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

// Collects every item of an auto-paginated list.
async function collect(list) {
  const out = [];
  for await (const item of list) out.push(item);
  return out;
}

module.exports = {
  useMockServer,
  mockUrl,
  freshKey,
  previewClient,
  collectAtPreviewClient,
  gaClient,
  legacyClient,
  control,
  inject,
  received,
  headerOf,
  rejection,
  collect,
};
