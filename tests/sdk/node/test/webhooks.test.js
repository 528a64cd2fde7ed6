'use strict';
// Signed webhook deliveries verified by the GA stripe-node SDK's own code
// (`stripe.webhooks.constructEvent`, `parseEventNotification` for thin events), as an application's webhook handler would, against a
// receiver started by the test; a tampered body or a wrong secret must fail verification.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const {once} = require('node:events');
const {useMockServer, freshKey, gaClient} = require('../support/mock');

useMockServer();

const WAIT_MS = 15000;

// A receiver on an ephemeral port: `next()` resolves with the next delivery's headers and body.
async function receiver() {
  const queue = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const delivery = {headers: req.headers, body: Buffer.concat(chunks).toString('utf8')};
      const waiter = waiters.shift();
      if (waiter) waiter(delivery);
      else queue.push(delivery);
      res.writeHead(200, {'content-length': '0'});
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const next = () =>
    queue.length > 0
      ? Promise.resolve(queue.shift())
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no delivery arrived')), WAIT_MS);
          waiters.push((d) => {
            clearTimeout(timer);
            resolve(d);
          });
        });
  return {url: `http://127.0.0.1:${server.address().port}/webhooks`, next, close: () => server.close()};
}

test('deliveries verify with constructEvent and tampering does not', async () => {
  const stripe = gaClient(freshKey());
  const hooks = await receiver();
  try {
    const endpoint = await stripe.webhookEndpoints.create({
      url: hooks.url,
      enabled_events: ['customer.created', 'customer.updated'],
    });
    assert.match(endpoint.secret, /^whsec_/);
    const customer = await stripe.customers.create({email: 'hook@example.com'});
    await stripe.customers.update(customer.id, {email: 'changed@example.com'});

    const created = await hooks.next();
    assert.match(created.headers['content-type'], /^application\/json/);
    assert.match(created.headers['user-agent'], /^Stripe\/1\.0/);
    const event = stripe.webhooks.constructEvent(
      created.body,
      created.headers['stripe-signature'],
      endpoint.secret,
    );
    assert.equal(event.type, 'customer.created');
    assert.equal(event.data.object.id, customer.id);
    assert.equal(event.api_version, '2026-10-28.endive');

    const updated = await hooks.next();
    const change = stripe.webhooks.constructEvent(
      updated.body,
      updated.headers['stripe-signature'],
      endpoint.secret,
    );
    assert.equal(change.type, 'customer.updated');
    assert.equal(change.data.previous_attributes.email, 'hook@example.com');
    assert.equal((await stripe.events.retrieve(change.id)).type, 'customer.updated');

    const tampered = updated.body.replace('changed@example.com', 'evil@example.com');
    assert.throws(
      () => stripe.webhooks.constructEvent(tampered, updated.headers['stripe-signature'], endpoint.secret),
      (err) => err.type === 'StripeSignatureVerificationError',
    );
    assert.throws(
      () => stripe.webhooks.constructEvent(updated.body, updated.headers['stripe-signature'], 'whsec_wrong'),
      (err) => err.type === 'StripeSignatureVerificationError',
    );
  } finally {
    hooks.close();
  }
});

test('an invoice paid out of band delivers invoice.finalized then invoice.paid', async () => {
  const stripe = gaClient(freshKey());
  const hooks = await receiver();
  try {
    const endpoint = await stripe.webhookEndpoints.create({
      url: hooks.url,
      enabled_events: ['invoice.finalized', 'invoice.paid'],
    });
    const customer = await stripe.customers.create({email: 'pay@example.com'});
    await stripe.invoiceItems.create({customer: customer.id, amount: 1200, currency: 'usd'});
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    await stripe.invoices.finalizeInvoice(invoice.id);
    await stripe.invoices.pay(invoice.id, {paid_out_of_band: true});
    const seen = [];
    for (let i = 0; i < 2; i++) {
      const d = await hooks.next();
      const event = stripe.webhooks.constructEvent(d.body, d.headers['stripe-signature'], endpoint.secret);
      assert.equal(event.data.object.id, invoice.id);
      seen.push([event.type, event.data.object.status]);
    }
    assert.deepEqual(seen, [
      ['invoice.finalized', 'open'],
      ['invoice.paid', 'paid'],
    ]);
  } finally {
    hooks.close();
  }
});

test('thin events parse with parseEventNotification and fetch their event and object', async () => {
  const stripe = gaClient(freshKey());
  const hooks = await receiver();
  try {
    const destination = await stripe.v2.core.eventDestinations.create({
      name: 'billing',
      type: 'webhook_endpoint',
      event_payload: 'thin',
      enabled_events: ['v1.invoice.created'],
      webhook_endpoint: {url: hooks.url},
      include: ['webhook_endpoint.signing_secret'],
    });
    const secret = destination.webhook_endpoint.signing_secret;
    assert.match(secret, /^whsec_/);
    const customer = await stripe.customers.create({email: 'thin@example.com'});
    const invoice = await stripe.invoices.create({customer: customer.id});

    const d = await hooks.next();
    const notification = stripe.parseEventNotification(d.body, d.headers['stripe-signature'], secret);
    assert.equal(notification.type, 'v1.invoice.created');
    assert.equal(notification.related_object.id, invoice.id);
    const event = await notification.fetchEvent();
    assert.equal(event.id, notification.id);
    const related = await notification.fetchRelatedObject();
    assert.equal(related.id, invoice.id);
    assert.equal(related.object, 'invoice');

    const tampered = d.body.replace(invoice.id, 'in_someone_else');
    assert.throws(
      () => stripe.parseEventNotification(tampered, d.headers['stripe-signature'], secret),
      (err) => err.type === 'StripeSignatureVerificationError',
    );
    assert.throws(
      () => stripe.parseEventNotification(d.body, d.headers['stripe-signature'], 'whsec_wrong'),
      (err) => err.type === 'StripeSignatureVerificationError',
    );
  } finally {
    hooks.close();
  }
});
