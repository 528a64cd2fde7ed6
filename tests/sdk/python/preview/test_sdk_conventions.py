"""Cross-cutting conventions as stripe-python 16.1.0a4 sees them.

Idempotent retries, both error envelopes with their `Request-Id`, the SDK's own retries against
faults injected through the mock's control plane, `IdempotencyError`, and auto-pagination of
the v2 lists over several pages. The SDK is used as shipped: only its base address points at
the mock.
"""

import json
import urllib.parse
import urllib.request
import uuid

import pytest
import stripe


def control(mock_url, method, path, body=None, query=None):
    """Calls the mock's control plane (`/_mock/...`, no API key) and returns the JSON body."""
    url = mock_url + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def inject(mock_url, api_key, **fault):
    """Registers a fault limited to this test's key."""
    return control(mock_url, "POST", "/_mock/faults", {"api_key": api_key, **fault})


def received(mock_url, api_key, path_prefix=None):
    """The requests this test's key sent, oldest first."""
    query = {"api_key": api_key}
    if path_prefix:
        query["path_prefix"] = path_prefix
    return control(mock_url, "GET", "/_mock/requests", query=query)["data"]


def header(entry, name):
    return next((v for k, v in entry["headers"] if k.lower() == name), None)


def client_for(mock_url, api_key, **options):
    return stripe.StripeClient(api_key, base_addresses={"api": mock_url}, **options)


@pytest.fixture
def client(mock_url, api_key):
    return client_for(mock_url, api_key)


def price(client, amount=2000):
    return client.v1.prices.create(
        params={
            "currency": "usd",
            "unit_amount": amount,
            "product_data": {"name": "Conventions product"},
        }
    )


def intent_params(price_id, quantity=1):
    return {
        "currency": "usd",
        "actions": [
            {
                "type": "subscribe",
                "subscribe": {
                    "type": "v1_subscription_details",
                    "v1_subscription_details": {
                        "items": [{"price": price_id, "quantity": quantity}]
                    },
                },
            }
        ],
    }


def all_intents(client):
    return [i.id for i in client.v2.billing.intents.list().auto_paging_iter()]


# ----- idempotency -----


def test_repeating_a_create_with_the_same_idempotency_key_returns_the_same_intent(client):
    p = price(client)
    key = f"conventions-{uuid.uuid4()}"
    first = client.v2.billing.intents.create(
        params=intent_params(p.id), options={"idempotency_key": key}
    )
    second = client.v2.billing.intents.create(
        params=intent_params(p.id), options={"idempotency_key": key}
    )

    assert isinstance(second, stripe.v2.billing.Intent)
    assert second.id == first.id
    assert second.to_dict() == first.to_dict()
    assert first.last_response.headers.get("idempotent-replayed") is None
    assert second.last_response.headers["idempotent-replayed"] == "true"
    assert second.last_response.idempotency_key == key
    assert all_intents(client) == [first.id], "the replay created nothing"


def test_an_idempotent_replay_of_a_state_change_does_not_apply_it_twice(client):
    p = price(client)
    intent = client.v2.billing.intents.create(params=intent_params(p.id))
    key = f"reserve-{uuid.uuid4()}"
    reserved = client.v2.billing.intents.reserve(intent.id, options={"idempotency_key": key})
    again = client.v2.billing.intents.reserve(intent.id, options={"idempotency_key": key})

    assert reserved.status == "reserved"
    assert again.to_dict() == reserved.to_dict()
    with pytest.raises(stripe.InvalidRequestError) as fresh_key:
        client.v2.billing.intents.reserve(intent.id)
    assert fresh_key.value.code == "invalid_status_for_reserve"


