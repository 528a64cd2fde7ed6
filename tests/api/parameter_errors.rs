//! Parameter errors of the catalog endpoints and of `report_payment`, as Stripe answers them:
//! status, code, parameter and message, for the enums (whose message lists the allowed values),
//! bounded integers, checks across parameters and unknown or missing nested parameters.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Sends each case of `cases`, `[method, path, parameters, status, code, param, message]` with
/// its parameters after `base`, and checks the error: its status, code (`null` for none),
/// parameter and message.
async fn assert_errors(app: &TestApp, base: &[(&str, &str)], cases: Value) {
    for case in cases.as_array().into_iter().flatten() {
        let method = Method::from_bytes(case[0].as_str().unwrap_or("").as_bytes()).expect("method");
        let path = case[1].as_str().unwrap_or("");
        let mut params: Vec<(&str, &str)> = base.to_vec();
        for (k, v) in case[2].as_object().into_iter().flatten() {
            params.push((k, v.as_str().unwrap_or("")));
        }
        let r = app.send(method, path, &params).await;
        assert_eq!(r.status.as_u16(), case[3], "{case}: {}", r.text);
        let error = &r.body["error"];
        assert_eq!(
            error.get("code").unwrap_or(&Value::Null),
            &case[4],
            "{case}"
        );
        assert_eq!(error["param"], case[5], "{case}");
        assert_eq!(error["message"], case[6], "{case}");
        assert_eq!(error["type"], "invalid_request_error", "{case}");
    }
}

/// Products: the `type` enum, booleans, strings sent as objects, unknown parameters of every
/// route.
#[tokio::test]
async fn products_parameter_errors() {
    let app = TestApp::spawn().await;
    app.post_ok("/v1/products", &[("id", "prod_p"), ("name", "P")])
        .await;
    let cases = json!([
        ["POST", "/v1/products", {"name": "x", "type": "bundle"}, 400, null, "type", "Invalid type: must be one of good, service; got 'bundle'."],
        ["POST", "/v1/products", {"name": "x", "active": "maybe"}, 400, null, "active", "Invalid boolean: maybe. Expected `true` or `false`."],
        ["POST", "/v1/products", {"name[a]": "x"}, 400, null, "name", "Invalid name: expected a string, got an object."],
        ["POST", "/v1/products/prod_p", {"active": "x"}, 400, null, "active", "Invalid boolean: x. Expected `true` or `false`."],
        ["POST", "/v1/products/prod_p", {"description[x]": "x"}, 400, null, "description", "Invalid description: expected a string, got an object."],
        ["POST", "/v1/products/prod_p", {"foo": "x"}, 400, "parameter_unknown", "foo", "Received unknown parameter: foo"],
        ["GET", "/v1/products/prod_p", {"foo": "1"}, 400, "parameter_unknown", "foo", "Received unknown parameter: foo"],
        ["DELETE", "/v1/products/prod_p", {"x": "1"}, 400, "parameter_unknown", "x", "Received unknown parameter: x"],
        ["GET", "/v1/products", {"active": "nah"}, 400, null, "active", "Invalid boolean: nah. Expected `true` or `false`."],
        ["GET", "/v1/products", {"limit": "2", "bogus": "1"}, 400, "parameter_unknown", "bogus", "Received unknown parameter: bogus"],
    ]);
    assert_errors(&app, &[], cases).await;
}

