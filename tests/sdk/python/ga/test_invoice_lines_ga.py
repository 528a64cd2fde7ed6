"""Invoices, their lines and invoice items through the GA stripe-python SDK (16.x).

The SDK sends its pinned API version, 2026-10-28.endive, so the mock answers in the shapes of
that version: lines and items priced through `pricing` and linked through `parent`, `taxes`,
`subtotal` and `quantity_decimal` on lines, `total_taxes` on invoices, and none of the fields
2025-03-31.basil removed. The tests read the typed fields the SDK defines for them, and send
`pricing[price]` where older versions took `price`.
"""

from decimal import Decimal

import pytest
import stripe

PINNED = "2026-10-28.endive"

# Removed from line items in 2025-03-31.basil.
REMOVED_LINE_FIELDS = ("price", "type", "proration", "invoice_item", "tax_amounts", "tax_rates")
# Removed from invoices in 2025-03-31.basil.
REMOVED_INVOICE_FIELDS = ("paid", "charge", "payment_intent", "subscription", "discount", "tax")
NO_INPUT = (
    "You must provide at least one of: `subscription`, `schedule`, "
    "`subscription_details.items`, `schedule_details.phases`, `invoice_items`."
)


@pytest.fixture
def client(mock_url, api_key):
    return stripe.StripeClient(api_key, base_addresses={"api": mock_url})


@pytest.fixture
def customer(client):
    return client.v1.customers.create({"email": "test@test.com"})


def catalog_price(client, unit_amount, name="Canned Coffee"):
    return client.v1.prices.create(
        {"currency": "usd", "unit_amount": unit_amount, "product_data": {"name": name}}
    )


def item_of(line):
    """The invoice item behind a line, from the typed `parent`."""
    assert line.parent.type == "invoice_item_details"
    assert line.parent.subscription_item_details is None
    return line.parent.invoice_item_details.invoice_item


def assert_current_line(line, invoice_id, price, quantity):
    """A line in the endive shape, priced by `price` (a catalog price) times `quantity`."""
    assert isinstance(line, stripe.InvoiceLineItem)
    for field in REMOVED_LINE_FIELDS:
        assert field not in line, field
    assert isinstance(line.pricing, stripe.InvoiceLineItem.Pricing)
    assert line.pricing.type == "price_details"
    assert line.pricing.price_details.price == price.id
    assert line.pricing.price_details.product == price.product
    assert line.pricing.unit_amount_decimal == Decimal(price.unit_amount)
    assert line.quantity == quantity
    assert line.quantity_decimal == Decimal(quantity)
    assert isinstance(line.quantity_decimal, Decimal)
    assert line.amount == price.unit_amount * quantity
    assert line.subtotal == line.amount
    assert line.taxes == []
    assert line.pretax_credit_amounts == []
    assert line.invoice == invoice_id
    details = line.parent.invoice_item_details
    assert details.proration is False
    assert details.proration_details.credited_items is None


def assert_current_invoice(invoice):
    for field in REMOVED_INVOICE_FIELDS:
        assert field not in invoice, field
    assert invoice.parent is None
    assert invoice.total_taxes == []
    assert invoice.total_pretax_credit_amounts == []
    assert invoice.amount_overpaid == 0
    assert invoice.payments.object == "list"


def test_the_pinned_ga_sdk_is_installed_and_its_version_is_answered(client, customer):
    assert stripe.VERSION == "16.1.0"
    assert stripe.api_version == PINNED
    assert customer.last_response.headers["Stripe-Version"] == PINNED


