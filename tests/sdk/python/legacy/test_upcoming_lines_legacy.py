"""Upcoming invoice lines through stripe-python 11.6.0, the last release with
Invoice.upcoming_lines (GET /v1/invoices/upcoming/lines, removed in 2025-03-31.basil)."""

import pytest
import stripe


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


def test_the_pinned_legacy_sdk_is_installed():
    assert stripe.VERSION == "11.6.0"


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
    assert line.price.unit_amount == 1000


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