/// Prices: the currency, the unit amount's exclusive forms, the product's, `recurring` (missing,
/// bounded, enum, unknown nested) and the other enums.
#[tokio::test]
async fn prices_parameter_errors() {
    let app = TestApp::spawn().await;
    app.post_ok("/v1/products", &[("id", "prod_p"), ("name", "P")])
        .await;
    let cases = json!([
        ["POST", "/v1/prices", {"currency": "usdx", "unit_amount": "1", "product": "prod_p"}, 400, null, "currency", "Invalid currency: usdx. Stripe currencies are three-letter ISO codes."],
        ["POST", "/v1/prices", {"currency": "", "unit_amount": "1", "product": "prod_p"}, 400, "parameter_invalid_empty", "currency", "You passed an empty value for 'currency'. We assume empty values are an attempt to unset a parameter; however 'currency' cannot be unset. You should remove 'currency' from your request or supply a non-empty value."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "unit_amount_decimal": "1", "product": "prod_p"}, 400, "parameters_exclusive", "unit_amount", "You may only specify one of these parameters: unit_amount, unit_amount_decimal."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount_decimal": "1.5", "product": "prod_p"}, 400, null, "unit_amount_decimal", "Invalid unit_amount_decimal: 1.5. Fractional minor units are not supported by this mock."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "-1", "product": "prod_p"}, 400, null, "unit_amount", "Invalid unit_amount: must be greater than or equal to 0."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount_decimal": "-3", "product": "prod_p"}, 400, null, "unit_amount", "Invalid unit_amount: must be greater than or equal to 0."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "product_data[name]": "x"}, 400, "parameters_exclusive", "product", "You may only specify one of these parameters: product, product_data."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1"}, 400, "parameter_missing", "product", "Missing required param: product."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product_data[name]": ""}, 400, "parameter_invalid_empty", "product_data[name]", "You passed an empty value for 'product_data[name]'. We assume empty values are an attempt to unset a parameter; however 'product_data[name]' cannot be unset. You should remove 'product_data[name]' from your request or supply a non-empty value."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product_data": "x"}, 400, null, "product_data", "Invalid product_data: expected an object, got a string."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "recurring[interval]": ""}, 400, "parameter_missing", "recurring[interval]", "Missing required param: recurring[interval]."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "recurring[usage_type]": "metered"}, 400, "parameter_missing", "recurring[interval]", "Missing required param: recurring[interval]."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "recurring[interval]": "day", "recurring[interval_count]": "366"}, 400, "parameter_invalid_integer", "recurring[interval_count]", "Invalid value for interval_count: must be between 1 and 365, got 366."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "recurring[interval]": "day", "recurring[usage_type]": "rented"}, 400, null, "recurring[usage_type]", "Invalid recurring[usage_type]: must be one of licensed, metered; got 'rented'."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "recurring[interval]": "day", "recurring[nope]": "1"}, 400, "parameter_unknown", "recurring[nope]", "Received unknown parameter: recurring[nope]"],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "recurring": "month"}, 400, null, "recurring", "Invalid recurring: expected an object, got a string."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "tax_behavior": "sometimes"}, 400, null, "tax_behavior", "Invalid tax_behavior: must be one of exclusive, inclusive, unspecified; got 'sometimes'."],
        ["POST", "/v1/prices", {"currency": "usd", "unit_amount": "1", "product": "prod_p", "billing_scheme": "tiered"}, 400, null, "billing_scheme", "Invalid billing_scheme: must be one of per_unit; got 'tiered'."],
        ["POST", "/v1/prices/price_nope", {"tax_behavior": "x"}, 400, null, "tax_behavior", "Invalid tax_behavior: must be one of exclusive, inclusive, unspecified; got 'x'."],
        ["POST", "/v1/prices/price_nope", {"unit_amount": "1"}, 400, "parameter_unknown", "unit_amount", "Received unknown parameter: unit_amount"],
        ["GET", "/v1/prices", {"active": "x"}, 400, null, "active", "Invalid boolean: x. Expected `true` or `false`."],
        ["GET", "/v1/prices", {"type": "x"}, 400, "parameter_unknown", "type", "Received unknown parameter: type"],
        ["GET", "/v1/prices/price_nope", {"x": "1"}, 400, "parameter_unknown", "x", "Received unknown parameter: x"],
    ]);
    assert_errors(&app, &[], cases).await;
}

