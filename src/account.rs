//! [`Account`]: direct access to one account of a running [`crate::MockServer`], for assertions
//! and set-up without going through HTTP. Objects come back as the JSON the API would return
//! (in the shapes of requests that name no `Stripe-Version`).

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::fixtures::{self, Summary};
use crate::http::AppState;
use crate::http::de::Mode;
use crate::http::v1::customers::CustomerView;
use crate::http::v1::payment_intents::PaymentIntentView;
use crate::http::v1::products::ProductView;
use crate::http::v1::views::{CouponView, InvoiceItemView, InvoiceView, PriceView};
use crate::http::v2::Shape;
use crate::http::v2::billing_intents::IntentView;
use crate::store::AccountKey;
use crate::version::ApiVersion;

/// One account (a secret key, optionally with a connected account) of a server.
#[derive(Debug)]
pub struct Account<'a> {
    state: &'a AppState,
    key: AccountKey,
}

fn json<T: Serialize>(view: T) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

impl<'a> Account<'a> {
    pub(crate) fn new(state: &'a AppState, api_key: &str, connected: Option<&str>) -> Self {
        Account {
            state,
            key: AccountKey::new(api_key, connected),
        }
    }

    /// The version this account's requests get without `Stripe-Version` on `mode` paths, in
    /// which this handle renders objects.
    fn api_version(&self, mode: Mode) -> ApiVersion {
        self.state.versions.default_for(Some(&self.key), mode)
    }

    /// Sets the version this account's requests get when they send no `Stripe-Version`
    /// (`None`: back to the server's default).
    ///
    /// # Errors
    /// A version Stripe never published; too many accounts with a default of their own.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// server.account("sk_test_old").set_api_version(Some("2024-09-30.acacia")).unwrap();
    /// let reply = reqwest::Client::new()
    ///     .get(format!("{}/v1/customers", server.uri()))
    ///     .bearer_auth("sk_test_old")
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// assert_eq!(reply.headers()["stripe-version"], "2024-09-30.acacia");
    /// assert!(server.account("sk_test_old").set_api_version(Some("2024-13-01")).is_err());
    /// # }
    /// ```
    pub fn set_api_version(&self, version: Option<&str>) -> Result<()> {
        let version = version
            .map(|v| crate::http::versions::named(v.as_bytes()))
            .transpose()?;
        self.state.versions.set_account(&self.key, version)
    }

    /// The customer `id`, as `GET /v1/customers/{id}` would return it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// account.load_fixtures(&serde_json::json!({"customers": [{"id": "cus_a", "name": "Alice"}]})).unwrap();
    /// assert_eq!(account.customer("cus_a").unwrap()["name"], "Alice");
    /// # }
    /// ```
    pub fn customer(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .customer(&self.key, id)
            .ok()
            .map(|c| json(CustomerView::from(&c)))
    }

    /// The product `id`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// account.load_fixtures(&serde_json::json!({"products": [{"id": "prod_a", "name": "Tea"}]})).unwrap();
    /// assert_eq!(account.product("prod_a").unwrap()["name"], "Tea");
    /// # }
    /// ```
    pub fn product(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .product(&self.key, id)
            .ok()
            .map(|p| json(ProductView::new(&p, self.api_version(Mode::V1))))
    }

    /// The price `id`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// let doc = serde_json::json!({"prices": [{"id": "price_a", "currency": "usd", "unit_amount": 500, "product_data": {"name": "Tea"}}]});
    /// account.load_fixtures(&doc).unwrap();
    /// assert_eq!(account.price("price_a").unwrap()["unit_amount"], 500);
    /// # }
    /// ```
    pub fn price(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .price(&self.key, id)
            .ok()
            .map(|p| json(PriceView::from(&p)))
    }

    /// The coupon `id`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// account.load_fixtures(&serde_json::json!({"coupons": [{"id": "TEN", "percent_off": 10}]})).unwrap();
    /// assert_eq!(account.coupon("TEN").unwrap()["percent_off"], 10.0);
    /// # }
    /// ```
    pub fn coupon(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .coupon(&self.key, id)
            .ok()
            .map(|c| json(CouponView::from(&c)))
    }