def test_add_update_and_remove_lines_keep_the_totals_right(client, customer):
    price = catalog_price(client, 199)
    coffee = client.v1.invoice_items.create(
        {"customer": customer.id, "pricing": {"price": price.id}, "description": "Canned Coffee"}
    )
    assert isinstance(coffee, stripe.InvoiceItem)
    assert coffee.pricing.price_details.price == price.id
    assert coffee.pricing.unit_amount_decimal == Decimal(199)
    assert coffee.parent is None
    for field in ("price", "unit_amount", "unit_amount_decimal", "subscription"):
        assert field not in coffee, field
    invoice = client.v1.invoices.create({"customer": customer.id})

    invoice = client.v1.invoices.add_lines(
        invoice.id,
        {"lines": [{"description": "test description", "amount": 799}, {"invoice_item": coffee.id}]},
    )
    assert invoice.status == "draft"
    assert_current_invoice(invoice)
    for field in ("subtotal", "total", "total_excluding_tax", "amount_due", "amount_remaining"):
        assert invoice[field] == 998, field
    new_line, coffee_line = invoice.lines.data
    assert (new_line.amount, coffee_line.amount) == (799, 199)
    assert item_of(coffee_line) == coffee.id
    assert_current_line(coffee_line, invoice.id, price, 1)
    # A line made from an amount gets an invoice item of its own.
    new_item = item_of(new_line)
    assert new_item.startswith("ii_") and new_item != coffee.id
    assert new_line.subtotal == 799

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
        client.v1.invoice_items.retrieve(new_item)
    assert deleted.value.http_status == 404
    assert deleted.value.code == "resource_missing"
    assert client.v1.invoice_items.retrieve(coffee.id).invoice is None


def test_lines_are_priced_and_repriced_through_pricing(client, customer):
    seat = catalog_price(client, 700, "Seat")
    desk = catalog_price(client, 300, "Desk")
    invoice = client.v1.invoices.create({"customer": customer.id})

    invoice = client.v1.invoices.add_lines(
        invoice.id, {"lines": [{"pricing": {"price": seat.id}, "quantity": 3}]}
    )
    (line,) = invoice.lines.data
    assert_current_line(line, invoice.id, seat, 3)
    assert invoice.subtotal == invoice.total == 2100
    item = client.v1.invoice_items.retrieve(item_of(line))
    assert item.invoice == invoice.id
    assert item.pricing.price_details.price == seat.id
    assert (item.quantity, item.quantity_decimal, item.amount) == (3, Decimal(3), 2100)

    line = client.v1.invoices.line_items.update(
        invoice.id, line.id, {"pricing": {"price": desk.id}}
    )
    assert_current_line(line, invoice.id, desk, 3)

    invoice = client.v1.invoices.update_lines(
        invoice.id, {"lines": [{"id": line.id, "pricing": {"price": seat.id}, "quantity": 2}]}
    )
    assert_current_line(invoice.lines.data[0], invoice.id, seat, 2)
    assert invoice.total == 1400

    item = client.v1.invoice_items.update(item.id, {"pricing": {"price": desk.id}})
    assert item.pricing.price_details.price == desk.id
    assert item.amount == 600
    (line,) = client.v1.invoices.line_items.list(invoice.id).data
    assert_current_line(line, invoice.id, desk, 2)
    assert client.v1.invoices.retrieve(invoice.id).total == 600


def test_the_price_parameter_is_unknown_at_the_pinned_version(client, customer):
    price = catalog_price(client, 500)
    invoice = client.v1.invoices.create({"customer": customer.id})
    invoice = client.v1.invoices.add_lines(invoice.id, {"lines": [{"pricing": {"price": price.id}}]})
    line = invoice.lines.data[0]

    calls = [
        ("price", lambda: client.v1.invoice_items.create({"customer": customer.id, "price": price.id})),
        ("price", lambda: client.v1.invoice_items.update(item_of(line), {"price": price.id})),
        ("lines[0][price]", lambda: client.v1.invoices.add_lines(invoice.id, {"lines": [{"price": price.id}]})),
        (
            "lines[0][price]",
            lambda: client.v1.invoices.update_lines(
                invoice.id, {"lines": [{"id": line.id, "price": price.id}]}
            ),
        ),
        ("price", lambda: client.v1.invoices.line_items.update(invoice.id, line.id, {"price": price.id})),
    ]
    for param, call in calls:
        with pytest.raises(stripe.InvalidRequestError) as refused:
            call()
        assert refused.value.http_status == 400, param
        assert refused.value.code == "parameter_unknown", param
        assert refused.value.param == param
        assert refused.value.user_message == f"Received unknown parameter: {param}"

    items = client.v1.invoice_items.list({"customer": customer.id})
    assert [i.id for i in items.data] == [item_of(line)]
    assert [l.id for l in client.v1.invoices.line_items.list(invoice.id).data] == [line.id]


