'use strict';
// v1 invoices, lines and invoice items through stripe-node 17.7.0, which pins
// 2025-02-24.acacia: the mock answers in the shapes before 2025-03-31.basil (`line.price`,
// `line.type`, `line.invoice_item`, `invoice.paid`) and takes `price`, not `pricing[price]`.

const test = require('node:test');
const assert = require('node:assert/strict');
const {useMockServer, freshKey, legacyClient, received, headerOf, rejection} = require('../support/mock');

useMockServer();

const PINNED = '2025-02-24.acacia';

async function setup(stripe) {
  const customer = await stripe.customers.create({email: 'legacy@example.com'});
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 700,
    product_data: {name: 'Seat'},
  });
  const invoice = await stripe.invoices.create({customer: customer.id, currency: 'usd'});
  return {customer, price, invoice};
}

test('the SDK sends its pinned version and the mock answers in it', async () => {
  const key = freshKey();
  const stripe = legacyClient(key);
  assert.equal(stripe.getApiField('version'), PINNED);
  const customer = await stripe.customers.create({email: 'version@example.com'});
  assert.equal(customer.lastResponse.headers['stripe-version'], PINNED);
  const [sent] = await received(key, '/v1/customers');
  assert.equal(headerOf(sent, 'stripe-version'), PINNED);
});

test('lines, invoice items and invoices keep the legacy shape', async () => {
  const stripe = legacyClient(freshKey());
  const {price, invoice} = await setup(stripe);
  assert.equal(invoice.paid, false);

  const added = await stripe.invoices.addLines(invoice.id, {
    lines: [{price: price.id, quantity: 2}],
  });

  assert.equal(added.lastResponse.headers['stripe-version'], PINNED);
  for (const field of ['parent', 'total_taxes', 'amount_overpaid', 'payments']) {
    assert.ok(!Object.hasOwn(added, field), `invoice.${field} is from basil on`);
  }
  const [line] = added.lines.data;
  assert.equal(line.type, 'invoiceitem');
  assert.equal(line.proration, false);
  assert.equal(line.price.id, price.id);
  assert.equal(line.price.object, 'price');
  assert.equal(line.price.unit_amount, 700);
  assert.equal(line.quantity, 2);
  assert.equal(line.amount, 1400);
  assert.deepEqual(line.tax_amounts, []);
  for (const field of ['parent', 'pricing', 'taxes', 'subtotal', 'quantity_decimal']) {
    assert.ok(!Object.hasOwn(line, field), `line.${field} is from basil on`);
  }
  const item = await stripe.invoiceItems.retrieve(line.invoice_item);
  assert.equal(item.invoice, invoice.id);
  assert.equal(item.price.id, price.id);
  assert.equal(item.unit_amount, 700);
  assert.ok(!Object.hasOwn(item, 'pricing'));

  await stripe.invoices.finalizeInvoice(invoice.id);
  const paid = await stripe.invoices.pay(invoice.id, {paid_out_of_band: true});
  assert.equal(paid.status, 'paid');
  assert.equal(paid.paid, true);
  assert.equal(paid.amount_paid, 1400);
});

test('pricing is an unknown parameter at the pinned version', async () => {
  const stripe = legacyClient(freshKey());
  const {customer, price, invoice} = await setup(stripe);
  const added = await stripe.invoices.addLines(invoice.id, {lines: [{price: price.id}]});
  const line = added.lines.data[0];

  const calls = [
    ['pricing', () => stripe.invoiceItems.create({customer: customer.id, pricing: {price: price.id}})],
    ['pricing', () => stripe.invoiceItems.update(line.invoice_item, {pricing: {price: price.id}})],
    [
      'lines[0][pricing]',
      () => stripe.invoices.addLines(invoice.id, {lines: [{pricing: {price: price.id}}]}),
    ],
    [
      'lines[0][pricing]',
      () =>
        stripe.invoices.updateLines(invoice.id, {
          lines: [{id: line.id, pricing: {price: price.id}}],
        }),
    ],
    [
      'pricing',
      () => stripe.invoices.updateLineItem(invoice.id, line.id, {pricing: {price: price.id}}),
    ],
  ];
  for (const [param, call] of calls) {
    const err = await rejection(call);
    assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, `${param}: ${err}`);
    assert.equal(err.statusCode, 400, param);
    assert.equal(err.code, 'parameter_unknown', param);
    assert.equal(err.param, param);
    assert.equal(err.message, `Received unknown parameter: ${param}`);
  }

  const items = await stripe.invoiceItems.list({customer: customer.id});
  assert.deepEqual(
    items.data.map((i) => i.id),
    [line.invoice_item],
  );
  assert.equal((await stripe.invoices.retrieve(invoice.id)).total, 700);
});

test('create_preview of the pending items alone previews the upcoming invoice', async () => {
  const stripe = legacyClient(freshKey());
  const customer = await stripe.customers.create({email: 'preview@example.com'});
  const item = await stripe.invoiceItems.create({customer: customer.id, amount: 450, currency: 'usd'});

  const preview = await stripe.invoices.createPreview({customer: customer.id});

  assert.match(preview.id, /^upcoming_in_/);
  assert.equal(preview.paid, false);
  assert.equal(preview.total, 450);
  assert.deepEqual(
    preview.lines.data.map((l) => [l.type, l.invoice_item]),
    [['invoiceitem', item.id]],
  );
  assert.equal(preview.lines.url, `/v1/invoices/upcoming/lines?customer=${customer.id}`);
});
