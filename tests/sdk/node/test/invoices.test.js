'use strict';
// v1 invoices and their lines through the current GA stripe-node (23.1.0): add_lines,
// remove_lines (delete and unassign), update_lines with totals, refusals on non-draft
// invoices, line listing with auto-pagination, and create_preview.
//
// The SDK sends its pinned version, 2026-10-28.endive, so lines and invoice items are priced
// through `pricing` and linked through `parent`, lines carry `taxes`, `subtotal` and
// `quantity_decimal` (a Stripe.Decimal once the SDK has read it), invoices `total_taxes`, and
// the fields 2025-03-31.basil removed are gone. `pricing[price]` replaces `price` in requests.

const test = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');
const {
  useMockServer,
  freshKey,
  gaClient,
  received,
  headerOf,
  rejection,
  collect,
} = require('../support/mock');

useMockServer();

const PINNED = '2026-10-28.endive';
// Removed from line items and from invoices in 2025-03-31.basil.
const REMOVED_LINE_FIELDS = ['price', 'type', 'proration', 'invoice_item', 'tax_amounts', 'tax_rates'];
const REMOVED_INVOICE_FIELDS = ['paid', 'charge', 'payment_intent', 'subscription', 'discount', 'tax'];
const NO_INPUT =
  'You must provide at least one of: `subscription`, `schedule`, `subscription_details.items`, ' +
  '`schedule_details.phases`, `invoice_items`.';

// The invoice item behind a line, from the typed `parent`.
function itemOf(line) {
  assert.equal(line.parent.type, 'invoice_item_details');
  assert.equal(line.parent.subscription_item_details, null);
  return line.parent.invoice_item_details.invoice_item;
}

// `value` is a Stripe.Decimal equal to `n`.
function assertDecimal(value, n, what) {
  assert.ok(value !== null && typeof value === 'object', `${what}: ${JSON.stringify(value)}`);
  assert.ok(value.eq(Stripe.Decimal.from(n)), `${what}: ${value} != ${n}`);
}

function assertAbsent(object, fields, what) {
  for (const field of fields) {
    assert.ok(!Object.hasOwn(object, field), `${what}.${field} was removed in basil`);
  }
}

// A line in the endive shape, priced by the catalog price `price` times `quantity`.
function assertCurrentLine(line, invoiceId, price, quantity) {
  assertAbsent(line, REMOVED_LINE_FIELDS, 'line');
  assert.equal(line.pricing.type, 'price_details');
  assert.deepEqual(line.pricing.price_details, {price: price.id, product: price.product});
  assertDecimal(line.pricing.unit_amount_decimal, price.unit_amount, 'pricing.unit_amount_decimal');
  assert.equal(line.quantity, quantity);
  assertDecimal(line.quantity_decimal, quantity, 'quantity_decimal');
  assert.equal(line.amount, price.unit_amount * quantity);
  assert.equal(line.subtotal, line.amount);
  assert.deepEqual(line.taxes, []);
  assert.deepEqual(line.pretax_credit_amounts, []);
  assert.equal(line.invoice, invoiceId);
  assert.equal(line.parent.invoice_item_details.proration, false);
}

function assertCurrentInvoice(invoice) {
  assertAbsent(invoice, REMOVED_INVOICE_FIELDS, 'invoice');
  assert.equal(invoice.parent, null);
  assert.deepEqual(invoice.total_taxes, []);
  assert.deepEqual(invoice.total_pretax_credit_amounts, []);
  assert.equal(invoice.amount_overpaid, 0);
}

async function catalogPrice(stripe, unitAmount, name = 'Seat') {
  return stripe.prices.create({currency: 'usd', unit_amount: unitAmount, product_data: {name}});
}

function totals(invoice) {
  return {
    subtotal: invoice.subtotal,
    total: invoice.total,
    amount_due: invoice.amount_due,
    amount_remaining: invoice.amount_remaining,
  };
}

function all(amount) {
  return {subtotal: amount, total: amount, amount_due: amount, amount_remaining: amount};
}

async function draftFor(stripe) {
  const customer = await stripe.customers.create({email: 'test@test.com'});
  const invoice = await stripe.invoices.create({customer: customer.id, currency: 'usd'});
  return {customer, invoice};
}