def test_reusing_a_key_with_other_parameters_raises_idempotency_error(client):
    p = price(client)
    key = f"conventions-{uuid.uuid4()}"
    client.v2.billing.intents.create(params=intent_params(p.id), options={"idempotency_key": key})

    with pytest.raises(stripe.IdempotencyError) as v2_err:
        client.v2.billing.intents.create(
            params=intent_params(p.id, quantity=2), options={"idempotency_key": key}
        )
    assert v2_err.value.http_status == 400
    assert v2_err.value.request_id.startswith("req_")
    assert key in v2_err.value.user_message

    v1_key = f"conventions-v1-{uuid.uuid4()}"
    client.v1.customers.create(params={"email": "a@example.com"}, options={"idempotency_key": v1_key})
    with pytest.raises(stripe.IdempotencyError) as v1_err:
        client.v1.customers.create(
            params={"email": "b@example.com"}, options={"idempotency_key": v1_key}
        )
    assert v1_err.value.http_status == 400
    assert v1_err.value.error.type == "idempotency_error"
    assert len(all_intents(client)) == 1
    assert [c.email for c in client.v1.customers.list().auto_paging_iter()] == ["a@example.com"]


def test_the_sdk_sends_its_own_idempotency_key_on_every_post(mock_url, api_key, client):
    p = price(client)
    intent = client.v2.billing.intents.create(params=intent_params(p.id))
    posts = [r for r in received(mock_url, api_key) if r["method"] == "POST"]

    assert [r["path"] for r in posts] == ["/v1/prices", "/v2/billing/intents"]
    keys = [header(r, "idempotency-key") for r in posts]
    assert all(keys) and len(set(keys)) == 2
    assert intent.last_response.idempotency_key == keys[1]


# ----- error envelopes and Request-Id -----


def test_a_v1_error_surfaces_with_the_request_id_of_its_response(mock_url, api_key, client):
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.customers.retrieve("cus_missing")

    e = err.value
    assert (e.http_status, e.code, e.param) == (404, "resource_missing", "id")
    assert e.error.type == "invalid_request_error"
    assert e.error.doc_url == "https://stripe.com/docs/error-codes/resource-missing"
    last = received(mock_url, api_key)[-1]
    assert last["path"] == "/v1/customers/cus_missing"
    assert e.request_id == last["request_id"]
    assert e.request_id.startswith("req_")
    assert str(e).startswith(f"Request {e.request_id}: ")


def test_a_v2_error_surfaces_with_the_request_id_of_its_response(mock_url, api_key, client):
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v2.billing.intents.retrieve("bilint_missing")

    e = err.value
    assert (e.http_status, e.code) == (404, "billing_intent_not_found")
    assert e.json_body["error"]["type"] == "invalid_request_error"
    assert "doc_url" not in e.json_body["error"], "the v2 envelope has no doc_url"
    last = received(mock_url, api_key)[-1]
    assert last["path"] == "/v2/billing/intents/bilint_missing"
    assert e.request_id == last["request_id"]
    assert str(e).startswith(f"Request {e.request_id}: ")


def test_a_v2_validation_error_names_the_parameter(client):
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v2.billing.intents.create(params={"currency": "usd"})
    assert (err.value.http_status, err.value.code) == (400, "parameter_missing")
    assert err.value.json_body["error"]["param"] == "actions"

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v2.billing.intents.create(
            params={"currency": "usd", "actions": [], "surprise": True}
        )
    assert unknown.value.http_status == 400
    assert unknown.value.request_id.startswith("req_")


def test_a_bad_key_is_an_authentication_error_on_both_api_versions(mock_url):
    bad = client_for(mock_url, "sk_test_")
    with pytest.raises(stripe.AuthenticationError) as v1:
        bad.v1.customers.list()
    with pytest.raises(stripe.AuthenticationError) as v2:
        bad.v2.billing.intents.list()
    assert v1.value.http_status == v2.value.http_status == 401
    # The SDK maps a 401 by its status and keeps the body: the v2 error has a code, v1's none.
    codes = (v1.value.json_body["error"].get("code"), v2.value.json_body["error"].get("code"))
    assert codes == (None, "api_key_invalid")
    assert v1.value.request_id.startswith("req_")
    assert v2.value.request_id.startswith("req_")


# ----- SDK retries against injected faults -----


def test_the_sdk_retries_injected_server_errors_and_then_succeeds(mock_url, api_key, client):
    p = price(client)
    inject(mock_url, api_key, method="POST", path="/v2/billing/intents", status=500, times=2)
    retrying = client_for(mock_url, api_key, max_network_retries=2)

    intent = retrying.v2.billing.intents.create(params=intent_params(p.id))

    assert intent.status == "draft"
    attempts = received(mock_url, api_key, "/v2/billing/intents")
    assert [r["status"] for r in attempts] == [500, 500, 200]
    keys = {header(r, "idempotency-key") for r in attempts}
    assert len(keys) == 1, "every retry carries the same Idempotency-Key"
    assert all_intents(client) == [intent.id]