    /// The payment intent `id`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// account.load_fixtures(&serde_json::json!({"payment_intents": [{"id": "pi_a", "amount": 2000, "currency": "usd"}]})).unwrap();
    /// assert_eq!(account.payment_intent("pi_a").unwrap()["status"], "requires_payment_method");
    /// # }
    /// ```
    pub fn payment_intent(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .payment_intent(&self.key, id)
            .ok()
            .map(|p| json(PaymentIntentView::new(&p, self.api_version(Mode::V1))))
    }

    /// The billing intent `id`, as `GET /v2/billing/intents/{id}` would return it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// let doc = serde_json::json!({
    ///     "prices": [{"id": "price_a", "currency": "usd", "unit_amount": 500, "product_data": {"name": "Tea"}}],
    ///     "billing_intents": [{"id": "bilint_a", "currency": "usd", "status": "reserved", "actions": [{"type": "subscribe",
    ///         "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": "price_a"}]}}}]}]
    /// });
    /// account.load_fixtures(&doc).unwrap();
    /// assert_eq!(account.billing_intent("bilint_a").unwrap()["status"], "reserved");
    /// # }
    /// ```
    pub fn billing_intent(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .intent(&self.key, id)
            .ok()
            .map(|i| json(IntentView::new(&i, Shape::of(self.api_version(Mode::V2)))))
    }

    /// The invoice `id`, as `GET /v1/invoices/{id}` would return it (lines embedded).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// let doc = serde_json::json!({
    ///     "customers": [{"id": "cus_a"}],
    ///     "invoices": [{"id": "in_a", "customer": "cus_a", "lines": [{"amount": 799}, {"amount": 199}]}]
    /// });
    /// account.load_fixtures(&doc).unwrap();
    /// assert_eq!(account.invoice("in_a").unwrap()["total"], 998);
    /// # }
    /// ```
    pub fn invoice(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .invoice(&self.key, id)
            .ok()
            .map(|snap| json(InvoiceView::stored(&snap, self.api_version(Mode::V1))))
    }

    /// The invoice item `id`, as `GET /v1/invoiceitems/{id}` would return it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// let doc = serde_json::json!({
    ///     "customers": [{"id": "cus_a"}],
    ///     "invoice_items": [{"id": "ii_a", "customer": "cus_a", "amount": 199, "currency": "usd"}]
    /// });
    /// account.load_fixtures(&doc).unwrap();
    /// assert_eq!(account.invoice_item("ii_a").unwrap()["invoice"], serde_json::Value::Null);
    /// # }
    /// ```
    pub fn invoice_item(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .invoice_item(&self.key, id)
            .ok()
            .map(|item| json(InvoiceItemView::new(&item, self.api_version(Mode::V1))))
    }

    /// Loads a fixture document into this account, all or nothing.
    ///
    /// # Errors
    /// An invalid document, naming the offending path; nothing is loaded then.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// let bad = serde_json::json!({"prices": [{"currency": "usd"}]});
    /// assert!(account.load_fixtures(&bad).is_err());
    /// let summary = account.load_fixtures(&serde_json::json!({"customers": [{"email": "a@example.com"}]})).unwrap();
    /// assert_eq!(summary.customers, 1);
    /// # }
    /// ```
    pub fn load_fixtures(&self, document: &Value) -> Result<Summary> {
        fixtures::load(&self.state.store, &self.key, document)
    }

    /// Removes every object of this secret key's accounts, its journal entries, faults and
    /// idempotency keys.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// account.load_fixtures(&serde_json::json!({"customers": [{"id": "cus_a"}]})).unwrap();
    /// account.reset();
    /// assert!(account.customer("cus_a").is_none());
    /// # }
    /// ```
    pub fn reset(&self) {
        self.state.reset_api_key(self.key.api_key());
    }
}
