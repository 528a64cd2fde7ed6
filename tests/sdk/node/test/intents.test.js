'use strict';
// v2 billing intents through stripe-node 18.6.0-alpha.2 (the alpha whose types include
// `stripe.v2.billing.intents`; it pins 2025-08-27.preview, the seed documents' version).

const test = require('node:test');
const assert = require('node:assert/strict');
const {
  useMockServer,
  freshKey,
  previewClient,
  received,
  rejection,
} = require('../support/mock');

useMockServer();

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function subscribe(price, quantity = 1) {
  return {
    type: 'subscribe',
    subscribe: {
      type: 'v1_subscription_details',
      v1_subscription_details: {items: [{price, quantity}]},
    },
  };
}

async function priceOf(stripe, amount, currency = 'usd') {
  return stripe.prices.create({
    currency,
    unit_amount: amount,
    product_data: {name: 'Seat'},
  });
}

async function intentOf(stripe, amount, quantity = 1) {
  const price = await priceOf(stripe, amount);
  return stripe.v2.billing.intents.create({
    currency: 'usd',
    actions: [subscribe(price.id, quantity)],
  });
}

test('an intent goes from draft through reserve, release and commit', async () => {
  const stripe = previewClient(freshKey());
  const price = await priceOf(stripe, 1500);
  const intent = await stripe.v2.billing.intents.create({
    currency: 'usd',
    actions: [subscribe(price.id, 2)],
  });

  assert.match(intent.id, /^bilint_/);
  assert.equal(intent.object, 'v2.billing.intent');
  assert.equal(intent.status, 'draft');
  assert.equal(intent.currency, 'usd');
  assert.equal(intent.livemode, false);
  assert.equal(intent.cadence, null);
  assert.match(intent.created, RFC3339_MS);
  assert.equal(Number(intent.amount_details.subtotal), 3000);
  assert.equal(Number(intent.amount_details.total), 3000);
  assert.equal(intent.status_transitions.drafted_at, intent.created);
  assert.equal(intent.status_transitions.reserved_at, null);
  assert.match(intent.lastResponse.requestId, /^req_/);
  assert.equal(intent.lastResponse.apiVersion, '2025-08-27.preview');

  const fetched = await stripe.v2.billing.intents.retrieve(intent.id);
  assert.deepEqual({...fetched}, {...intent});

  const actions = await stripe.v2.billing.intents.actions.list(intent.id);
  assert.equal(actions.data.length, 1);
  assert.equal(actions.next_page_url, null);
  const action = actions.data[0];
  assert.match(action.id, /^bilinti_/);
  assert.equal(action.object, 'v2.billing.intent_action');
  assert.equal(action.type, 'subscribe');
  assert.equal(action.subscribe.v1_subscription_details.items[0].price, price.id);
  const one = await stripe.v2.billing.intents.actions.retrieve(intent.id, action.id);
  assert.deepEqual({...one}, {...action});

  const reserved = await stripe.v2.billing.intents.reserve(intent.id);
  assert.equal(reserved.status, 'reserved');
  assert.match(reserved.status_transitions.reserved_at, RFC3339_MS);

  const released = await stripe.v2.billing.intents.releaseReservation(intent.id);
  assert.equal(released.status, 'draft');
  assert.equal(released.status_transitions.reserved_at, null);
  assert.equal(released.status_transitions.drafted_at, intent.created);

  await stripe.v2.billing.intents.reserve(intent.id);
  const pi = await stripe.paymentIntents.create({amount: 3000, currency: 'usd'});
  const committed = await stripe.v2.billing.intents.commit(intent.id, {
    payment_intent: pi.id,
  });
  assert.equal(committed.status, 'committed');
  assert.match(committed.status_transitions.committed_at, RFC3339_MS);
  assert.equal((await stripe.v2.billing.intents.retrieve(intent.id)).status, 'committed');
});

test('draft and reserved intents can be canceled', async () => {
  const stripe = previewClient(freshKey());
  const draft = await intentOf(stripe, 1000);
  const canceled = await stripe.v2.billing.intents.cancel(draft.id);
  assert.equal(canceled.status, 'canceled');
  assert.match(canceled.status_transitions.canceled_at, RFC3339_MS);

  const reserved = await intentOf(stripe, 1000);
  await stripe.v2.billing.intents.reserve(reserved.id);
  assert.equal((await stripe.v2.billing.intents.cancel(reserved.id)).status, 'canceled');
});