def test_the_sdk_retries_conflicts_and_dropped_connections(mock_url, api_key, client):
    p = price(client)
    intent = client.v2.billing.intents.create(params=intent_params(p.id))
    reserve = f"/v2/billing/intents/{intent.id}/reserve"
    inject(mock_url, api_key, method="POST", path=reserve, status=409)
    inject(mock_url, api_key, method="POST", path=reserve, close_connection=True)
    retrying = client_for(mock_url, api_key, max_network_retries=2)

    reserved = retrying.v2.billing.intents.reserve(intent.id)

    assert reserved.status == "reserved"
    statuses = [r["status"] for r in received(mock_url, api_key, reserve)]
    assert statuses[0] == 409 and statuses[-1] == 200 and len(statuses) == 3


def test_stripe_should_retry_overrides_the_status_rules(mock_url, api_key, client):
    retrying = client_for(mock_url, api_key, max_network_retries=2)
    inject(
        mock_url,
        api_key,
        method="GET",
        path="/v2/billing/intents",
        status=503,
        should_retry=False,
        error={"type": "api_error", "code": "service_down", "message": "Not now."},
    )
    with pytest.raises(stripe.APIError) as err:
        retrying.v2.billing.intents.list()
    assert (err.value.http_status, err.value.error.code) == (503, "service_down")
    assert len(received(mock_url, api_key, "/v2/billing/intents")) == 1, "no retry"

    inject(
        mock_url,
        api_key,
        method="GET",
        path="/v1/customers",
        status=400,
        should_retry=True,
        error={"type": "invalid_request_error", "code": "lock_timeout", "message": "Busy."},
    )
    assert list(retrying.v1.customers.list().auto_paging_iter()) == []
    assert [r["status"] for r in received(mock_url, api_key, "/v1/customers")] == [400, 200]


def test_without_retries_an_injected_fault_reaches_the_caller_with_its_request_id(
    mock_url, api_key, client
):
    inject(mock_url, api_key, method="GET", path="/v2/billing/*", status=500)
    with pytest.raises(stripe.APIError) as err:
        client.v2.billing.intents.list()
    assert err.value.http_status == 500
    assert err.value.request_id == received(mock_url, api_key)[-1]["request_id"]
    assert client.v2.billing.intents.list().data == []


# ----- v2 list pagination -----


def subscribe(price_id, quantity):
    return intent_params(price_id, quantity)["actions"][0]


def test_auto_pagination_walks_every_intent_newest_first(mock_url, api_key, client):
    p = price(client)
    created = [client.v2.billing.intents.create(params=intent_params(p.id)).id for _ in range(23)]

    walked = list(client.v2.billing.intents.list(params={"limit": 10}).auto_paging_iter())

    assert [i.id for i in walked] == created[::-1]
    assert all(isinstance(i, stripe.v2.billing.Intent) for i in walked)
    pages = [r for r in received(mock_url, api_key, "/v2/billing/intents") if r["method"] == "GET"]
    assert len(pages) == 3, "10 + 10 + 3"
    assert all("page=" in r["query"] for r in pages[1:])


def test_auto_pagination_walks_every_action_of_an_intent(mock_url, api_key, client):
    p = price(client, amount=100)
    intent = client.v2.billing.intents.create(
        params={"currency": "usd", "actions": [subscribe(p.id, q) for q in range(1, 26)]}
    )
    assert intent.amount_details.total == str(100 * 25 * 26 // 2)

    walked = list(
        client.v2.billing.intents.actions.list(intent.id, params={"limit": 10}).auto_paging_iter()
    )

    assert all(isinstance(a, stripe.v2.billing.IntentAction) for a in walked)
    quantities = [a.subscribe.v1_subscription_details["items"][0]["quantity"] for a in walked]
    assert quantities == list(range(1, 26)), "request order"
    assert len({a.id for a in walked}) == 25
    assert len(received(mock_url, api_key, f"/v2/billing/intents/{intent.id}/actions")) == 3
