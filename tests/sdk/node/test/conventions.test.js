'use strict';
// Cross-cutting conventions as stripe-node sees them: idempotent retries, IdempotencyError,
// both error envelopes with their Request-Id, and the SDK's own retries against faults
// injected through the mock's control plane.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {
  useMockServer,
  freshKey,
  previewClient,
  gaClient,
  inject,
  received,
  headerOf,
  rejection,
} = require('../support/mock');

useMockServer();

function intentParams(price, quantity = 1) {
  return {
    currency: 'usd',
    actions: [
      {
        type: 'subscribe',
        subscribe: {
          type: 'v1_subscription_details',
          v1_subscription_details: {items: [{price, quantity}]},
        },
      },
    ],
  };
}

async function priceId(stripe) {
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 2000,
    product_data: {name: 'Conventions product'},
  });
  return price.id;
}

// Intents of the account, from one page (no auto-paging: see intents-pagination.test.js).
async function intentIds(stripe) {
  const page = await stripe.v2.billing.intents.list({limit: 100});
  return page.data.map((i) => i.id);
}

// ----- idempotency -----

test('repeating a create with the same idempotency key returns the same intent', async () => {
  const stripe = previewClient(freshKey());
  const price = await priceId(stripe);
  const idempotencyKey = `node-${crypto.randomUUID()}`;

  const first = await stripe.v2.billing.intents.create(intentParams(price), {idempotencyKey});
  const second = await stripe.v2.billing.intents.create(intentParams(price), {idempotencyKey});

  assert.equal(second.id, first.id);
  assert.deepEqual({...second}, {...first});
  assert.equal(first.lastResponse.headers['idempotent-replayed'], undefined);
  assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
  assert.equal(second.lastResponse.idempotencyKey, idempotencyKey);
  assert.deepEqual(await intentIds(stripe), [first.id], 'the replay created nothing');
});

test('an idempotent replay of a v1 create returns the same object from both SDK builds', async () => {
  const key = freshKey();
  const idempotencyKey = `node-v1-${crypto.randomUUID()}`;
  const a = await gaClient(key).customers.create({email: 'a@example.com'}, {idempotencyKey});
  const b = await previewClient(key).customers.create({email: 'a@example.com'}, {idempotencyKey});
  assert.equal(b.id, a.id);
  assert.equal(b.lastResponse.headers['idempotent-replayed'], 'true');
  const all = await gaClient(key).customers.list();
  assert.deepEqual(
    all.data.map((c) => c.id),
    [a.id],
  );
});

test('reusing a key with other parameters raises StripeIdempotencyError', async () => {
  const stripe = previewClient(freshKey());
  const price = await priceId(stripe);
  const idempotencyKey = `node-${crypto.randomUUID()}`;
  await stripe.v2.billing.intents.create(intentParams(price), {idempotencyKey});

  const v2 = await rejection(() =>
    stripe.v2.billing.intents.create(intentParams(price, 2), {idempotencyKey}),
  );
  assert.ok(v2 instanceof stripe.errors.StripeIdempotencyError, String(v2));
  assert.equal(v2.statusCode, 400);
  assert.equal(v2.rawType, 'idempotency_error');
  assert.match(v2.message, new RegExp(idempotencyKey));
  assert.match(v2.requestId, /^req_/);

  const ga = gaClient(freshKey());
  const v1Key = `node-v1-${crypto.randomUUID()}`;
  await ga.customers.create({email: 'a@example.com'}, {idempotencyKey: v1Key});
  const v1 = await rejection(() =>
    ga.customers.create({email: 'b@example.com'}, {idempotencyKey: v1Key}),
  );
  assert.ok(v1 instanceof ga.errors.StripeIdempotencyError, String(v1));
  assert.equal(v1.statusCode, 400);
  assert.equal((await intentIds(stripe)).length, 1);
});

test('the SDKs send their own idempotency keys on POST', async () => {
  const key = freshKey();
  const preview = previewClient(key);
  const price = await priceId(gaClient(key));
  await preview.v2.billing.intents.create(intentParams(price));

  const posts = (await received(key)).filter((r) => r.method === 'POST');
  assert.deepEqual(
    posts.map((r) => r.path),
    ['/v1/prices', '/v2/billing/intents'],
  );
  const keys = posts.map((r) => headerOf(r, 'idempotency-key'));
  assert.ok(keys.every((k) => /^stripe-node-retry-/.test(k)), keys.join(', '));
  assert.equal(new Set(keys).size, 2);
});

// ----- error envelopes and Request-Id -----

test('a v1 error surfaces with the request id of its response', async () => {
  const key = freshKey();
  for (const stripe of [gaClient(key), previewClient(key)]) {
    const err = await rejection(() => stripe.customers.retrieve('cus_missing'));
    assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, String(err));
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    assert.equal(err.param, 'id');
    assert.equal(err.doc_url, 'https://stripe.com/docs/error-codes/resource-missing');
    const last = (await received(key)).at(-1);
    assert.equal(last.path, '/v1/customers/cus_missing');
    assert.equal(err.requestId, last.request_id);
    assert.equal(err.headers['request-id'], last.request_id);
  }
});