test('lines are added, updated and removed on a draft, with totals recomputed', async () => {
  const stripe = gaClient(freshKey());
  const {customer, invoice} = await draftFor(stripe);
  assert.equal(invoice.status, 'draft');
  assert.equal(invoice.lines.data.length, 0);
  assert.deepEqual(totals(invoice), all(0));

  const coffee = await catalogPrice(stripe, 199, 'Canned Coffee');
  const pending = await stripe.invoiceItems.create({
    customer: customer.id,
    pricing: {price: coffee.id},
    description: 'Canned Coffee',
  });
  assert.equal(pending.invoice, null);
  assert.equal(pending.amount, 199);
  assert.deepEqual(pending.pricing.price_details, {price: coffee.id, product: coffee.product});
  assertDecimal(pending.pricing.unit_amount_decimal, 199, 'item pricing.unit_amount_decimal');
  assertDecimal(pending.quantity_decimal, 1, 'item quantity_decimal');
  assert.equal(pending.parent, null);
  assertAbsent(pending, ['price', 'unit_amount', 'unit_amount_decimal', 'subscription'], 'item');

  const added = await stripe.invoices.addLines(invoice.id, {
    lines: [{description: 'test description', amount: 799}, {invoice_item: pending.id}],
  });
  assert.equal(added.id, invoice.id);
  assert.equal(added.object, 'invoice');
  assert.equal(added.lines.data.length, 2);
  assert.deepEqual(totals(added), all(998));
  assertCurrentInvoice(added);
  const created = added.lines.data.find((l) => l.amount === 799);
  const reassigned = added.lines.data.find((l) => l.amount === 199);
  assert.match(created.id, /^il_/);
  assert.equal(created.description, 'test description');
  assert.equal(created.subtotal, 799);
  assert.match(itemOf(created), /^ii_/, 'a line made from an amount has an invoice item of its own');
  assert.notEqual(itemOf(created), pending.id);
  assert.equal(itemOf(reassigned), pending.id);
  assertCurrentLine(reassigned, invoice.id, coffee, 1);
  assert.equal((await stripe.invoiceItems.retrieve(pending.id)).invoice, invoice.id);

  const updated = await stripe.invoices.updateLines(invoice.id, {
    lines: [{id: created.id, description: 'updated description', amount: 500}],
  });
  assert.deepEqual(totals(updated), all(699));
  const line = updated.lines.data.find((l) => l.id === created.id);
  assert.equal(line.description, 'updated description');
  assert.equal(line.amount, 500);
  assert.equal(line.subtotal, 500);

  const removed = await stripe.invoices.removeLines(invoice.id, {
    lines: [
      {id: created.id, behavior: 'delete'},
      {id: reassigned.id, behavior: 'unassign'},
    ],
  });
  assert.deepEqual(removed.lines.data, []);
  assert.deepEqual(totals(removed), all(0));

  const gone = await rejection(() => stripe.invoiceItems.retrieve(itemOf(created)));
  assert.ok(gone instanceof stripe.errors.StripeInvalidRequestError, String(gone));
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.code, 'resource_missing');
  assert.equal((await stripe.invoiceItems.retrieve(pending.id)).invoice, null, 'pending again');

  const readded = await stripe.invoices.addLines(invoice.id, {lines: [{invoice_item: pending.id}]});
  assert.deepEqual(totals(readded), all(199));
  assert.deepEqual(totals(await stripe.invoices.retrieve(invoice.id)), all(199));
});

test('line mutations on a finalized invoice are refused and change nothing', async () => {
  const stripe = gaClient(freshKey());
  const {invoice} = await draftFor(stripe);
  const withLine = await stripe.invoices.addLines(invoice.id, {
    lines: [{description: 'Seat', amount: 1200}],
  });
  const lineId = withLine.lines.data[0].id;
  const open = await stripe.invoices.finalizeInvoice(invoice.id);
  assert.equal(open.status, 'open');

  const calls = [
    ['add_lines', () => stripe.invoices.addLines(invoice.id, {lines: [{description: 'x', amount: 1}]})],
    ['update_lines', () => stripe.invoices.updateLines(invoice.id, {lines: [{id: lineId, amount: 1}]})],
    ['remove_lines', () => stripe.invoices.removeLines(invoice.id, {lines: [{id: lineId, behavior: 'delete'}]})],
  ];
  for (const [what, call] of calls) {
    const err = await rejection(call);
    assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, `${what}: ${err}`);
    assert.equal(err.statusCode, 400, what);
    assert.equal(err.code, 'invoice_not_editable', what);
    assert.equal(err.rawType, 'invalid_request_error', what);
    assert.match(err.requestId, /^req_/, what);
  }

  const after = await stripe.invoices.retrieve(invoice.id);
  assert.equal(after.status, 'open');
  assert.equal(after.total, 1200);
  const lines = await stripe.invoices.listLineItems(invoice.id);
  assert.deepEqual(
    lines.data.map((l) => l.id),
    [lineId],
  );

  // Paid, as basil reports it: the status and the amounts, no `paid` flag.
  const paid = await stripe.invoices.pay(invoice.id, {paid_out_of_band: true});
  assert.equal(paid.status, 'paid');
  assert.deepEqual(
    [paid.amount_paid, paid.amount_remaining, paid.amount_overpaid],
    [1200, 0, 0],
  );
  assert.equal(typeof paid.status_transitions.paid_at, 'number');
  assertCurrentInvoice(paid);
});