/// Coupons: percent or amount off, the currency an amount needs, the duration and the bounded
/// integers.
#[tokio::test]
async fn coupons_parameter_errors() {
    let app = TestApp::spawn().await;
    app.post_ok("/v1/coupons", &[("id", "C1"), ("percent_off", "5")])
        .await;
    let cases = json!([
        ["POST", "/v1/coupons", {"amount_off": "500", "currency": ""}, 400, "parameter_invalid_empty", "currency", "You passed an empty value for 'currency'. We assume empty values are an attempt to unset a parameter; however 'currency' cannot be unset. You should remove 'currency' from your request or supply a non-empty value."],
        ["POST", "/v1/coupons", {"amount_off": "500", "currency": "e"}, 400, null, "currency", "Invalid currency: e. Stripe currencies are three-letter ISO codes."],
        ["POST", "/v1/coupons", {"amount_off": "0", "currency": "usd"}, 400, null, "amount_off", "Invalid amount_off: must be a positive integer."],
        ["POST", "/v1/coupons", {"amount_off": "x"}, 400, "parameter_invalid_integer", "amount_off", "Invalid integer: x"],
        ["POST", "/v1/coupons", {"percent_off": "0"}, 400, null, "percent_off", "Invalid percent_off: must be greater than 0 and at most 100."],
        ["POST", "/v1/coupons", {"percent_off": "101"}, 400, null, "percent_off", "Invalid percent_off: must be greater than 0 and at most 100."],
        ["POST", "/v1/coupons", {"percent_off": "abc"}, 400, null, "percent_off", "Invalid decimal: abc"],
        ["POST", "/v1/coupons", {"percent_off": "10", "amount_off": "10"}, 400, "parameters_exclusive", "amount_off", "You may only specify one of these parameters: amount_off, percent_off."],
        ["POST", "/v1/coupons", {}, 400, "parameter_missing", "percent_off", "Missing required param: percent_off."],
        ["POST", "/v1/coupons", {"percent_off": "10", "duration": "weekly"}, 400, null, "duration", "Invalid duration: must be one of forever, once, repeating; got 'weekly'."],
        ["POST", "/v1/coupons", {"percent_off": "10", "duration": "repeating"}, 400, "parameter_missing", "duration_in_months", "Missing required param: duration_in_months."],
        ["POST", "/v1/coupons", {"percent_off": "10", "duration_in_months": "0"}, 400, "parameter_invalid_integer", "duration_in_months", "Invalid value for duration_in_months: must be between 1 and 1200, got 0."],
        ["POST", "/v1/coupons", {"percent_off": "10", "duration_in_months": "1201"}, 400, "parameter_invalid_integer", "duration_in_months", "Invalid value for duration_in_months: must be between 1 and 1200, got 1201."],
        ["POST", "/v1/coupons", {"percent_off": "10", "max_redemptions": "0"}, 400, "parameter_invalid_integer", "max_redemptions", "Invalid value for max_redemptions: must be between 1 and 9223372036854775807, got 0."],
        ["POST", "/v1/coupons", {"percent_off": "10", "redeem_by": "soon"}, 400, "parameter_invalid_integer", "redeem_by", "Invalid integer: soon"],
        ["POST", "/v1/coupons", {"percent_off": "10", "currency[x]": "usd"}, 400, null, "currency", "Invalid currency: expected a string, got an object."],
        ["POST", "/v1/coupons/C1", {"percent_off": "3"}, 400, "parameter_unknown", "percent_off", "Received unknown parameter: percent_off"],
        ["GET", "/v1/coupons", {"percent_off": "1"}, 400, "parameter_unknown", "percent_off", "Received unknown parameter: percent_off"],
        ["GET", "/v1/coupons/C1", {"x": "1"}, 400, "parameter_unknown", "x", "Received unknown parameter: x"],
        ["DELETE", "/v1/coupons/C1", {"x": "1"}, 400, "parameter_unknown", "x", "Received unknown parameter: x"],
    ]);
    assert_errors(&app, &[], cases).await;
}

