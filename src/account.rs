//! [`Account`]: direct access to one account of a running [`crate::MockServer`], for assertions
//! and set-up without going through HTTP. Objects come back as the JSON the API would return
//! (in the shapes of requests that name no `Stripe-Version`).

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::fixtures::{self, Summary};
use crate::http::AppState;
use crate::http::v1::coupons::CouponView;
use crate::http::v1::customers::CustomerView;
use crate::http::v1::invoice_items::InvoiceItemView;
use crate::http::v1::invoices::InvoiceView;
use crate::http::v1::payment_intents::PaymentIntentView;
use crate::http::v1::prices::PriceView;
use crate::http::v1::products::ProductView;
use crate::http::v2::Shape;
use crate::http::v2::billing_intents::IntentView;
use crate::store::AccountKey;

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

    /// The customer `id`, as `GET /v1/customers/{id}` would return it.
    pub fn customer(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .customer(&self.key, id)
            .ok()
            .map(|c| json(CustomerView::from(&c)))
    }

    /// The product `id`.
    pub fn product(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .product(&self.key, id)
            .ok()
            .map(|p| json(ProductView::from(&p)))
    }

    /// The price `id`.
    pub fn price(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .price(&self.key, id)
            .ok()
            .map(|p| json(PriceView::from(&p)))
    }

    /// The coupon `id`.
    pub fn coupon(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .coupon(&self.key, id)
            .ok()
            .map(|c| json(CouponView::from(&c)))
    }

    /// The payment intent `id`.
    pub fn payment_intent(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .payment_intent(&self.key, id)
            .ok()
            .map(|p| json(PaymentIntentView::from(&p)))
    }

    /// The billing intent `id`, as `GET /v2/billing/intents/{id}` would return it.
    pub fn billing_intent(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .intent(&self.key, id)
            .ok()
            .map(|i| json(IntentView::new(&i, Shape::for_version(None))))
    }

    /// The invoice `id`, as `GET /v1/invoices/{id}` would return it (lines embedded).
    pub fn invoice(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .invoice(&self.key, id)
            .ok()
            .map(|snap| json(InvoiceView::stored(&snap)))
    }

    /// The invoice item `id`, as `GET /v1/invoiceitems/{id}` would return it.
    pub fn invoice_item(&self, id: &str) -> Option<Value> {
        self.state
            .store
            .invoice_item(&self.key, id)
            .ok()
            .map(|item| json(InvoiceItemView::from(&item)))
    }

    /// Loads a fixture document into this account, all or nothing.
    ///
    /// # Errors
    /// An invalid document, naming the offending path; nothing is loaded then.
    pub fn load_fixtures(&self, document: &Value) -> Result<Summary> {
        fixtures::load(&self.state.store, &self.key, document)
    }

    /// Removes every object of this secret key's accounts, its journal entries, faults and
    /// idempotency keys.
    pub fn reset(&self) {
        self.state.reset_api_key(self.key.api_key());
    }
}
