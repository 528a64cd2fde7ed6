"""Upcoming invoice lines through stripe-python 11.6.0, the last release with
Invoice.upcoming_lines (GET /v1/invoices/upcoming/lines, removed in 2025-03-31.basil).

The SDK pins 2025-02-24.acacia, so the mock answers in the legacy shapes (`line.price`,
`line.type`, `line.invoice_item`, `invoice.paid`) and takes `price`, not `pricing[price]`.
"""

import pytest
import stripe

PINNED = "2025-02-24.acacia"


@pytest.fixture(autouse=True)
def configured(mock_url, api_key):
    stripe.api_base = mock_url
    stripe.api_key = api_key
    stripe.max_network_retries = 0
    yield


@pytest.fixture
def customer():
    return stripe.Customer.create(email="test@test.com")


def pending_item(customer, amount, description="item"):
    return stripe.InvoiceItem.create(
        customer=customer.id, amount=amount, currency="usd", description=description
    )


def test_the_pinned_legacy_sdk_is_installed_and_its_version_is_answered(customer):
    assert stripe.VERSION == "11.6.0"
    assert stripe.api_version == PINNED
    assert customer.last_response.headers["Stripe-Version"] == PINNED


def test_upcoming_lines_show_a_pending_item_as_an_il_tmp_line(customer):
    price = stripe.Price.create(currency="usd", unit_amount=1000, product_data={"name": "Docs"})
    item = stripe.InvoiceItem.create(
        customer=customer.id, price=price.id, description="My First Invoice Item (created for API docs)"
    )

    lines = stripe.Invoice.upcoming_lines(customer=customer.id)

    assert lines.url == "/v1/invoices/upcoming/lines"
    assert [line.id for line in lines.data] == ["il_tmp_" + item.id[len("ii_"):]]
    line = lines.data[0]
    assert isinstance(line, stripe.InvoiceLineItem)
    assert line.invoice_item == item.id
    assert line.type == "invoiceitem"
    assert line.amount == 1000
    assert line.price.id == price.id
    assert line.price.unit_amount == 1000
    for field in ("parent", "pricing", "taxes", "subtotal", "quantity_decimal"):
        assert field not in line, field


def test_upcoming_lines_auto_paginate_with_stable_ids(customer):
    items = [pending_item(customer, 100 + i) for i in range(12)]
    expected = ["il_tmp_" + i.id[len("ii_"):] for i in reversed(items)]

    page = stripe.Invoice.upcoming_lines(customer=customer.id, limit=5)

    assert page.has_more
    assert [line.id for line in page.auto_paging_iter()] == expected


def test_an_unassigned_item_reappears_in_upcoming_lines_and_can_be_re_added(customer):
    item = pending_item(customer, 700, "coffee")
    invoice = stripe.Invoice.create(customer=customer.id, pending_invoice_items_behavior="include")
    assert invoice.total == 700
    with pytest.raises(stripe.InvalidRequestError) as none:
        stripe.Invoice.upcoming_lines(customer=customer.id)
    assert none.value.http_status == 404
    assert none.value.code == "invoice_upcoming_none"

    invoice = stripe.Invoice.remove_lines(
        invoice.id, lines=[{"id": invoice.lines.data[0].id, "behavior": "unassign"}]
    )
    assert invoice.total == 0
    upcoming = stripe.Invoice.upcoming_lines(customer=customer.id)
    assert [line.invoice_item for line in upcoming.data] == [item.id]

    invoice = stripe.Invoice.add_lines(invoice.id, lines=[{"invoice_item": item.id}])
    assert invoice.total == 700
    assert stripe.InvoiceItem.retrieve(item.id).invoice == invoice.id


