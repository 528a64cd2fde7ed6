"""Example: testing billing code with Stripe's official Python SDK against the mock server.

Start the server (CLI or Docker), then run this file with pytest:

    cargo run --release &            # or: docker run -p 12111:12111 stripe-billing-mock
    pip install stripe==16.1.0 pytest
    STRIPE_MOCK_URL=http://127.0.0.1:12111 pytest examples/python

Between tests the control plane's /_mock/reset clears the test key's account, so every test
starts from an empty account (or from the fixtures the server was started with).
"""

import json
import os
import urllib.request

import pytest
import stripe

MOCK_URL = os.environ.get("STRIPE_MOCK_URL", "http://127.0.0.1:12111")
API_KEY = "sk_test_example"


def control(path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    # The control plane takes JSON only (a form or text/plain body is what a foreign web page
    # could send it), and urllib would otherwise label the body a form.
    headers = {"Content-Type": "application/json"}
    if os.environ.get("STRIPE_MOCK_ADMIN_TOKEN"):
        headers["Authorization"] = "Bearer " + os.environ["STRIPE_MOCK_ADMIN_TOKEN"]
    request = urllib.request.Request(MOCK_URL + path, data=data, method="POST", headers=headers)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


@pytest.fixture(autouse=True)
def fresh_account():
    control(f"/_mock/reset?api_key={API_KEY}")
    yield


@pytest.fixture
def client():
    # The only change an app needs: the API base address.
    return stripe.StripeClient(API_KEY, base_addresses={"api": MOCK_URL})


def test_an_invoice_totals_its_lines(client):
    customer = client.v1.customers.create({"email": "alice@example.com"})
    invoice = client.v1.invoices.create({"customer": customer.id})
    invoice = client.v1.invoices.add_lines(
        invoice.id,
        {"lines": [{"amount": 799, "description": "Coffee"}, {"amount": 199, "description": "Cup"}]},
    )
    assert invoice.total == 998
    assert [line.amount for line in invoice.lines.data] == [799, 199]


def test_a_finalized_invoice_refuses_new_lines(client):
    customer = client.v1.customers.create({})
    invoice = client.v1.invoices.create({"customer": customer.id})
    client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 500}]})
    client.v1.invoices.finalize_invoice(invoice.id)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 100}]})
    assert raised.value.code == "invoice_not_editable"
    assert raised.value.http_status == 400


def test_each_test_starts_with_an_empty_account(client):
    assert client.v1.customers.list().data == []
