//! Fixture documents: realistic objects with fixed ids, loaded into an account through the
//! same parameter readers and store methods as the API, so a fixture is validated exactly like
//! a request.
//!
//! A document is a JSON object of arrays by object type, loaded in this order: `products`,
//! `prices`, `customers`, `coupons`, `payment_intents`, `billing_intents`, `invoice_items`,
//! `invoices`. Each element holds the API's create parameters plus an optional fixed `id`
//! (e.g. `cus_fixture_alice`). A billing intent may also name the `status` to bring it to
//! (`draft`, `reserved`, `committed`, `canceled`, through the real transitions) and the
//! `payment_intent` to commit with. An invoice may carry `lines` (`add_lines` parameters: new
//! lines, or `invoice_item` to attach a pending item) and a `status` (`draft`, `open`, `paid`,
//! `uncollectible`, `void`) reached by finalizing, paying and so on. v1 objects are read like
//! form parameters, billing intents like v2 JSON bodies (error paths follow each API's style).
//!
//! Loading is all or nothing: the document is applied to a staged copy of the account, which
//! replaces the account only if every object loaded; the first error is reported with its path.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;

use crate::domain::invoice::InvoiceStatus;
use crate::http::de::{self, Mode};
use crate::http::v1::invoice_lines::Lines;
use crate::http::v1::invoice_params::AddLineParams;
use crate::http::{v1, v2};
use crate::store::billing::{CommitParams, NewIntent};
use crate::store::catalog::{NewCoupon, NewCustomer, NewPaymentIntent, NewPrice, NewProduct};
use crate::store::invoicing::{NewInvoice, NewInvoiceItem};
use crate::store::{AccountKey, Store, Templates};

/// How many objects of each type a document loaded.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Products.
    pub products: usize,
    /// Prices.
    pub prices: usize,
    /// Customers.
    pub customers: usize,
    /// Coupons.
    pub coupons: usize,
    /// Payment intents.
    pub payment_intents: usize,
    /// Billing intents.
    pub billing_intents: usize,
    /// Invoice items.
    pub invoice_items: usize,
    /// Invoices.
    pub invoices: usize,
}

const SECTIONS: &[&str] = &[
    "products",
    "prices",
    "customers",
    "coupons",
    "payment_intents",
    "billing_intents",
    "invoice_items",
    "invoices",
];

/// Loads `doc` into `account`, all or nothing.
///
/// # Errors
/// A 400 naming the first invalid object's path; nothing is loaded then.
pub fn load(store: &Store, account: &AccountKey, doc: &Value) -> Result<Summary> {
    let (state, version) = store.snapshot(account);
    let staging = store.scratch();
    staging.put_account(account, state);
    let summary = apply(&staging, account, doc)?;
    store.replace_if_unchanged(account, staging.account_state(account), version)?;
    Ok(summary)
}

/// Builds the starting states of new accounts (test and live) from `docs`.
///
/// # Errors
/// As [`load`].
pub fn templates(store: &Store, docs: &[Value]) -> Result<Templates> {
    let staging = store.scratch();
    let test = AccountKey::new("sk_test_fixtures", None);
    let live = AccountKey::new("sk_live_fixtures", None);
    for doc in docs {
        apply(&staging, &test, doc)?;
        apply(&staging, &live, doc)?;
    }
    Ok(Templates {
        test: staging.account_state(&test).into(),
        live: staging.account_state(&live).into(),
    })
}

