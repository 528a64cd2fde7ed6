'use strict';
// GET /v1/invoices/upcoming/lines through stripe-node 17.7.0, the last release that has
// `invoices.listUpcomingLines` (it pins 2025-02-24.acacia; 18.0.0 removed the method).

const test = require('node:test');
const assert = require('node:assert/strict');
const {useMockServer, freshKey, legacyClient, received, rejection, collect} = require('../support/mock');

useMockServer();

test('upcoming lines auto-paginate over every pending invoice item', async () => {
  const key = freshKey();
  const stripe = legacyClient(key);
  const customer = await stripe.customers.create({email: 'upcoming@example.com'});
  const items = [];
  for (let i = 0; i < 23; i++) {
    const item = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 100 + i,
      currency: 'usd',
      description: `Item ${i + 1}`,
    });
    items.push(item);
  }

  const first = await stripe.invoices.listUpcomingLines({customer: customer.id, limit: 10});
  assert.equal(first.lastResponse.headers['stripe-version'], '2025-02-24.acacia');
  assert.equal(first.object, 'list');
  assert.equal(first.data.length, 10);
  assert.equal(first.has_more, true);

  const lines = await collect(stripe.invoices.listUpcomingLines({customer: customer.id, limit: 10}));

  assert.equal(lines.length, 23);
  assert.ok(lines.every((l) => l.object === 'line_item' && l.type === 'invoiceitem'));
  // Each preview line is `il_tmp_` plus the suffix of the pending item it shows, newest first.
  assert.deepEqual(
    lines.map((l) => l.id),
    [...items].reverse().map((i) => i.id.replace(/^ii_/, 'il_tmp_')),
  );
  assert.deepEqual(
    lines.map((l) => l.invoice_item),
    [...items].reverse().map((i) => i.id),
  );
  const pages = await received(key, '/v1/invoices/upcoming/lines');
  // One page for the explicit call, three for the walk (10 + 10 + 3).
  assert.equal(pages.length, 4);
  assert.ok(pages.slice(2).every((r) => /starting_after=il_tmp_/.test(r.query)));
});

test('a customer with nothing pending has no upcoming invoice', async () => {
  const stripe = legacyClient(freshKey());
  const customer = await stripe.customers.create({email: 'idle@example.com'});
  const err = await rejection(() => stripe.invoices.listUpcomingLines({customer: customer.id}));
  assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, String(err));
  assert.equal(err.statusCode, 404);
  assert.equal(err.code, 'invoice_upcoming_none');
  assert.match(err.requestId, /^req_/);
});