test('every documented error code surfaces as StripeInvalidRequestError with code and status', async () => {
  const stripe = previewClient(freshKey());
  const intents = stripe.v2.billing.intents;
  const missing = 'bilint_missing';

  const draft = await intentOf(stripe, 1000);
  const reserved = await intentOf(stripe, 1000);
  await intents.reserve(reserved.id);
  const committed = await intentOf(stripe, 1000);
  await intents.reserve(committed.id);
  await intents.commit(committed.id);
  const small = await intentOf(stripe, 49);
  const large = await intentOf(stripe, 50000000, 2);

  const cases = [
    ['retrieve an unknown intent', () => intents.retrieve(missing), 404, 'billing_intent_not_found'],
    ['reserve an unknown intent', () => intents.reserve(missing), 404, 'billing_intent_not_found'],
    ['release an unknown intent', () => intents.releaseReservation(missing), 404, 'billing_intent_not_found'],
    ['commit an unknown intent', () => intents.commit(missing), 404, 'billing_intent_not_found'],
    ['cancel an unknown intent', () => intents.cancel(missing), 404, 'billing_intent_not_found'],
    // A failing v2 list() in this SDK also leaves an unhandled rejection behind (its page
    // iterator awaits the first page eagerly), so the list endpoint is called through rawRequest.
    ['list actions of an unknown intent', () => stripe.rawRequest('GET', `/v2/billing/intents/${missing}/actions`), 404, 'billing_intent_not_found'],
    ['retrieve an action of an unknown intent', () => intents.actions.retrieve(missing, 'bilinti_x'), 404, 'billing_intent_not_found'],
    ['retrieve an unknown action', () => intents.actions.retrieve(draft.id, 'bilinti_missing'), 404, 'billing_intent_action_not_found'],
    ['reserve a reserved intent', () => intents.reserve(reserved.id), 400, 'invalid_status_for_reserve'],
    ['release a draft intent', () => intents.releaseReservation(draft.id), 400, 'invalid_status_for_release'],
    ['commit a draft intent', () => intents.commit(draft.id), 400, 'invalid_status_for_commit'],
    ['cancel a committed intent', () => intents.cancel(committed.id), 400, 'invalid_status_for_cancel'],
    ['reserve below the minimum charge', () => intents.reserve(small.id), 400, 'amount_too_small'],
    ['reserve above the maximum charge', () => intents.reserve(large.id), 400, 'amount_too_large'],
    ['commit with an unknown payment intent', () => intents.commit(reserved.id, {payment_intent: 'pi_missing'}), 404, 'payment_intent_not_found'],
    ['commit with an unknown payment record', () => intents.commit(reserved.id, {payment_record: 'pr_missing'}), 404, 'payment_record_not_found'],
    ['create on an unknown cadence', () => intents.create({currency: 'usd', cadence: 'bc_missing', actions: [subscribe('price_x')]}), 404, 'billing_cadence_not_found'],
    ['create with an unknown price', () => intents.create({currency: 'usd', actions: [subscribe('price_missing')]}), 404, 'price_not_found'],
    ['create without currency', () => intents.create({actions: [subscribe('price_x')]}), 400, 'parameter_missing'],
    ['create with an unknown parameter', () => intents.create({currency: 'usd', actions: [subscribe('price_x')], colour: 'red'}), 400, 'parameter_unknown'],
  ];

  for (const [what, call, status, code] of cases) {
    const err = await rejection(call);
    assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, `${what}: ${err}`);
    assert.equal(err.type, 'StripeInvalidRequestError', what);
    assert.equal(err.rawType, 'invalid_request_error', what);
    assert.equal(err.statusCode, status, what);
    assert.equal(err.code, code, what);
    assert.ok(err.message.length > 0, what);
    assert.match(err.requestId, /^req_/, what);
  }

  // A refused call changed nothing.
  assert.equal((await intents.retrieve(reserved.id)).status, 'reserved');
  assert.equal((await intents.retrieve(small.id)).status, 'draft');
  assert.equal((await intents.retrieve(committed.id)).status, 'committed');
});

test('a malformed key is a StripeAuthenticationError on v2 paths', async () => {
  const stripe = previewClient('sk_test_');
  const err = await rejection(() => stripe.v2.billing.intents.retrieve('bilint_x'));
  assert.ok(err instanceof stripe.errors.StripeAuthenticationError, String(err));
  assert.equal(err.statusCode, 401);
  assert.match(err.requestId, /^req_/);
});

test('the actions of an intent page through next_page_url', async () => {
  const key = freshKey();
  const stripe = previewClient(key);
  const price = await priceOf(stripe, 100);
  const actions = Array.from({length: 25}, (_, i) => subscribe(price.id, i + 1));
  const intent = await stripe.v2.billing.intents.create({currency: 'usd', actions});
  assert.equal(Number(intent.amount_details.total), 100 * ((25 * 26) / 2));

  // 18.6.0-alpha.2's auto-pager cannot turn the pages of a nested v2 list (it calls the next
  // page without the intent id argument and throws before sending anything), so the walk
  // follows next_page_url with the SDK's rawRequest, as its auto-pager would.
  const all = [];
  let page = await stripe.v2.billing.intents.actions.list(intent.id, {limit: 10});
  for (;;) {
    all.push(...page.data);
    if (!page.next_page_url) break;
    assert.match(page.next_page_url, new RegExp(`^/v2/billing/intents/${intent.id}/actions\\?`));
    page = await stripe.rawRequest('GET', page.next_page_url);
  }

  assert.equal(all.length, 25);
  assert.equal(new Set(all.map((a) => a.id)).size, 25);
  assert.ok(all.every((a) => a.object === 'v2.billing.intent_action'));
  const quantities = all.map((a) => a.subscribe.v1_subscription_details.items[0].quantity);
  assert.deepEqual(quantities, Array.from({length: 25}, (_, i) => i + 1), 'request order');
  const gets = await received(key, `/v2/billing/intents/${intent.id}/actions`);
  assert.equal(gets.length, 3);
});