fn apply(store: &Store, account: &AccountKey, doc: &Value) -> Result<Summary> {
    // Loads record their objects' events, with no request, as changes outside the API do.
    let account = &crate::store::events::Actor::internal(account.clone());
    let Value::Object(doc) = doc else {
        return Err(fixture_error(
            "the document",
            "a fixture document must be a JSON object",
        ));
    };
    if let Some(unknown) = doc
        .keys()
        .find(|k| !SECTIONS.contains(&k.as_str()) && k.as_str() != "description")
    {
        return Err(fixture_error(
            unknown,
            &format!("unknown section; expected one of {}", SECTIONS.join(", ")),
        ));
    }
    Ok(Summary {
        products: each(doc, "products", Mode::V1, |fixture| {
            let params: v1::products::CreateParams = fixture.params()?;
            let new = NewProduct {
                id: fixture.id,
                ..params.into()
            };
            store.create_product(account, new).map(drop)
        })?,
        prices: each(doc, "prices", Mode::V1, |fixture| {
            let new: NewPrice = fixture.checked::<v1::prices::CreateParams, _>()?;
            let new = NewPrice {
                id: fixture.id,
                ..new
            };
            store.create_price(account, new).map(drop)
        })?,
        customers: each(doc, "customers", Mode::V1, |fixture| {
            let params: v1::customers::CreateParams = fixture.params()?;
            let new = NewCustomer {
                id: fixture.id,
                ..params.into()
            };
            store.create_customer(account, new).map(drop)
        })?,
        coupons: each(doc, "coupons", Mode::V1, |fixture| {
            let new: NewCoupon = fixture.checked::<v1::coupons::CreateParams, _>()?;
            let new = NewCoupon {
                id: fixture.id,
                ..new
            };
            store.create_coupon(account, new).map(drop)
        })?,
        payment_intents: each(doc, "payment_intents", Mode::V1, |fixture| {
            let new: NewPaymentIntent =
                fixture.checked::<v1::payment_intents::CreateParams, _>()?;
            let new = NewPaymentIntent {
                id: fixture.id,
                ..new
            };
            store.create_payment_intent(account, new).map(drop)
        })?,
        billing_intents: each(doc, "billing_intents", Mode::V2, |mut fixture| {
            let status: Option<IntentStatus> = fixture.take::<Option<_>>("status")?.flatten();
            let payment_intent = fixture.take::<Option<String>>("payment_intent")?.flatten();
            let params: v2::billing_intents::CreateParams = fixture.params()?;
            let new = NewIntent {
                id: fixture.id,
                ..NewIntent::try_from(params)?
            };
            let intent = store.create_intent(account, new)?;
            match status.unwrap_or(IntentStatus::Draft) {
                IntentStatus::Draft => Ok(()),
                IntentStatus::Reserved => store.reserve_intent(account, &intent.id).map(drop),
                IntentStatus::Committed => {
                    store.reserve_intent(account, &intent.id)?;
                    let commit = CommitParams {
                        payment_intent,
                        payment_record: None,
                    };
                    store.commit_intent(account, &intent.id, commit).map(drop)
                }
                IntentStatus::Canceled => store.cancel_intent(account, &intent.id).map(drop),
            }
        })?,
        invoice_items: each(doc, "invoice_items", Mode::V1, |fixture| {
            let params: v1::invoice_params::CreateItemParams = fixture.params()?;
            let new = NewInvoiceItem {
                id: fixture.id,
                ..v1::invoice_items::new_invoice_item(params, &fixture.path, None)?
            };
            store.create_invoice_item(account, new).map(drop)
        })?,
        invoices: each(doc, "invoices", Mode::V1, |mut fixture| {
            let status: Option<v1::invoices::StatusParam> = fixture.take("status")?;
            // `lines` are `add_lines` parameters, `invoice_metadata` included.
            let lines = match fixture.take_value::<Lines<AddLineParams>>("lines")? {
                Some(lines) => {
                    let metadata = fixture.take_value("invoice_metadata")?.unwrap_or_default();
                    let at = de::child_path(Mode::V1, &fixture.path, "lines");
                    Some(v1::invoice_lines::add_lines_batch(
                        lines, metadata, &at, None,
                    )?)
                }
                None => None,
            };
            let params: v1::invoices::CreateParams = fixture.params()?;
            let new = NewInvoice {
                id: fixture.id,
                ..params.new_invoice(&fixture.path)
            };
            let invoice = store.create_invoice(account, new)?.invoice.id.clone();
            if let Some(batch) = lines {
                store.add_lines(account, &invoice, batch)?;
            }
            let status = status.map_or(InvoiceStatus::Draft, Into::into);
            if status != InvoiceStatus::Draft {
                store.finalize_invoice(account, &invoice, None)?;
            }
            match status {
                InvoiceStatus::Paid => store.pay_invoice(account, &invoice, true).map(drop),
                InvoiceStatus::Void => store.void_invoice(account, &invoice).map(drop),
                InvoiceStatus::Uncollectible => store
                    .mark_invoice_uncollectible(account, &invoice)
                    .map(drop),
                InvoiceStatus::Draft | InvoiceStatus::Open => Ok(()),
            }
        })?,
    })
}

