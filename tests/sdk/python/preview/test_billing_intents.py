"""Billing Intents through the official stripe-python preview SDK (16.1.0a4).

The SDK is pointed at the mock by base address only; everything else (paths, JSON bodies,
Stripe-Version 2026-10-14.preview, idempotency keys, list auto-paging through next_page_url,
error classes) is the SDK's own behaviour.
"""

from decimal import Decimal

import pytest
import stripe


@pytest.fixture
def client(mock_url, api_key):
    return stripe.StripeClient(api_key, base_addresses={"api": mock_url})


def price(client, amount, currency="usd"):
    return client.v1.prices.create(
        params={"currency": currency, "unit_amount": amount, "product_data": {"name": "Seat"}}
    ).id


def subscribe(price_id, quantity=None):
    item = {"price": price_id}
    if quantity is not None:
        item["quantity"] = quantity
    return {
        "type": "subscribe",
        "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [item]}},
    }


def create_intent(client, actions, **extra):
    return client.v2.billing.intents.create(params={"currency": "usd", "actions": actions, **extra})


def test_the_whole_lifecycle_with_typed_objects(client):
    seat = price(client, 1000)
    coupon = client.v1.coupons.create(params={"percent_off": 25, "duration": "once"})
    intent = create_intent(
        client,
        [
            subscribe(seat, 3),
            {"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": coupon.id}}},
        ],
    )
    assert isinstance(intent, stripe.v2.billing.Intent)
    assert intent.object == "v2.billing.intent"
    assert intent.id.startswith("bilint_")
    assert intent.status == "draft"
    assert intent.livemode is False
    assert intent.cadence is None
    # The SDK pins 2026-10-14.preview: amounts are strings and the balance fields exist.
    details = intent.amount_details
    assert (details.subtotal, details.discount, details.total) == ("3000", "750", "2250")
    assert (details.amount_due, details.customer_balance_applied) == ("2250", "0")
    assert intent.status_transitions.drafted_at == intent.created
    assert intent.status_transitions.expires_at > intent.created

    reserved = client.v2.billing.intents.reserve(intent.id)
    assert reserved.status == "reserved"
    assert reserved.status_transitions.reserved_at is not None

    released = client.v2.billing.intents.release_reservation(intent.id)
    assert released.status == "draft"
    assert released.status_transitions.reserved_at is None

    client.v2.billing.intents.reserve(intent.id)
    pi = client.v1.payment_intents.create(params={"amount": 2250, "currency": "usd"})
    committed = client.v2.billing.intents.commit(intent.id, params={"payment_intent": pi.id})
    assert committed.status == "committed"
    assert committed.status_transitions.committed_at is not None

    again = client.v2.billing.intents.retrieve(intent.id)
    assert again.status == "committed"
    assert again.to_dict() == committed.to_dict()

    other = create_intent(client, [subscribe(seat)])
    canceled = client.v2.billing.intents.cancel(other.id)
    assert canceled.status == "canceled"
    assert canceled.status_transitions.canceled_at is not None


def test_actions_are_typed_and_retrievable(client):
    seat = price(client, 500)
    intent = create_intent(
        client,
        [
            subscribe(seat, 2),
            {
                "type": "apply",
                "apply": {
                    "type": "invoice_discount_rule",
                    "invoice_discount_rule": {
                        "applies_to": "cadence",
                        "type": "percent_off",
                        "percent_off": {"percent_off": Decimal("12.5"), "maximum_applications": {"type": "indefinite"}},
                    },
                },
            },
        ],
    )
    actions = client.v2.billing.intents.actions.list(intent.id)
    assert [a.type for a in actions.data] == ["subscribe", "apply"]
    first, second = actions.data
    assert isinstance(first, stripe.v2.billing.IntentAction)
    assert first.subscribe.collect_at == "on_effective_at"
    assert first.subscribe.effective_at.type == "on_reserve"
    assert first.subscribe.v1_subscription_details["items"][0].quantity == 2
    assert first.apply is None
    assert second.apply.invoice_discount_rule.percent_off.maximum_applications.type == "indefinite"
    assert Decimal(str(second.apply.invoice_discount_rule.percent_off.percent_off)) == Decimal("12.5")

    got = client.v2.billing.intents.actions.retrieve(intent.id, first.id)
    assert got.id == first.id
    assert got.to_dict() == first.to_dict()


