//! Store methods for customers, products, prices, coupons and payment intents.

use crate::domain::catalog::{
    Coupon, CouponValue, Customer, Metadata, PaymentIntent, Price, Product, Recurring,
};
use crate::domain::patch::{MetadataUpdate, Patch};
use crate::error::{Error, Result};

use std::sync::Arc;

use crate::domain::event::EventType;

use super::events::{Actor, EventObject};
use super::{AccountKey, ListPage, ListQuery, Store, list_page};

/// Parameters of `POST /v1/customers`.
#[derive(Debug, Default)]
pub struct NewCustomer {
    /// Fixed id (fixtures only; the API generates one).
    pub id: Option<String>,
    /// Starting balance.
    pub balance: Option<i64>,
    /// Free text.
    pub description: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Invoice number prefix (3–12 uppercase letters or digits).
    pub invoice_prefix: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// `none|exempt|reverse`.
    pub tax_exempt: Option<&'static str>,
}

/// Parameters of `POST /v1/customers/:id`.
#[derive(Debug, Default)]
pub struct CustomerUpdate {
    /// Balance.
    pub balance: Patch<i64>,
    /// Free text.
    pub description: Patch<String>,
    /// Email.
    pub email: Patch<String>,
    /// Invoice number prefix.
    pub invoice_prefix: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Name.
    pub name: Patch<String>,
    /// Phone.
    pub phone: Patch<String>,
    /// `none|exempt|reverse`.
    pub tax_exempt: Option<&'static str>,
}

/// Parameters of `POST /v1/products`.
#[derive(Debug, Default)]
pub struct NewProduct {
    /// Caller-chosen id.
    pub id: Option<String>,
    /// Whether it is available (default true).
    pub active: Option<bool>,
    /// Free text.
    pub description: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Name (required).
    pub name: String,
    /// Unit label.
    pub unit_label: Option<String>,
    /// `service` (the default) or `good`.
    pub kind: Option<&'static str>,
}

/// Parameters of `POST /v1/products/:id`.
#[derive(Debug, Default)]
pub struct ProductUpdate {
    /// Whether it is available.
    pub active: Option<bool>,
    /// Default price id.
    pub default_price: Patch<String>,
    /// Free text.
    pub description: Patch<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Name.
    pub name: Option<String>,
    /// Unit label.
    pub unit_label: Patch<String>,
}

/// Where a new price's product comes from.
#[derive(Debug)]
pub enum PriceProduct {
    /// An existing product id.
    Existing(String),
    /// `product_data[name]`: create one inline.
    Inline {
        /// Product name.
        name: String,
    },
}

/// Parameters of `POST /v1/prices`.
#[derive(Debug)]
pub struct NewPrice {
    /// Fixed id (fixtures only; the API generates one).
    pub id: Option<String>,
    /// Whether it is available (default true).
    pub active: Option<bool>,
    /// Currency.
    pub currency: String,
    /// Lookup key.
    pub lookup_key: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Nickname.
    pub nickname: Option<String>,
    /// Product.
    pub product: PriceProduct,
    /// Recurrence.
    pub recurring: Option<Recurring>,
    /// Tax behaviour.
    pub tax_behavior: Option<&'static str>,
    /// Amount per unit.
    pub unit_amount: i64,
}

/// Parameters of `POST /v1/prices/:id`.
#[derive(Debug, Default)]
pub struct PriceUpdate {
    /// Whether it is available.
    pub active: Option<bool>,
    /// Lookup key.
    pub lookup_key: Patch<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Nickname.
    pub nickname: Patch<String>,
    /// Tax behaviour.
    pub tax_behavior: Option<&'static str>,
}

/// Parameters of `POST /v1/coupons`.
#[derive(Debug)]
pub struct NewCoupon {
    /// Caller-chosen id.
    pub id: Option<String>,
    /// Percent or amount off.
    pub value: CouponValue,
    /// `forever|once|repeating`.
    pub duration: &'static str,
    /// Months, for `repeating`.
    pub duration_in_months: Option<i64>,
    /// Redemption limit.
    pub max_redemptions: Option<i64>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Display name.
    pub name: Option<String>,
    /// Last redemption time.
    pub redeem_by: Option<i64>,
}