test('a v2 error surfaces with the request id of its response', async () => {
  const key = freshKey();
  const stripe = previewClient(key);
  const err = await rejection(() => stripe.v2.billing.intents.retrieve('bilint_missing'));
  assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, String(err));
  assert.equal(err.statusCode, 404);
  assert.equal(err.code, 'billing_intent_not_found');
  assert.equal(err.rawType, 'invalid_request_error');
  assert.equal(err.doc_url, undefined, 'the v2 envelope has no doc_url');
  const last = (await received(key)).at(-1);
  assert.equal(last.path, '/v2/billing/intents/bilint_missing');
  assert.equal(err.requestId, last.request_id);
});

test('successful responses expose their request id', async () => {
  const key = freshKey();
  const customer = await gaClient(key).customers.create({email: 'x@example.com'});
  const last = (await received(key)).at(-1);
  assert.equal(customer.lastResponse.requestId, last.request_id);
  assert.equal(customer.lastResponse.statusCode, 200);
});

// ----- SDK retries against injected faults -----

test('the SDK retries injected server errors with one idempotency key and then succeeds', async () => {
  const key = freshKey();
  const price = await priceId(gaClient(key));
  await inject(key, {method: 'POST', path: '/v2/billing/intents', status: 500, times: 2});
  const stripe = previewClient(key, {maxNetworkRetries: 2});

  const intent = await stripe.v2.billing.intents.create(intentParams(price));

  assert.equal(intent.status, 'draft');
  const attempts = await received(key, '/v2/billing/intents');
  assert.deepEqual(
    attempts.map((r) => r.status),
    [500, 500, 200],
  );
  assert.equal(new Set(attempts.map((r) => headerOf(r, 'idempotency-key'))).size, 1);
  assert.deepEqual(await intentIds(stripe), [intent.id]);
});

test('the SDK retries conflicts and dropped connections', async () => {
  const key = freshKey();
  const stripe = previewClient(key, {maxNetworkRetries: 2});
  const intent = await stripe.v2.billing.intents.create(intentParams(await priceId(stripe)));
  const path = `/v2/billing/intents/${intent.id}/reserve`;
  await inject(key, {method: 'POST', path, status: 409});
  await inject(key, {method: 'POST', path, close_connection: true});

  const reserved = await stripe.v2.billing.intents.reserve(intent.id);

  assert.equal(reserved.status, 'reserved');
  const statuses = (await received(key, path)).map((r) => r.status);
  assert.equal(statuses.length, 3);
  assert.equal(statuses[0], 409);
  assert.equal(statuses[2], 200);
});

test('v1 calls of the GA SDK retry injected faults too', async () => {
  const key = freshKey();
  await inject(key, {method: 'POST', path: '/v1/customers', status: 503, times: 1});
  const customer = await gaClient(key, {maxNetworkRetries: 1}).customers.create({
    email: 'retry@example.com',
  });
  assert.match(customer.id, /^cus_/);
  const attempts = await received(key, '/v1/customers');
  assert.deepEqual(
    attempts.map((r) => r.status),
    [503, 200],
  );
  assert.equal(new Set(attempts.map((r) => headerOf(r, 'idempotency-key'))).size, 1);
});

test('Stripe-Should-Retry overrides the status rules', async () => {
  const key = freshKey();
  const stripe = previewClient(key, {maxNetworkRetries: 2});
  await inject(key, {
    method: 'GET',
    path: '/v2/billing/intents/bilint_x',
    status: 503,
    should_retry: false,
    error: {type: 'api_error', code: 'service_down', message: 'Not now.'},
  });
  const err = await rejection(() => stripe.v2.billing.intents.retrieve('bilint_x'));
  assert.ok(err instanceof stripe.errors.StripeAPIError, String(err));
  assert.equal(err.statusCode, 503);
  assert.equal(err.code, 'service_down');
  assert.equal((await received(key, '/v2/billing/intents/bilint_x')).length, 1, 'no retry');

  await inject(key, {
    method: 'GET',
    path: '/v1/customers',
    status: 400,
    should_retry: true,
    error: {type: 'invalid_request_error', code: 'lock_timeout', message: 'Busy.'},
  });
  const list = await stripe.customers.list();
  assert.deepEqual(list.data, []);
  assert.deepEqual(
    (await received(key, '/v1/customers')).map((r) => r.status),
    [400, 200],
  );
});

test('without retries an injected fault reaches the caller with its request id', async () => {
  const key = freshKey();
  const stripe = previewClient(key);
  await inject(key, {method: 'GET', path: '/v2/billing/*', status: 500});
  const err = await rejection(() => stripe.v2.billing.intents.retrieve('bilint_x'));
  assert.ok(err instanceof stripe.errors.StripeAPIError, String(err));
  assert.equal(err.statusCode, 500);
  assert.equal(err.requestId, (await received(key)).at(-1).request_id);
  const again = await rejection(() => stripe.v2.billing.intents.retrieve('bilint_x'));
  assert.equal(again.code, 'billing_intent_not_found', 'the fault applied once');
});
