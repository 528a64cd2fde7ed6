'use strict';
// v2 billing intents through stripe-node 20.2.0-alpha.1, which pins 2025-12-15.preview: the
// first version whose actions take `collect_at` (and `overrides`) instead of `billing_details`.
// The SDK is used unmodified; only host, port and protocol point it at the mock.

const test = require('node:test');
const assert = require('node:assert/strict');
const {
  useMockServer,
  freshKey,
  collectAtPreviewClient,
  received,
  headerOf,
  rejection,
} = require('../support/mock');

useMockServer();

const VERSION = '2025-12-15.preview';

async function priceOf(stripe, amount) {
  return stripe.prices.create({currency: 'usd', unit_amount: amount, product_data: {name: 'Seat'}});
}

function subscribe(price, collectAt, quantity = 1) {
  return {
    type: 'subscribe',
    subscribe: {
      type: 'v1_subscription_details',
      collect_at: collectAt,
      v1_subscription_details: {items: [{price, quantity}]},
    },
  };
}

test('create, reserve and commit with collect_at', async () => {
  const key = freshKey();
  const stripe = collectAtPreviewClient(key);
  const price = await priceOf(stripe, 1250);
  const intent = await stripe.v2.billing.intents.create({
    currency: 'usd',
    actions: [
      subscribe(price.id, 'next_billing_date', 2),
      {
        type: 'modify',
        modify: {
          type: 'pricing_plan_subscription_details',
          collect_at: 'on_effective_at',
          pricing_plan_subscription_details: {
            pricing_plan_subscription: 'bpps_1',
            overrides: {
              partial_period_behaviors: [
                {type: 'license_fee', license_fee: {credit_proration_behavior: 'none', debit_proration_behavior: 'prorated'}},
              ],
            },
          },
        },
      },
    ],
  });
  assert.equal(intent.lastResponse.apiVersion, VERSION);
  assert.equal(intent.status, 'draft');
  // The 2025-12-15.preview shape: string amounts, no balance fields, no expiry, no cadence_data.
  assert.deepEqual(
    {...intent.amount_details},
    {currency: 'usd', discount: '0', shipping: '0', subtotal: '2500', tax: '0', total: '2500'},
  );
  assert.equal('expires_at' in intent.status_transitions, false);
  assert.equal('cadence_data' in intent, false);

  const actions = await stripe.v2.billing.intents.actions.list(intent.id);
  const [sub, mod] = actions.data;
  assert.equal(sub.subscribe.collect_at, 'next_billing_date');
  assert.equal('billing_details' in sub.subscribe, false);
  assert.equal(sub.subscribe.effective_at.type, 'on_reserve');
  assert.equal(mod.modify.collect_at, 'on_effective_at');
  assert.deepEqual(
    {...mod.modify.pricing_plan_subscription_details.overrides.partial_period_behaviors[0].license_fee},
    {credit_proration_behavior: 'none', debit_proration_behavior: 'prorated'},
  );
  const one = await stripe.v2.billing.intents.actions.retrieve(intent.id, sub.id);
  assert.deepEqual({...one.subscribe}, {...sub.subscribe});

  const reserved = await stripe.v2.billing.intents.reserve(intent.id);
  assert.equal(reserved.status, 'reserved');
  const pi = await stripe.paymentIntents.create({amount: 2500, currency: 'usd'});
  const committed = await stripe.v2.billing.intents.commit(intent.id, {payment_intent: pi.id});
  assert.equal(committed.status, 'committed');
  assert.equal(committed.lastResponse.apiVersion, VERSION);

  // Every request went out in the SDK's own version, with collect_at as sent.
  const posts = (await received(key, '/v2/billing/intents')).filter((r) => r.method === 'POST');
  assert.equal(posts.length, 3);
  for (const r of posts) assert.equal(headerOf(r, 'stripe-version'), VERSION);
});

test('parameters of other versions are refused as 2025-12-15.preview refuses them', async () => {
  const stripe = collectAtPreviewClient(freshKey());
  const price = await priceOf(stripe, 1000);
  const coupon = await stripe.coupons.create({percent_off: 10, duration: 'once'});
  const cases = [
    [
      'billing_details (before 2025-12-15.preview)',
      {type: 'subscribe', subscribe: {type: 'v1_subscription_details', billing_details: {proration_behavior: 'no_adjustment'}, v1_subscription_details: {items: [{price: price.id}]}}},
      'parameter_unknown',
      'actions[0].subscribe.billing_details',
    ],
    [
      'an apply discount (from 2026-03-25.preview)',
      {type: 'apply', apply: {type: 'discount', discount: {type: 'coupon', coupon: coupon.id}}},
      'invalid_fields',
      'actions[0].apply.type',
    ],
  ];
  for (const [what, action, code, param] of cases) {
    const err = await rejection(() => stripe.v2.billing.intents.create({currency: 'usd', actions: [action]}));
    assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, `${what}: ${err}`);
    assert.equal(err.statusCode, 400, what);
    assert.equal(err.code, code, what);
    assert.equal(err.param, param, what);
  }
  const err = await rejection(() =>
    stripe.v2.billing.intents.create({currency: 'usd', actions: [subscribe('price_missing', 'on_effective_at')]}),
  );
  assert.equal(err.statusCode, 404);
  assert.equal(err.code, 'price_not_found');
});