/// Parameters of `POST /v1/coupons/:id`.
#[derive(Debug, Default)]
pub struct CouponUpdate {
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Display name.
    pub name: Patch<String>,
}

/// Parameters of `POST /v1/payment_intents`.
#[derive(Debug)]
pub struct NewPaymentIntent {
    /// Fixed id (fixtures only; the API generates one).
    pub id: Option<String>,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: String,
    /// Customer id.
    pub customer: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
}

/// Result of a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    /// The deleted object's id.
    pub id: String,
}

fn metadata_of(update: Option<MetadataUpdate>) -> Metadata {
    let mut m = Metadata::new();
    if let Some(u) = update {
        u.merge_into(&mut m);
    }
    m
}

impl Store {
    /// Creates a customer.
    ///
    /// # Errors
    /// None in practice; the signature matches the other store methods.
    pub fn create_customer(&self, acct: &Actor, p: NewCustomer) -> Result<Customer> {
        self.write(acct, |s, ctx| {
            let id = super::choose_id(&s.customers, p.id, "Customer", || ctx.ids.v1("cus_"))?;
            let customer = Customer {
                invoice_prefix: p
                    .invoice_prefix
                    .unwrap_or_else(|| ctx.ids.base62(8).to_uppercase().chars().take(7).collect()),
                id: id.clone(),
                created: ctx.unix(),
                livemode: ctx.livemode,
                balance: p.balance.unwrap_or(0),
                currency: None,
                description: p.description,
                email: p.email,
                metadata: metadata_of(p.metadata),
                name: p.name,
                next_invoice_sequence: 1,
                phone: p.phone,
                tax_exempt: p.tax_exempt.unwrap_or("none"),
            };
            s.customers.insert(&id, customer.clone());
            s.events.emit(
                EventType::CustomerCreated,
                EventObject::Customer(Arc::new(customer.clone())),
                None,
            );
            Ok(customer)
        })
    }