/// Payment intents: the amount's limits, the currency, `payment_method_types` items, retrieve's
/// `client_secret`.
#[tokio::test]
async fn payment_intents_parameter_errors() {
    let app = TestApp::spawn().await;
    let cases = json!([
        ["POST", "/v1/payment_intents", {"amount": "10", "currency": "usd"}, 400, "amount_too_small", "amount", "Amount must be at least the minimum charge amount for the currency."],
        ["POST", "/v1/payment_intents", {"amount": "100000000", "currency": "usd"}, 400, "amount_too_large", "amount", "Amount must be no more than 99999999."],
        ["POST", "/v1/payment_intents", {"amount": "", "currency": "usd"}, 400, "parameter_invalid_empty", "amount", "You passed an empty value for 'amount'. We assume empty values are an attempt to unset a parameter; however 'amount' cannot be unset. You should remove 'amount' from your request or supply a non-empty value."],
        ["POST", "/v1/payment_intents", {"amount": "100", "currency": "zz"}, 400, null, "currency", "Invalid currency: zz. Stripe currencies are three-letter ISO codes."],
        ["POST", "/v1/payment_intents", {"amount": "100", "currency": "usd", "payment_method_types[a]": "card"}, 400, null, "payment_method_types", "Invalid payment_method_types: expected an array, got an object."],
        ["POST", "/v1/payment_intents", {"amount": "100", "currency": "usd", "payment_method_types[0][x]": "card"}, 400, null, "payment_method_types[0]", "Invalid payment_method_types[0]: expected a string, got an object."],
        ["POST", "/v1/payment_intents", {"amount": "100", "currency": "usd", "customer[x]": "c"}, 400, null, "customer", "Invalid customer: expected a string, got an object."],
        ["GET", "/v1/payment_intents", {"status": "x"}, 400, "parameter_unknown", "status", "Received unknown parameter: status"],
        ["GET", "/v1/payment_intents/pi_nope", {"client_secret": "x"}, 404, "resource_missing", "intent", "No such payment_intent: 'pi_nope'"],
        ["GET", "/v1/payment_intents/pi_nope", {"x": "1"}, 400, "parameter_unknown", "x", "Received unknown parameter: x"],
    ]);
    assert_errors(&app, &[], cases).await;
}

