"""The invoice-line flow through the GA stripe-python SDK (16.x).

The SDK sends its pinned API version (2026-10-28.endive); the mock renders the legacy line shape
for every version and the SDK parses objects dynamically, so attribute access works.
"""

import pytest
import stripe


@pytest.fixture
def client(mock_url, api_key):
    return stripe.StripeClient(api_key, base_addresses={"api": mock_url})


@pytest.fixture
def customer(client):
    return client.v1.customers.create({"email": "test@test.com"})


def test_the_pinned_ga_sdk_is_installed():
    assert stripe.VERSION == "16.1.0"


def test_add_update_and_remove_lines_keep_the_totals_right(client, customer):
    price = client.v1.prices.create(
        {"currency": "usd", "unit_amount": 199, "product_data": {"name": "Canned Coffee"}}
    )
    coffee = client.v1.invoice_items.create(
        {"customer": customer.id, "pricing": {"price": price.id}, "description": "Canned Coffee"}
    )
    invoice = client.v1.invoices.create({"customer": customer.id})

    invoice = client.v1.invoices.add_lines(
        invoice.id,
        {"lines": [{"description": "test description", "amount": 799}, {"invoice_item": coffee.id}]},
    )
    assert invoice.status == "draft"
    for field in ("subtotal", "total", "total_excluding_tax", "amount_due", "amount_remaining"):
        assert invoice[field] == 998, field
    new_line, coffee_line = invoice.lines.data
    assert (new_line.amount, coffee_line.amount) == (799, 199)
    assert coffee_line.invoice_item == coffee.id

    invoice = client.v1.invoices.update_lines(
        invoice.id,
        {"lines": [{"id": coffee_line.id, "description": "Coffee", "metadata": {"size": "large"}}]},
    )
    assert invoice.lines.data[1].description == "Coffee"
    item = client.v1.invoice_items.retrieve(coffee.id)
    assert item.description == "Coffee"
    assert item.metadata["size"] == "large"

    invoice = client.v1.invoices.remove_lines(
        invoice.id,
        {
            "lines": [
                {"id": new_line.id, "behavior": "delete"},
                {"id": coffee_line.id, "behavior": "unassign"},
            ]
        },
    )
    assert invoice.lines.data == []
    assert invoice.total == 0
    with pytest.raises(stripe.InvalidRequestError) as deleted:
        client.v1.invoice_items.retrieve(new_line.invoice_item)
    assert deleted.value.http_status == 404
    assert deleted.value.code == "resource_missing"
    assert client.v1.invoice_items.retrieve(coffee.id).invoice is None


def test_lines_auto_paginate_over_more_than_one_page(client, customer):
    invoice = client.v1.invoices.create({"customer": customer.id})
    client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": i} for i in range(1, 26)]})

    page = client.v1.invoices.line_items.list(invoice.id, {"limit": 10})

    assert page.has_more
    assert len(page.data) == 10
    assert [line.amount for line in page.auto_paging_iter()] == list(range(1, 26))


def test_a_finalized_invoice_is_not_editable(client, customer):
    invoice = client.v1.invoices.create({"customer": customer.id})
    client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 500}]})
    finalized = client.v1.invoices.finalize_invoice(invoice.id)
    assert finalized.status == "open"
    assert finalized.number

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 1}]})

    assert refused.value.http_status == 400
    assert refused.value.code == "invoice_not_editable"
    assert client.v1.invoices.retrieve(invoice.id).total == 500


def test_create_preview_assembles_pending_items_additions_and_discounts(client, customer):
    pending = client.v1.invoice_items.create({"customer": customer.id, "amount": 1000, "currency": "usd"})
    coupon = client.v1.coupons.create({"percent_off": 10, "duration": "once"})

    preview = client.v1.invoices.create_preview(
        {
            "customer": customer.id,
            "discounts": [{"coupon": coupon.id}],
            "invoice_items": [{"amount": 500, "currency": "usd", "description": "extra"}],
        }
    )

    assert preview.id.startswith("upcoming_in_")
    assert preview.billing_reason == "upcoming"
    assert [line.amount for line in preview.lines.data] == [500, 1000]
    assert preview.lines.data[1].invoice_item == pending.id
    assert preview.subtotal == 1500
    assert preview.total == 1350
    # Nothing was written by the preview.
    items = client.v1.invoice_items.list({"customer": customer.id})
    assert [i.id for i in items.data] == [pending.id]