def test_the_upcoming_invoice_has_no_id_and_previews_a_subscription(customer):
    plan = stripe.Price.create(
        currency="usd", unit_amount=1500, product_data={"name": "Gold"}, recurring={"interval": "month"}
    )

    upcoming = stripe.Invoice.upcoming(
        customer=customer.id, subscription_details={"items": [{"price": plan.id, "quantity": 2}]}
    )

    assert "id" not in upcoming
    assert upcoming.billing_reason == "upcoming"
    line = upcoming.lines.data[0]
    assert line.type == "subscription"
    assert line.amount == 3000
    assert line.description == "2 × Gold (at $15.00 / month)"
    assert upcoming.amount_due == 3000


def test_lines_and_invoices_keep_the_legacy_shape(customer):
    price = stripe.Price.create(currency="usd", unit_amount=700, product_data={"name": "Seat"})
    invoice = stripe.Invoice.create(customer=customer.id)
    assert invoice.paid is False

    invoice = stripe.Invoice.add_lines(invoice.id, lines=[{"price": price.id, "quantity": 2}])

    assert invoice.last_response.headers["Stripe-Version"] == PINNED
    for field in ("parent", "total_taxes", "amount_overpaid", "payments"):
        assert field not in invoice, field
    (line,) = invoice.lines.data
    assert isinstance(line, stripe.InvoiceLineItem)
    assert (line.type, line.proration, line.amount, line.quantity) == ("invoiceitem", False, 1400, 2)
    assert line.price.id == price.id
    assert line.price.product == price.product
    assert line.tax_amounts == []
    for field in ("parent", "pricing", "taxes", "subtotal"):
        assert field not in line, field
    item = stripe.InvoiceItem.retrieve(line.invoice_item)
    assert item.invoice == invoice.id
    assert (item.price.id, item.unit_amount) == (price.id, 700)
    assert "pricing" not in item

    stripe.Invoice.finalize_invoice(invoice.id)
    # This SDK sends Python booleans as `True`, which Stripe's v1 API accepts.
    paid = stripe.Invoice.pay(invoice.id, paid_out_of_band=True)
    assert paid.status == "paid"
    assert paid.paid is True
    assert paid.amount_paid == 1400


def test_pricing_is_an_unknown_parameter_at_the_pinned_version(customer):
    price = stripe.Price.create(currency="usd", unit_amount=700, product_data={"name": "Seat"})
    invoice = stripe.Invoice.create(customer=customer.id)
    invoice = stripe.Invoice.add_lines(invoice.id, lines=[{"price": price.id}])
    line = invoice.lines.data[0]

    pricing = {"price": price.id}
    calls = [
        ("pricing", lambda: stripe.InvoiceItem.create(customer=customer.id, pricing=pricing)),
        ("pricing", lambda: stripe.InvoiceItem.modify(line.invoice_item, pricing=pricing)),
        ("lines[0][pricing]", lambda: stripe.Invoice.add_lines(invoice.id, lines=[{"pricing": pricing}])),
        (
            "lines[0][pricing]",
            lambda: stripe.Invoice.update_lines(invoice.id, lines=[{"id": line.id, "pricing": pricing}]),
        ),
    ]
    for param, call in calls:
        with pytest.raises(stripe.InvalidRequestError) as refused:
            call()
        assert refused.value.http_status == 400, param
        assert refused.value.code == "parameter_unknown", param
        assert refused.value.param == param
        assert refused.value.user_message == f"Received unknown parameter: {param}"

    items = stripe.InvoiceItem.list(customer=customer.id)
    assert [i.id for i in items.data] == [line.invoice_item]
    assert stripe.Invoice.retrieve(invoice.id).total == 700


def test_create_preview_of_pending_items_alone_is_the_upcoming_invoice(customer):
    item = pending_item(customer, 450, "tea")

    preview = stripe.Invoice.create_preview(customer=customer.id)

    assert preview.id.startswith("upcoming_in_")
    assert preview.paid is False
    assert preview.total == 450
    assert [(line.type, line.invoice_item) for line in preview.lines.data] == [
        ("invoiceitem", item.id)
    ]
    assert preview.lines.url == f"/v1/invoices/upcoming/lines?customer={customer.id}"