def test_lines_auto_paginate_over_more_than_one_page(client, customer):
    invoice = client.v1.invoices.create({"customer": customer.id})
    client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": i} for i in range(1, 26)]})

    page = client.v1.invoices.line_items.list(invoice.id, {"limit": 10})

    assert page.has_more
    assert len(page.data) == 10
    lines = list(page.auto_paging_iter())
    assert [line.amount for line in lines] == list(range(1, 26))
    assert all(line.invoice == invoice.id and line.subtotal == line.amount for line in lines)


def test_a_finalized_invoice_is_not_editable_and_is_paid_without_a_paid_flag(client, customer):
    invoice = client.v1.invoices.create({"customer": customer.id})
    client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 500}]})
    finalized = client.v1.invoices.finalize_invoice(invoice.id)
    assert finalized.status == "open"
    assert finalized.number
    assert_current_invoice(finalized)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 1}]})

    assert refused.value.http_status == 400
    assert refused.value.code == "invoice_not_editable"
    assert client.v1.invoices.retrieve(invoice.id).total == 500

    paid = client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    assert paid.status == "paid"
    assert (paid.amount_paid, paid.amount_remaining, paid.amount_overpaid) == (500, 0, 0)
    assert paid.status_transitions.paid_at is not None
    assert_current_invoice(paid)


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
    assert_current_invoice(preview)
    assert [line.amount for line in preview.lines.data] == [500, 1000]
    assert [line.subtotal for line in preview.lines.data] == [500, 1000]
    assert item_of(preview.lines.data[1]) == pending.id
    assert all(line.invoice == preview.id for line in preview.lines.data)
    assert preview.subtotal == 1500
    assert preview.total == 1350
    # Nothing was written by the preview.
    items = client.v1.invoice_items.list({"customer": customer.id})
    assert [i.id for i in items.data] == [pending.id]
    assert client.v1.invoices.list({"customer": customer.id}).data == []


def test_create_preview_of_invoice_items_alone_prices_them(client, customer):
    price = catalog_price(client, 250)

    preview = client.v1.invoices.create_preview(
        {"customer": customer.id, "invoice_items": [{"pricing": {"price": price.id}, "quantity": 4}]}
    )

    (line,) = preview.lines.data
    assert_current_line(line, preview.id, price, 4)
    assert preview.total == preview.amount_due == 1000


def test_create_preview_without_anything_to_preview_is_refused(client, customer):
    client.v1.invoice_items.create({"customer": customer.id, "amount": 1000, "currency": "usd"})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.invoices.create_preview({"customer": customer.id})

    assert refused.value.http_status == 400
    assert refused.value.user_message == NO_INPUT
    assert refused.value.error.type == "invalid_request_error"


def test_the_upcoming_endpoints_are_an_unknown_invoice_id(client, customer):
    client.v1.invoice_items.create({"customer": customer.id, "amount": 1000, "currency": "usd"})

    for call in (
        lambda: client.v1.invoices.retrieve("upcoming"),
        lambda: client.v1.invoices.line_items.list("upcoming"),
    ):
        with pytest.raises(stripe.InvalidRequestError) as missing:
            call()
        assert missing.value.http_status == 404
        assert missing.value.code == "resource_missing"
        assert missing.value.user_message == "No such invoice: 'upcoming'"