test('line calls on an unknown invoice are resource_missing', async () => {
  const stripe = gaClient(freshKey());
  const err = await rejection(() =>
    stripe.invoices.addLines('in_missing', {lines: [{description: 'x', amount: 1}]}),
  );
  assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, String(err));
  assert.equal(err.statusCode, 404);
  assert.equal(err.code, 'resource_missing');
});

test('an unknown invoice item in add_lines names the line that referenced it', async () => {
  const stripe = gaClient(freshKey());
  const {invoice} = await draftFor(stripe);
  const err = await rejection(() =>
    stripe.invoices.addLines(invoice.id, {
      lines: [{description: 'ok', amount: 100}, {invoice_item: 'ii_missing'}],
    }),
  );
  assert.equal(err.statusCode, 404);
  assert.equal(err.code, 'resource_missing');
  assert.equal(err.param, 'lines[1][invoice_item]');
  const unchanged = await stripe.invoices.retrieve(invoice.id);
  assert.equal(unchanged.lines.data.length, 0, 'all or nothing');
  assert.equal(unchanged.total, 0);
});

test('invoice lines auto-paginate across pages', async () => {
  const key = freshKey();
  const stripe = gaClient(key);
  const {invoice} = await draftFor(stripe);
  const lines = Array.from({length: 25}, (_, i) => ({description: `Line ${i + 1}`, amount: 100 + i}));
  const added = await stripe.invoices.addLines(invoice.id, {lines});
  assert.equal(added.total, 25 * 100 + (24 * 25) / 2);

  const walked = await collect(stripe.invoices.listLineItems(invoice.id, {limit: 10}));

  assert.equal(walked.length, 25);
  assert.equal(new Set(walked.map((l) => l.id)).size, 25);
  assert.ok(walked.every((l) => l.invoice === invoice.id && l.subtotal === l.amount));
  assert.ok(walked.every((l) => l.quantity_decimal.eq(Stripe.Decimal.from(1))));
  assert.deepEqual(
    walked.map((l) => l.amount).sort((a, b) => a - b),
    lines.map((l) => l.amount),
  );
  const pages = await received(key, `/v1/invoices/${invoice.id}/lines`);
  assert.equal(pages.length, 3, '10 + 10 + 5');
  assert.ok(pages.slice(1).every((r) => /starting_after=/.test(r.query)));
});

test('create_preview adds invoice_items to the pending items of a customer', async () => {
  const stripe = gaClient(freshKey());
  const customer = await stripe.customers.create({email: 'preview@example.com'});
  const pending = [];
  for (const amount of [300, 450]) {
    pending.push(await stripe.invoiceItems.create({customer: customer.id, amount, currency: 'usd'}));
  }
  const seat = await catalogPrice(stripe, 250);

  const preview = await stripe.invoices.createPreview({
    customer: customer.id,
    invoice_items: [{pricing: {price: seat.id}, quantity: 4}],
  });

  assert.equal(preview.object, 'invoice');
  assert.match(preview.id, /^upcoming_in_/);
  assert.equal(preview.billing_reason, 'upcoming');
  assertCurrentInvoice(preview);
  assert.equal(preview.lines.data.length, 3);
  const added = preview.lines.data.find((l) => l.amount === 1000);
  assertCurrentLine(added, preview.id, seat, 4);
  assert.deepEqual(
    preview.lines.data
      .filter((l) => l !== added)
      .map((l) => [l.amount, itemOf(l)])
      .sort((a, b) => a[0] - b[0]),
    pending.map((i) => [i.amount, i.id]),
  );
  assert.equal(preview.total, 1750);
  assert.equal(preview.amount_due, 1750);
  const invoices = await stripe.invoices.list({customer: customer.id});
  assert.deepEqual(invoices.data, [], 'a preview is not stored');
  const items = await stripe.invoiceItems.list({customer: customer.id});
  assert.equal(items.data.length, 2, 'nor are its invoice_items');
});