def test_auto_pagination_walks_every_page_of_intents(client):
    seat = price(client, 100)
    created = [create_intent(client, [subscribe(seat)]).id for _ in range(5)]

    page = client.v2.billing.intents.list(params={"limit": 2})
    assert len(page.data) == 2
    assert page.next_page_url is not None
    seen = [i.id for i in page.auto_paging_iter()]
    assert seen == list(reversed(created))


def test_auto_pagination_walks_every_page_of_actions(client):
    seat = price(client, 100)
    intent = create_intent(client, [subscribe(seat, q) for q in range(1, 6)])

    page = client.v2.billing.intents.actions.list(intent.id, params={"limit": 2})
    quantities = [
        a.subscribe.v1_subscription_details["items"][0].quantity for a in page.auto_paging_iter()
    ]
    assert quantities == [1, 2, 3, 4, 5]


def expect_error(call, status, code, cls=stripe.InvalidRequestError):
    with pytest.raises(cls) as info:
        call()
    assert info.value.http_status == status, info.value
    assert info.value.code == code, info.value
    return info.value


def test_errors_surface_as_invalid_request_errors_with_code_and_status(client):
    intents = client.v2.billing.intents
    missing = "bilint_61SbQ4ZVMJ2ESqq2416S40x4RVA8P2F2ShZStd6x6RCy"
    for call in (
        lambda: intents.retrieve(missing),
        lambda: intents.reserve(missing),
        lambda: intents.release_reservation(missing),
        lambda: intents.commit(missing),
        lambda: intents.cancel(missing),
        lambda: intents.actions.list(missing),
    ):
        expect_error(call, 404, "billing_intent_not_found")

    seat = price(client, 2000)
    draft = create_intent(client, [subscribe(seat)])
    expect_error(lambda: intents.commit(draft.id), 400, "invalid_status_for_commit")
    expect_error(lambda: intents.release_reservation(draft.id), 400, "invalid_status_for_release")
    expect_error(
        lambda: intents.actions.retrieve(draft.id, "bilinti_missing"), 404, "billing_intent_action_not_found"
    )

    intents.reserve(draft.id)
    expect_error(lambda: intents.reserve(draft.id), 400, "invalid_status_for_reserve")
    expect_error(
        lambda: intents.commit(draft.id, params={"payment_intent": "pi_missing"}), 404, "payment_intent_not_found"
    )
    intents.cancel(draft.id)
    expect_error(lambda: intents.cancel(draft.id), 400, "invalid_status_for_cancel")

    tiny = create_intent(client, [subscribe(price(client, 10))])
    expect_error(lambda: intents.reserve(tiny.id), 400, "amount_too_small")
    huge = create_intent(client, [subscribe(price(client, 60_000_000), 2)])
    expect_error(lambda: intents.reserve(huge.id), 400, "amount_too_large")

    expect_error(
        lambda: create_intent(client, [subscribe(seat)], cadence="bc_missing"), 404, "billing_cadence_not_found"
    )
    err = expect_error(lambda: create_intent(client, [subscribe("price_missing")]), 404, "price_not_found")
    assert err.param == "actions[0].subscribe.v1_subscription_details.items[0].price"
    err = expect_error(
        lambda: create_intent(client, [{"type": "subscribe", "subscribe": {"type": "v3"}}]), 400, "invalid_fields"
    )
    assert err.param == "actions[0].subscribe.type"


def test_cadence_data_becomes_a_cadence_on_commit(client):
    customer = client.v1.customers.create(params={"email": "payer@example.com"})
    seat = price(client, 2000)
    intent = create_intent(
        client,
        [subscribe(seat)],
        cadence_data={
            "billing_cycle": {"type": "month", "month": {"day_of_month": 1}},
            "payer": {"billing_profile_data": {"customer": customer.id}},
        },
    )
    assert intent.cadence_data.billing_cycle.type == "month"
    assert intent.cadence_data.payer.billing_profile_data.customer == customer.id
    client.v2.billing.intents.reserve(intent.id)
    committed = client.v2.billing.intents.commit(intent.id)
    assert committed.cadence.startswith("bc_")
    cadence = client.v2.billing.cadences.retrieve(committed.cadence)
    assert isinstance(cadence, stripe.v2.billing.Cadence)
    assert cadence.payer.customer == customer.id
    assert cadence.billing_cycle.month.day_of_month == 1
