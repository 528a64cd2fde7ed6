'use strict';
// Auto-pagination of GET /v2/billing/intents through stripe-node 18.6.0-alpha.2.
//
// This file holds the only auto-paging walk of the intent list in its process: the alpha's v2
// page iterator stores each next_page_url in the list method's spec, which every client in
// the process shares, so a later list() call would start from the last page visited.

const test = require('node:test');
const assert = require('node:assert/strict');
const {useMockServer, freshKey, previewClient, received, collect} = require('../support/mock');

useMockServer();

test('auto-pagination walks every intent across pages, newest first', async () => {
  const key = freshKey();
  const stripe = previewClient(key);
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 1000,
    product_data: {name: 'Seat'},
  });
  const created = [];
  for (let i = 0; i < 23; i++) {
    const intent = await stripe.v2.billing.intents.create({
      currency: 'usd',
      actions: [
        {
          type: 'subscribe',
          subscribe: {
            type: 'v1_subscription_details',
            v1_subscription_details: {items: [{price: price.id}]},
          },
        },
      ],
    });
    created.push(intent.id);
  }

  const seen = await collect(stripe.v2.billing.intents.list({limit: 10}));

  assert.deepEqual(
    seen.map((i) => i.id),
    [...created].reverse(),
  );
  assert.ok(seen.every((i) => i.object === 'v2.billing.intent'));
  const pages = (await received(key, '/v2/billing/intents')).filter((r) => r.method === 'GET');
  assert.equal(pages.length, 3, '10 + 10 + 3');
  assert.equal(pages[0].query, 'limit=10');
  assert.ok(pages.slice(1).every((r) => /(^|&)page=/.test(r.query)), 'later pages use the token');
});