/// Runs `f` on every element of section `name`, with the element's fixed `id` taken out.
fn each(
    doc: &Map<String, Value>,
    name: &str,
    mode: Mode,
    mut f: impl FnMut(Fixture) -> Result<()>,
) -> Result<usize> {
    let Some(section) = doc.get(name) else {
        return Ok(0);
    };
    let Value::Array(items) = section else {
        return Err(fixture_error(name, "must be an array of objects"));
    };
    for (i, item) in items.iter().enumerate() {
        let path = format!("{name}[{i}]");
        let Value::Object(map) = item else {
            return Err(fixture_error(&path, "must be an object"));
        };
        let mut fixture = Fixture {
            path: path.clone(),
            mode,
            map: map.clone(),
            id: None,
        };
        let loaded = fixture.take("id").and_then(|id| {
            fixture.id = id;
            f(fixture)
        });
        loaded.map_err(|e| locate(&path, e))?;
    }
    Ok(items.len())
}

/// One element of a section: the create parameters of one object, plus the fields fixtures
/// add (`id`, `status`, …).
struct Fixture {
    /// Where the element is in the document (`prices[1]`).
    path: String,
    mode: Mode,
    /// The fields not taken out yet.
    map: Map<String, Value>,
    /// The object's fixed id, if the element names one.
    id: Option<String>,
}

impl Fixture {
    /// Takes out a field that is not an API parameter, decoded like one (`""` counts as not
    /// sent).
    fn take<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>> {
        Ok(self.take_value::<Option<T>>(key)?.flatten())
    }

    /// Takes out a field and decodes it as `T` if it was sent, `""` included.
    fn take_value<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(value) => de::from_value_at(
                self.mode,
                &de::child_path(self.mode, &self.path, key),
                value,
            )
            .map(Some),
        }
    }

    /// The remaining fields, decoded as the API decodes its parameters.
    fn params<T: DeserializeOwned>(&self) -> Result<T> {
        de::from_value_at(self.mode, &self.path, Value::Object(self.map.clone()))
    }

    /// The remaining fields decoded as `T`, then converted into `N` by the checks that span
    /// several parameters. Those checks name top-level parameters; their errors are named below
    /// the element's path here.
    fn checked<T, N>(&self) -> Result<N>
    where
        T: DeserializeOwned,
        N: TryFrom<T, Error = Error>,
    {
        N::try_from(self.params::<T>()?).map_err(|err| self.below(err))
    }

    /// `err`, whose parameter is named from the element, named from the document's root (the
    /// other errors are placed by [`locate`]).
    fn below(&self, err: Error) -> Error {
        let nest = |param: String| de::child_path(self.mode, &self.path, &param);
        match err {
            Error::ParameterMissing { param } => Error::ParameterMissing { param: nest(param) },
            Error::ParameterUnknown { param } => Error::ParameterUnknown { param: nest(param) },
            Error::ParameterInvalid {
                param,
                code,
                message,
            } => Error::ParameterInvalid {
                param: nest(param),
                code,
                message,
            },
            other => other,
        }
    }
}

/// The `status` a fixture intent is brought to.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum IntentStatus {
    Draft,
    Reserved,
    Committed,
    Canceled,
}

fn fixture_error(path: &str, message: &str) -> Error {
    Error::InvalidRequest {
        code: Some("fixture_invalid"),
        message: format!("Invalid fixture at {path}: {message}."),
        param: Some(path.to_owned()),
    }
}

/// Names the fixture path in an error raised while loading the object at `path`.
fn locate(path: &str, err: Error) -> Error {
    let param = match &err {
        Error::ParameterUnknown { param }
        | Error::ParameterMissing { param }
        | Error::ParameterInvalid { param, .. } => param.clone(),
        Error::ResourceMissing { param: Some(p), .. }
        | Error::NotFound { param: Some(p), .. }
        | Error::InvalidRequest { param: Some(p), .. } => {
            format!("{path}[{p}]")
        }
        _ => path.to_owned(),
    };
    Error::InvalidRequest {
        code: Some("fixture_invalid"),
        message: format!("Invalid fixture at {param}: {err}"),
        param: Some(param),
    }
}