/// `report_payment`: the positive value, the enums, the required nested fields (`""` reading as
/// missing for `processor_details[type]`) and unknown nested parameters.
#[tokio::test]
async fn payment_records_parameter_errors() {
    let app = TestApp::spawn().await;
    let reported = [
        ("amount_requested[currency]", "usd"),
        ("amount_requested[value]", "100"),
        ("initiated_at", "1"),
        ("payment_method_details[type]", "custom"),
    ];
    let cases = json!([
        ["POST", "/v1/payment_records/report_payment", {"outcome": "won"}, 400, null, "outcome", "Invalid outcome: must be one of canceled, failed, guaranteed; got 'won'."],
        ["POST", "/v1/payment_records/report_payment", {"customer_presence": "maybe"}, 400, null, "customer_presence", "Invalid customer_presence: must be one of off_session, on_session; got 'maybe'."],
        ["POST", "/v1/payment_records/report_payment", {"processor_details[type]": ""}, 400, "parameter_missing", "processor_details[type]", "Missing required param: processor_details[type]."],
        ["POST", "/v1/payment_records/report_payment", {"processor_details[custom][payment_reference]": "r"}, 400, "parameter_missing", "processor_details[type]", "Missing required param: processor_details[type]."],
        ["POST", "/v1/payment_records/report_payment", {"processor_details[type]": "stripe"}, 400, null, "processor_details[type]", "Invalid processor_details[type]: must be one of custom; got 'stripe'."],
        ["POST", "/v1/payment_records/report_payment", {"processor_details[type]": "custom", "processor_details[custom][payment_reference]": ""}, 400, "parameter_invalid_empty", "processor_details[custom][payment_reference]", "You passed an empty value for 'processor_details[custom][payment_reference]'. We assume empty values are an attempt to unset a parameter; however 'processor_details[custom][payment_reference]' cannot be unset. You should remove 'processor_details[custom][payment_reference]' from your request or supply a non-empty value."],
        ["POST", "/v1/payment_records/report_payment", {"processor_details[type]": "custom", "processor_details[custom][x]": "1"}, 400, "parameter_missing", "processor_details[custom][payment_reference]", "Missing required param: processor_details[custom][payment_reference]."],
        ["POST", "/v1/payment_records/report_payment", {"guaranteed[x]": "1"}, 400, "parameter_missing", "guaranteed[guaranteed_at]", "Missing required param: guaranteed[guaranteed_at]."],
        ["POST", "/v1/payment_records/report_payment", {"failed[failure_code]": "1"}, 400, "parameter_missing", "failed[failed_at]", "Missing required param: failed[failed_at]."],
        ["POST", "/v1/payment_records/report_payment", {"canceled[canceled_at]": "x"}, 400, "parameter_invalid_integer", "canceled[canceled_at]", "Invalid integer: x"],
        ["POST", "/v1/payment_records/report_payment", {"payment_method_details[custom][nope]": "1"}, 400, "parameter_unknown", "payment_method_details[custom][nope]", "Received unknown parameter: payment_method_details[custom][nope]"],
        ["POST", "/v1/payment_records/report_payment", {"customer_details[nope]": "1"}, 400, "parameter_unknown", "customer_details[nope]", "Received unknown parameter: customer_details[nope]"],
    ]);
    assert_errors(&app, &reported, cases).await;
    let cases = json!([
        ["POST", "/v1/payment_records/report_payment", {"amount_requested[currency]": "usd", "amount_requested[value]": "0", "initiated_at": "1", "payment_method_details[type]": "custom"}, 400, null, "amount_requested[value]", "Invalid value: must be a positive integer."],
        ["POST", "/v1/payment_records/report_payment", {"amount_requested[currency]": "usd", "amount_requested[value]": "-5"}, 400, null, "amount_requested[value]", "Invalid value: must be a positive integer."],
        ["POST", "/v1/payment_records/report_payment", {"amount_requested[currency]": "xx", "amount_requested[value]": "5"}, 400, null, "amount_requested[currency]", "Invalid currency: xx. Stripe currencies are three-letter ISO codes."],
        ["POST", "/v1/payment_records/report_payment", {"amount_requested[value]": "5"}, 400, "parameter_missing", "amount_requested[currency]", "Missing required param: amount_requested[currency]."],
        ["POST", "/v1/payment_records/report_payment", {"amount_requested": "", "initiated_at": "1"}, 400, "parameter_missing", "amount_requested", "Missing required param: amount_requested."],
        ["POST", "/v1/payment_records/report_payment", {"amount_requested[currency]": "usd", "amount_requested[value]": "5", "initiated_at": "1", "payment_method_details": ""}, 400, "parameter_missing", "payment_method_details", "Missing required param: payment_method_details."],
    ]);
    assert_errors(&app, &[], cases).await;
}

/// What the typed parameters accept that a stricter reading would refuse: a product's `type`,
/// any `currency` beside `percent_off` (ignored), empty `payment_method_types` items, and a
/// retrieve's `client_secret`.
#[tokio::test]
async fn accepted_compatibility_parameters() {
    let app = TestApp::spawn().await;
    let product = app
        .post_ok("/v1/products", &[("name", "P"), ("type", "service")])
        .await;
    assert_eq!(product["name"], "P");
    let coupon = app
        .post_ok(
            "/v1/coupons",
            &[("percent_off", "10"), ("currency", "not-a-currency")],
        )
        .await;
    assert_eq!(coupon["currency"], json!(null));
    let pi = app
        .post_ok(
            "/v1/payment_intents",
            &[
                ("amount", "100"),
                ("currency", "USD"),
                ("payment_method_types[0]", "card"),
                ("payment_method_types[1]", ""),
            ],
        )
        .await;
    assert_eq!(pi["currency"], "usd");
    let id = pi["id"].as_str().unwrap_or_default();
    let got = app
        .get(
            &format!("/v1/payment_intents/{id}"),
            &[("client_secret", "pi_secret")],
        )
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text);
    assert_eq!(got.body, pi);
}