test('create_preview without anything to preview is refused', async () => {
  const stripe = gaClient(freshKey());
  const customer = await stripe.customers.create({email: 'preview@example.com'});
  await stripe.invoiceItems.create({customer: customer.id, amount: 300, currency: 'usd'});

  const err = await rejection(() => stripe.invoices.createPreview({customer: customer.id}));

  assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, String(err));
  assert.equal(err.statusCode, 400);
  assert.equal(err.rawType, 'invalid_request_error');
  assert.equal(err.message, NO_INPUT);
});

test('the upcoming endpoints are an unknown invoice id at the pinned version', async () => {
  const stripe = gaClient(freshKey());
  const customer = await stripe.customers.create({email: 'upcoming@example.com'});
  await stripe.invoiceItems.create({customer: customer.id, amount: 300, currency: 'usd'});

  for (const call of [
    () => stripe.invoices.retrieve('upcoming'),
    () => stripe.invoices.listLineItems('upcoming'),
  ]) {
    const err = await rejection(call);
    assert.ok(err instanceof stripe.errors.StripeInvalidRequestError, String(err));
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    assert.equal(err.message, "No such invoice: 'upcoming'");
  }
});

test('the SDK sends its pinned version and the mock answers in it', async () => {
  const key = freshKey();
  const stripe = gaClient(key);
  assert.equal(Stripe.API_VERSION, PINNED);
  const customer = await stripe.customers.create({email: 'version@example.com'});
  assert.equal(customer.lastResponse.headers['stripe-version'], PINNED);
  const [sent] = await received(key, '/v1/customers');
  assert.equal(headerOf(sent, 'stripe-version'), PINNED);
});

test('lines are priced and repriced through pricing[price]', async () => {
  const stripe = gaClient(freshKey());
  const {invoice} = await draftFor(stripe);
  const seat = await catalogPrice(stripe, 700, 'Seat');
  const desk = await catalogPrice(stripe, 300, 'Desk');

  const added = await stripe.invoices.addLines(invoice.id, {
    lines: [{pricing: {price: seat.id}, quantity: 3}],
  });
  const [line] = added.lines.data;
  assertCurrentLine(line, invoice.id, seat, 3);
  assert.deepEqual(totals(added), all(2100));
  const item = await stripe.invoiceItems.retrieve(itemOf(line));
  assert.equal(item.invoice, invoice.id);
  assert.equal(item.pricing.price_details.price, seat.id);
  assertDecimal(item.quantity_decimal, 3, 'item quantity_decimal');

  const repriced = await stripe.invoices.updateLineItem(invoice.id, line.id, {
    pricing: {price: desk.id},
  });
  assertCurrentLine(repriced, invoice.id, desk, 3);

  const updated = await stripe.invoices.updateLines(invoice.id, {
    lines: [{id: line.id, pricing: {price: seat.id}, quantity: 2}],
  });
  assertCurrentLine(updated.lines.data[0], invoice.id, seat, 2);
  assert.deepEqual(totals(updated), all(1400));

  const moved = await stripe.invoiceItems.update(item.id, {pricing: {price: desk.id}});
  assert.equal(moved.pricing.price_details.price, desk.id);
  assert.equal(moved.amount, 600);
  const [listed] = (await stripe.invoices.listLineItems(invoice.id)).data;
  assertCurrentLine(listed, invoice.id, desk, 2);
  assert.deepEqual(totals(await stripe.invoices.retrieve(invoice.id)), all(600));
});

test('the price parameter is unknown at the pinned version', async () => {
  const stripe = gaClient(freshKey());
  const {customer, invoice} = await draftFor(stripe);
  const seat = await catalogPrice(stripe, 500);
  const added = await stripe.invoices.addLines(invoice.id, {lines: [{pricing: {price: seat.id}}]});
  const line = added.lines.data[0];
  const item = itemOf(line);

  const calls = [
    ['price', () => stripe.invoiceItems.create({customer: customer.id, price: seat.id})],
    ['price', () => stripe.invoiceItems.update(item, {price: seat.id})],
    ['lines[0][price]', () => stripe.invoices.addLines(invoice.id, {lines: [{price: seat.id}]})],
    [
      'lines[0][price]',
      () => stripe.invoices.updateLines(invoice.id, {lines: [{id: line.id, price: seat.id}]}),
    ],
    ['price', () => stripe.invoices.updateLineItem(invoice.id, line.id, {price: seat.id})],
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
    [item],
  );
  const lines = await stripe.invoices.listLineItems(invoice.id);
  assert.deepEqual(
    lines.data.map((l) => l.id),
    [line.id],
  );
});
