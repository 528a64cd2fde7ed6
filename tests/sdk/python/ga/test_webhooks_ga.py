"""Signed webhook deliveries verified by the GA stripe-python SDK's own code.

A webhook endpoint on the mock points at a small HTTP server started by the test; what the
mock delivers there is checked with `stripe.Webhook.construct_event` and
`StripeClient.construct_event`, exactly as an application's webhook handler would, and a
tampered body or a wrong secret must fail that check.
"""

import http.server
import queue
import threading

import pytest
import stripe

WAIT_SECONDS = 15


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: "queue.Queue[tuple[dict, bytes]]"

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.received.put(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """A webhook receiver on an ephemeral port; yields (url, queue of (headers, body))."""
    received = queue.Queue()
    handler = type("Handler", (_Receiver,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhooks", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def client(mock_url, api_key):
    return stripe.StripeClient(api_key, base_addresses={"api": mock_url})


def _next(received):
    return received.get(timeout=WAIT_SECONDS)


def test_deliveries_verify_with_the_sdk_and_tampering_does_not(client, receiver):
    url, received = receiver
    endpoint = client.v1.webhook_endpoints.create(
        {"url": url, "enabled_events": ["customer.created", "customer.updated"]}
    )
    assert endpoint.secret.startswith("whsec_")

    customer = client.v1.customers.create({"email": "hook@example.com"})
    client.v1.customers.update(customer.id, {"email": "changed@example.com"})

    headers, body = _next(received)
    assert headers["content-type"].startswith("application/json")
    assert headers["user-agent"].startswith("Stripe/1.0")
    event = stripe.Webhook.construct_event(body, headers["stripe-signature"], endpoint.secret)
    assert isinstance(event, stripe.Event)
    assert event.type == "customer.created"
    assert isinstance(event.data.object, stripe.Customer)
    assert event.data.object.id == customer.id
    assert event.data.object.email == "hook@example.com"
    assert event.api_version == "2026-10-28.endive"

    headers, body = _next(received)
    event = client.construct_event(body, headers["stripe-signature"], endpoint.secret)
    assert event.type == "customer.updated"
    assert event.data.object.email == "changed@example.com"
    assert event.data.previous_attributes["email"] == "hook@example.com"

    # The event is also readable through the API, as the SDK retrieves it.
    fetched = client.v1.events.retrieve(event.id)
    assert fetched.type == "customer.updated"

    tampered = body.replace(b"changed@example.com", b"evil@example.com")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, headers["stripe-signature"], endpoint.secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, headers["stripe-signature"], "whsec_wrong")


def test_an_invoice_paid_out_of_band_delivers_finalized_and_paid(client, receiver):
    url, received = receiver
    endpoint = client.v1.webhook_endpoints.create(
        {"url": url, "enabled_events": ["invoice.finalized", "invoice.paid"]}
    )
    customer = client.v1.customers.create({"email": "pay@example.com"})
    client.v1.invoice_items.create({"customer": customer.id, "amount": 1200, "currency": "usd"})
    invoice = client.v1.invoices.create({"customer": customer.id, "pending_invoice_items_behavior": "include"})
    client.v1.invoices.finalize_invoice(invoice.id)
    client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})

    types = []
    for _ in range(2):
        headers, body = _next(received)
        event = stripe.Webhook.construct_event(body, headers["stripe-signature"], endpoint.secret)
        assert isinstance(event.data.object, stripe.Invoice)
        assert event.data.object.id == invoice.id
        types.append((event.type, event.data.object.status))
    assert types == [("invoice.finalized", "open"), ("invoice.paid", "paid")]


def test_thin_events_parse_and_fetch_through_the_sdk(client, receiver):
    url, received = receiver
    destination = client.v2.core.event_destinations.create(
        {
            "name": "billing",
            "type": "webhook_endpoint",
            "event_payload": "thin",
            "enabled_events": ["v1.invoice.created"],
            "webhook_endpoint": {"url": url},
            "include": ["webhook_endpoint.signing_secret"],
        }
    )
    secret = destination.webhook_endpoint.signing_secret
    assert secret.startswith("whsec_")

    customer = client.v1.customers.create({"email": "thin@example.com"})
    invoice = client.v1.invoices.create({"customer": customer.id})

    headers, body = _next(received)
    notification = client.parse_event_notification(body, headers["stripe-signature"], secret)
    assert isinstance(notification, stripe.events.V1InvoiceCreatedEventNotification)
    assert notification.type == "v1.invoice.created"
    assert notification.related_object.id == invoice.id

    event = notification.fetch_event()
    assert event.id == notification.id
    assert event.type == "v1.invoice.created"
    assert event.changes is None  # no before/after values are recorded
    related = notification.fetch_related_object()
    assert isinstance(related, stripe.Invoice)
    assert related.id == invoice.id
    assert related.customer == customer.id

    tampered = body.replace(invoice.id.encode(), b"in_someone_else")
    with pytest.raises(stripe.SignatureVerificationError):
        client.parse_event_notification(tampered, headers["stripe-signature"], secret)
    with pytest.raises(stripe.SignatureVerificationError):
        client.parse_event_notification(body, headers["stripe-signature"], "whsec_wrong")
