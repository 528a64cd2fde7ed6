'use strict';
// v1 invoices and their lines through the current GA stripe-node (23.1.0): add_lines,
// remove_lines (delete and unassign), update_lines with totals, refusals on non-draft
// invoices, line listing with auto-pagination, and create_preview.

const test = require('node:test');
const assert = require('node:assert/strict');
const {useMockServer, freshKey, gaClient, received, rejection, collect} = require('../support/mock');

useMockServer();

// The invoice item behind a line, in the legacy (`invoice_item`) or the newer (`parent`) shape.
function itemOf(line) {
  if (line.invoice_item !== undefined) return line.invoice_item;
  return line.parent && line.parent.invoice_item_details
    ? line.parent.invoice_item_details.invoice_item
    : null;
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

  const pending = await stripe.invoiceItems.create({
    customer: customer.id,
    amount: 199,
    currency: 'usd',
    description: 'Canned Coffee',
  });
  assert.equal(pending.invoice, null);

  const added = await stripe.invoices.addLines(invoice.id, {
    lines: [{description: 'test description', amount: 799}, {invoice_item: pending.id}],
  });
  assert.equal(added.id, invoice.id);
  assert.equal(added.object, 'invoice');
  assert.equal(added.lines.data.length, 2);
  assert.deepEqual(totals(added), all(998));
  const created = added.lines.data.find((l) => l.amount === 799);
  const reassigned = added.lines.data.find((l) => l.amount === 199);
  assert.match(created.id, /^il_/);
  assert.equal(created.description, 'test description');
  assert.equal(itemOf(reassigned), pending.id);
  assert.equal((await stripe.invoiceItems.retrieve(pending.id)).invoice, invoice.id);

  const updated = await stripe.invoices.updateLines(invoice.id, {
    lines: [{id: created.id, description: 'updated description', amount: 500}],
  });
  assert.deepEqual(totals(updated), all(699));
  const line = updated.lines.data.find((l) => l.id === created.id);
  assert.equal(line.description, 'updated description');
  assert.equal(line.amount, 500);

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
  assert.deepEqual(
    walked.map((l) => l.amount).sort((a, b) => a - b),
    lines.map((l) => l.amount),
  );
  const pages = await received(key, `/v1/invoices/${invoice.id}/lines`);
  assert.equal(pages.length, 3, '10 + 10 + 5');
  assert.ok(pages.slice(1).every((r) => /starting_after=/.test(r.query)));
});

test('create_preview shows the pending invoice items of a customer', async () => {
  const stripe = gaClient(freshKey());
  const customer = await stripe.customers.create({email: 'preview@example.com'});
  for (const amount of [300, 450]) {
    await stripe.invoiceItems.create({customer: customer.id, amount, currency: 'usd'});
  }

  const preview = await stripe.invoices.createPreview({customer: customer.id});

  assert.equal(preview.object, 'invoice');
  assert.equal(preview.lines.data.length, 2);
  assert.deepEqual(
    preview.lines.data.map((l) => l.amount).sort((a, b) => a - b),
    [300, 450],
  );
  assert.equal(preview.total, 750);
  assert.equal(preview.amount_due, 750);
  const invoices = await stripe.invoices.list({customer: customer.id});
  assert.deepEqual(invoices.data, [], 'a preview is not stored');
});