    /// Retrieves a customer.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn customer(&self, acct: &AccountKey, id: &str) -> Result<Customer> {
        self.read(acct, |s| {
            s.customers
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("customer", id, "id"))
        })
    }

    /// Updates a customer.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn update_customer(&self, acct: &Actor, id: &str, p: CustomerUpdate) -> Result<Customer> {
        self.write(acct, |s, _| {
            let c = s
                .customers
                .get_mut(id)
                .ok_or_else(|| Error::missing("customer", id, "id"))?;
            let before = Arc::new(c.clone());
            match p.balance {
                Patch::Set(b) => c.balance = b,
                Patch::Unset => c.balance = 0,
                Patch::Absent => {}
            }
            p.description.apply_to(&mut c.description);
            p.email.apply_to(&mut c.email);
            p.name.apply_to(&mut c.name);
            p.phone.apply_to(&mut c.phone);
            if let Some(prefix) = p.invoice_prefix {
                c.invoice_prefix = prefix;
            }
            if let Some(t) = p.tax_exempt {
                c.tax_exempt = t;
            }
            if let Some(m) = p.metadata {
                m.merge_into(&mut c.metadata);
            }
            let after = c.clone();
            s.events.emit(
                EventType::CustomerUpdated,
                EventObject::Customer(Arc::new(after.clone())),
                Some(EventObject::Customer(before)),
            );
            Ok(after)
        })
    }

    /// Deletes a customer.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn delete_customer(&self, acct: &Actor, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            let c = s
                .customers
                .remove(id)
                .ok_or_else(|| Error::missing("customer", id, "id"))?;
            let deleted = Deleted { id: c.id.clone() };
            s.events.emit(
                EventType::CustomerDeleted,
                EventObject::Customer(Arc::new(c)),
                None,
            );
            Ok(deleted)
        })
    }

    /// Lists customers, optionally by exact email.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_customers(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        email: Option<&str>,
    ) -> Result<ListPage<Customer>> {
        self.read(acct, |s| {
            list_page(&s.customers, "customer", q, |c| {
                email.is_none_or(|e| c.email.as_deref() == Some(e))
            })
        })
    }

    /// Creates a product.
    ///
    /// # Errors
    /// `resource_already_exists` if a caller-chosen id is taken.
    pub fn create_product(&self, acct: &Actor, p: NewProduct) -> Result<Product> {
        self.write(acct, |s, ctx| {
            let id = super::choose_id(&s.products, p.id, "Product", || ctx.ids.v1("prod_"))?;
            let product = Product {
                id: id.clone(),
                created: ctx.unix(),
                updated: ctx.unix(),
                livemode: ctx.livemode,
                active: p.active.unwrap_or(true),
                default_price: None,
                description: p.description,
                metadata: metadata_of(p.metadata),
                name: p.name,
                unit_label: p.unit_label,
                kind: p.kind.unwrap_or("service"),
            };
            s.products.insert(&id, product.clone());
            s.events.emit(
                EventType::ProductCreated,
                EventObject::Product(Arc::new(product.clone())),
                None,
            );
            Ok(product)
        })
    }

    /// Retrieves a product.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn product(&self, acct: &AccountKey, id: &str) -> Result<Product> {
        self.read(acct, |s| {
            s.products
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("product", id, "id"))
        })
    }

    /// Updates a product.
    ///
    /// # Errors
    /// `resource_missing` for the product or a `default_price` that does not exist.
    pub fn update_product(&self, acct: &Actor, id: &str, p: ProductUpdate) -> Result<Product> {
        self.write(acct, |s, ctx| {
            if let Patch::Set(price) = &p.default_price {
                if s.prices.get(price).is_none_or(|pr| pr.product != id) {
                    return Err(Error::missing("price", price, "default_price"));
                }
            }
            let pr = s
                .products
                .get_mut(id)
                .ok_or_else(|| Error::missing("product", id, "id"))?;
            let before = Arc::new(pr.clone());
            if let Some(a) = p.active {
                pr.active = a;
            }
            if let Some(n) = p.name {
                pr.name = n;
            }
            p.default_price.apply_to(&mut pr.default_price);
            p.description.apply_to(&mut pr.description);
            p.unit_label.apply_to(&mut pr.unit_label);
            if let Some(m) = p.metadata {
                m.merge_into(&mut pr.metadata);
            }
            pr.updated = ctx.unix();
            let after = pr.clone();
            s.events.emit(
                EventType::ProductUpdated,
                EventObject::Product(Arc::new(after.clone())),
                Some(EventObject::Product(before)),
            );
            Ok(after)
        })
    }

    /// Deletes a product that has no prices.
    ///
    /// # Errors
    /// `resource_missing`, or 400 if prices still use it.
    pub fn delete_product(&self, acct: &Actor, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            if !s.products.contains(id) {
                return Err(Error::missing("product", id, "id"));
            }
            if s.prices.iter_newest_first().any(|p| p.product == id) {
                return Err(Error::invalid_uncoded(
                    "This product cannot be deleted because it has one or more user-created prices.",
                    None,
                ));
            }
            if let Some(product) = s.products.remove(id) {
                s.events.emit(
                    EventType::ProductDeleted,
                    EventObject::Product(Arc::new(product)),
                    None,
                );
            }
            Ok(Deleted { id: id.to_owned() })
        })
    }

    /// Lists products.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_products(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        active: Option<bool>,
    ) -> Result<ListPage<Product>> {
        self.read(acct, |s| {
            list_page(&s.products, "product", q, |p| {
                active.is_none_or(|a| p.active == a)
            })
        })
    }

    /// Creates a price (and its product, for `product_data`).
    ///
    /// # Errors
    /// `resource_missing` (param `product`) for an unknown product.
    pub fn create_price(&self, acct: &Actor, p: NewPrice) -> Result<Price> {
        self.write(acct, |s, ctx| {
            let id = super::choose_id(&s.prices, p.id, "Price", || ctx.ids.v1("price_"))?;
            let product = match p.product {
                PriceProduct::Existing(id) => {
                    if !s.products.contains(&id) {
                        return Err(Error::missing("product", id, "product"));
                    }
                    id
                }
                PriceProduct::Inline { name } => {
                    let id = ctx.ids.v1("prod_");
                    let product = Product {
                        id: id.clone(),
                        created: ctx.unix(),
                        updated: ctx.unix(),
                        livemode: ctx.livemode,
                        active: true,
                        default_price: None,
                        description: None,
                        metadata: Metadata::new(),
                        name,
                        unit_label: None,
                        kind: "service",
                    };
                    s.products.insert(&id, product.clone());
                    // Stripe creates the product first, with its own event.
                    s.events.emit(
                        EventType::ProductCreated,
                        EventObject::Product(Arc::new(product)),
                        None,
                    );
                    id
                }
            };
            let price = Price {
                id: id.clone(),
                created: ctx.unix(),
                livemode: ctx.livemode,
                active: p.active.unwrap_or(true),
                currency: p.currency,
                lookup_key: p.lookup_key,
                metadata: metadata_of(p.metadata),
                nickname: p.nickname,
                product,
                recurring: p.recurring,
                tax_behavior: p.tax_behavior.unwrap_or("unspecified"),
                unit_amount: p.unit_amount,
            };
            s.prices.insert(&id, price.clone());
            s.events.emit(
                EventType::PriceCreated,
                EventObject::Price(Arc::new(price.clone())),
                None,
            );
            Ok(price)
        })
    }

    /// Retrieves a price.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn price(&self, acct: &AccountKey, id: &str) -> Result<Price> {
        self.read(acct, |s| {
            s.prices
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("price", id, "id"))
        })
    }

    /// Updates a price.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn update_price(&self, acct: &Actor, id: &str, p: PriceUpdate) -> Result<Price> {
        self.write(acct, |s, _| {
            let pr = s
                .prices
                .get_mut(id)
                .ok_or_else(|| Error::missing("price", id, "id"))?;
            let before = Arc::new(pr.clone());
            if let Some(a) = p.active {
                pr.active = a;
            }
            p.lookup_key.apply_to(&mut pr.lookup_key);
            p.nickname.apply_to(&mut pr.nickname);
            if let Some(t) = p.tax_behavior {
                pr.tax_behavior = t;
            }
            if let Some(m) = p.metadata {
                m.merge_into(&mut pr.metadata);
            }
            let after = pr.clone();
            s.events.emit(
                EventType::PriceUpdated,
                EventObject::Price(Arc::new(after.clone())),
                Some(EventObject::Price(before)),
            );
            Ok(after)
        })
    }

    /// Lists prices, optionally of one product or only active ones.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_prices(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        product: Option<&str>,
        active: Option<bool>,
    ) -> Result<ListPage<Price>> {
        self.read(acct, |s| {
            list_page(&s.prices, "price", q, |p| {
                product.is_none_or(|id| p.product == id) && active.is_none_or(|a| p.active == a)
            })
        })
    }

    /// Creates a coupon.
    ///
    /// # Errors
    /// `resource_already_exists` if a caller-chosen id is taken.
    pub fn create_coupon(&self, acct: &Actor, p: NewCoupon) -> Result<Coupon> {
        self.write(acct, |s, ctx| {
            let id = super::choose_id(&s.coupons, p.id, "Coupon", || ctx.ids.base62(8))?;
            let coupon = Coupon {
                id: id.clone(),
                created: ctx.unix(),
                livemode: ctx.livemode,
                value: p.value,
                duration: p.duration,
                duration_in_months: p.duration_in_months,
                max_redemptions: p.max_redemptions,
                metadata: metadata_of(p.metadata),
                name: p.name,
                redeem_by: p.redeem_by,
                times_redeemed: 0,
            };
            s.coupons.insert(&id, coupon.clone());
            s.events.emit(
                EventType::CouponCreated,
                EventObject::Coupon(Arc::new(coupon.clone())),
                None,
            );
            Ok(coupon)
        })
    }

    /// Retrieves a coupon.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn coupon(&self, acct: &AccountKey, id: &str) -> Result<Coupon> {
        self.read(acct, |s| {
            s.coupons
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("coupon", id, "id"))
        })
    }

    /// Updates a coupon's name and metadata (the only mutable fields).
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn update_coupon(&self, acct: &Actor, id: &str, p: CouponUpdate) -> Result<Coupon> {
        self.write(acct, |s, _| {
            let c = s
                .coupons
                .get_mut(id)
                .ok_or_else(|| Error::missing("coupon", id, "id"))?;
            let before = Arc::new(c.clone());
            p.name.apply_to(&mut c.name);
            if let Some(m) = p.metadata {
                m.merge_into(&mut c.metadata);
            }
            let after = c.clone();
            s.events.emit(
                EventType::CouponUpdated,
                EventObject::Coupon(Arc::new(after.clone())),
                Some(EventObject::Coupon(before)),
            );
            Ok(after)
        })
    }

    /// Deletes a coupon.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn delete_coupon(&self, acct: &Actor, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            let c = s
                .coupons
                .remove(id)
                .ok_or_else(|| Error::missing("coupon", id, "id"))?;
            let deleted = Deleted { id: c.id.clone() };
            s.events.emit(
                EventType::CouponDeleted,
                EventObject::Coupon(Arc::new(c)),
                None,
            );
            Ok(deleted)
        })
    }

    /// Lists coupons.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_coupons(&self, acct: &AccountKey, q: &ListQuery) -> Result<ListPage<Coupon>> {
        self.read(acct, |s| list_page(&s.coupons, "coupon", q, |_| true))
    }

    /// Creates a payment intent in status `requires_payment_method`.
    ///
    /// # Errors
    /// `resource_missing` (param `customer`) for an unknown customer.
    pub fn create_payment_intent(
        &self,
        acct: &Actor,
        p: NewPaymentIntent,
    ) -> Result<PaymentIntent> {
        self.write(acct, |s, ctx| {
            if let Some(c) = &p.customer {
                if !s.customers.contains(c) {
                    return Err(Error::missing("customer", c, "customer"));
                }
            }
            let id = super::choose_id(&s.payment_intents, p.id, "PaymentIntent", || {
                ctx.ids.v1("pi_")
            })?;
            let pi = PaymentIntent {
                client_secret: format!("{id}_secret_{}", ctx.ids.base62(25)),
                id: id.clone(),
                created: ctx.unix(),
                livemode: ctx.livemode,
                amount: p.amount,
                currency: p.currency,
                customer: p.customer,
                description: p.description,
                metadata: metadata_of(p.metadata),
                status: "requires_payment_method",
            };
            s.payment_intents.insert(&id, pi.clone());
            s.events.emit(
                EventType::PaymentIntentCreated,
                EventObject::PaymentIntent(Arc::new(pi.clone())),
                None,
            );
            Ok(pi)
        })
    }

    /// Retrieves a payment intent.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn payment_intent(&self, acct: &AccountKey, id: &str) -> Result<PaymentIntent> {
        self.read(acct, |s| {
            s.payment_intents
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("payment_intent", id, "intent"))
        })
    }

    /// Lists payment intents, optionally of one customer.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_payment_intents(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        customer: Option<&str>,
    ) -> Result<ListPage<PaymentIntent>> {
        self.read(acct, |s| {
            list_page(&s.payment_intents, "payment_intent", q, |p| {
                customer.is_none_or(|c| p.customer.as_deref() == Some(c))
            })
        })
    }
}
