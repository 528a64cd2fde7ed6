//! The in-memory store: the only owner of mutable state.
//!
//! State is partitioned by account: every secret API key (and, inside it, every
//! `Stripe-Account` connected account) has its own [`AccountState`] behind its own lock, so
//! accounts never contend with each other, and reads of one account (GETs) share its lock.
//! Resource modules add methods on [`Store`] (`store/catalog.rs`, …) that lock one account,
//! look objects up, call the domain layer and return clones; handlers never see a lock. Locks
//! are `std::sync::RwLock`s held only for the synchronous body of a method, never across an
//! `.await` (mini-redis `db.rs` explains why a blocking lock beats an async one here). A
//! poisoned lock is recovered rather than propagated: every method validates before it
//! mutates, so a panic cannot leave half-applied changes behind.

pub mod billing;
pub mod catalog;
pub mod event_destinations;
pub mod events;
pub mod invoicing;
pub mod payment_records;
pub mod thin_events;
pub mod webhook_endpoints;

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use hashbrown::HashMap;

use crate::domain::catalog::{Coupon, Customer, PaymentIntent, Price, Product};
use crate::domain::clock::Clock;
use crate::domain::collection::{Collection, Cursor};
use crate::domain::event_destination::EventDestination;
use crate::domain::id::IdGen;
use crate::domain::invoice::{Invoice, InvoiceItem, TaxRate};
use crate::domain::payment_record::PaymentRecord;
use crate::domain::webhook_endpoint::WebhookEndpoint;
use crate::error::{Error, Result};
use crate::sync::{read_lock, write_lock};

/// Identifies one isolated account: the secret key, plus the connected account if the request
/// named one with `Stripe-Account`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountKey {
    api_key: Arc<str>,
    connected: Option<Arc<str>>,
}

impl AccountKey {
    /// The account of `api_key`, or of its connected account `connected`.
    pub fn new(api_key: &str, connected: Option<&str>) -> Self {
        AccountKey {
            api_key: Arc::from(api_key),
            connected: connected.map(Arc::from),
        }
    }

    /// The secret key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The connected account id, if any.
    pub fn connected(&self) -> Option<&str> {
        self.connected.as_deref()
    }

    /// `true` for `sk_live_…`/`rk_live_…` keys.
    pub fn livemode(&self) -> bool {
        self.api_key.get(2..8) == Some("_live_")
    }
}

/// What a store method needs besides the account state: the time, ids and the account's mode.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The server clock's current instant, read once per operation.
    pub now: DateTime<Utc>,
    /// The id generator.
    pub ids: &'a IdGen,
    /// Whether the account is live.
    pub livemode: bool,
}

impl Ctx<'_> {
    /// `now` in unix seconds, as v1 objects show it.
    pub fn unix(&self) -> i64 {
        self.now.timestamp()
    }
}

/// All objects of one account.
#[derive(Debug, Default, Clone)]
pub struct AccountState {
    /// Bumped by every `Store::write`, so a staged fixture load can tell whether the account
    /// changed underneath it.
    version: u64,
    /// `cus_…`
    pub customers: Collection<Customer>,
    /// `prod_…`
    pub products: Collection<Product>,
    /// `price_…`
    pub prices: Collection<Price>,
    /// Coupons by id.
    pub coupons: Collection<Coupon>,
    /// `pi_…`
    pub payment_intents: Collection<PaymentIntent>,
    /// v2 billing intents and cadences.
    pub billing: billing::BillingState,
    /// `pr_…`
    pub payment_records: Collection<PaymentRecord>,
    /// `in_…`
    pub invoices: Collection<Arc<Invoice>>,
    /// `ii_…`; an item with `invoice: None` is pending.
    pub invoice_items: Collection<Arc<InvoiceItem>>,
    /// `txr_…`: only the archived rates made from lines' `tax_amounts`, one per distinct
    /// `tax_rate_data` (reused when identical).
    pub tax_rates: Collection<Arc<TaxRate>>,
    /// `evt_…`, oldest first, bounded (see [`events`]).
    pub events: events::EventLog,
    /// `we_…`
    pub webhook_endpoints: Collection<Arc<WebhookEndpoint>>,
    /// `ed_…`
    pub event_destinations: Collection<Arc<EventDestination>>,
}

/// A v1 list request: page size and cursor by object id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// 1–100.
    pub limit: usize,
    /// Where to start.
    pub cursor: IdCursor,
}

/// A v1 cursor, by object id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdCursor {
    /// First page.
    Start,
    /// `starting_after=<id>`
    StartingAfter(String),
    /// `ending_before=<id>`
    EndingBefore(String),
}

/// One page of cloned objects.
#[derive(Debug, Clone)]
pub struct ListPage<T> {
    /// The objects, in list order.
    pub data: Vec<T>,
    /// Whether more lie beyond the page in the direction of travel.
    pub has_more: bool,
}

#[derive(Debug)]
struct Shared {
    /// Every account seen so far (at most `max_accounts`). The outer lock is taken for writing
    /// only the first time an account is seen; each account has its own lock, which reads
    /// share.
    accounts: RwLock<HashMap<AccountKey, Arc<Account>>>,
    /// What a new account starts with (test and live mode): the start-up fixtures, if any,
    /// shared by every account until its first write.
    templates: RwLock<Option<Arc<Templates>>>,
    /// Most accounts kept at once; beyond it the least recently used is forgotten.
    max_accounts: AtomicUsize,
    clock: Arc<Clock>,
    ids: Arc<IdGen>,
    /// Where recorded events go after their write (delivery, waiters).
    hub: events::EventHub,
}

/// Starting states for new accounts.
#[derive(Debug, Clone)]
pub struct Templates {
    /// For `_test_` keys.
    pub test: Arc<AccountState>,
    /// For `_live_` keys.
    pub live: Arc<AccountState>,
}

/// Default of the most accounts kept at once: far beyond what a test suite creates.
pub const DEFAULT_MAX_ACCOUNTS: usize = 100_000;

/// One account: its state, shared with the start-up fixtures (or with nothing) until its
/// first write copies it (`Arc::make_mut`), so a key that only reads costs no copy of the
/// fixtures.
#[derive(Debug)]
struct Account {
    state: RwLock<Arc<AccountState>>,
    /// When it was last used (server clock, milliseconds), for evicting the least recently
    /// used account at the cap.
    last_used: AtomicI64,
}

impl Account {
    /// Notes a use at `now_ms`. Written at most once a second: every request of an account
    /// reads it, and a write on each would bounce its cache line between the workers.
    fn touch(&self, now_ms: i64) {
        if now_ms - self.last_used.load(Ordering::Relaxed) >= 1_000 {
            self.last_used.store(now_ms, Ordering::Relaxed);
        }
    }

    fn new(state: Arc<AccountState>, now_ms: i64) -> Arc<Account> {
        Arc::new(Account {
            state: RwLock::new(state),
            last_used: AtomicI64::new(now_ms),
        })
    }
}

/// Handle to the store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new(IdGen::random())
    }
}

impl Store {
    /// An empty store with the given id generator.
    pub fn new(ids: IdGen) -> Self {
        Store {
            shared: Arc::new(Shared {
                accounts: RwLock::new(HashMap::new()),
                templates: RwLock::new(None),
                max_accounts: AtomicUsize::new(DEFAULT_MAX_ACCOUNTS),
                clock: Arc::new(Clock::default()),
                ids: Arc::new(ids),
                hub: events::EventHub::default(),
            }),
        }
    }

    /// An empty store sharing this store's clock and id generator, for staging changes that
    /// must apply all at once.
    pub fn scratch(&self) -> Store {
        Store {
            shared: Arc::new(Shared {
                accounts: RwLock::new(HashMap::new()),
                templates: RwLock::new(None),
                max_accounts: AtomicUsize::new(usize::MAX),
                clock: Arc::clone(&self.shared.clock),
                ids: Arc::clone(&self.shared.ids),
                hub: events::EventHub::default(),
            }),
        }
    }

    /// Sets what every account starts with when it is first used (existing accounts keep their
    /// objects).
    pub fn set_templates(&self, mut templates: Option<Templates>) {
        // A new account starts with the objects, not with the events of their creation.
        if let Some(t) = templates.as_mut() {
            Arc::make_mut(&mut t.test).events.clear();
            Arc::make_mut(&mut t.live).events.clear();
        }
        *write_lock(&self.shared.templates) = templates.map(Arc::new);
    }

    /// Sets the most accounts kept at once (at least 1); beyond it, the least recently used
    /// account is forgotten (with a log line) to make room for a new one.
    pub fn set_max_accounts(&self, max: usize) {
        self.shared
            .max_accounts
            .store(max.max(1), Ordering::Relaxed);
    }

    /// How many accounts the store holds, and how many of them have written since they were
    /// created (the others still share the start-up fixtures, at no cost of their own).
    pub fn account_counts(&self) -> (usize, usize) {
        let accounts = read_lock(&self.shared.accounts);
        let shared_template = read_lock(&self.shared.templates).clone();
        let owned = accounts
            .values()
            .filter(|a| {
                let state = read_lock(&a.state);
                match &shared_template {
                    Some(t) => !Arc::ptr_eq(&state, &t.test) && !Arc::ptr_eq(&state, &t.live),
                    None => state.version > 0,
                }
            })
            .count();
        (accounts.len(), owned)
    }

    /// A copy of an account's state and its version, for staging.
    pub fn snapshot(&self, key: &AccountKey) -> (AccountState, u64) {
        let account = self.account(key);
        let state = read_lock(&account.state);
        ((**state).clone(), state.version)
    }

    /// Puts `state` in place of the account's state if nothing changed it since the snapshot
    /// with `version`.
    ///
    /// # Errors
    /// A 409-style refusal if the account changed meanwhile.
    pub fn replace_if_unchanged(
        &self,
        key: &AccountKey,
        mut state: AccountState,
        version: u64,
    ) -> Result<()> {
        let account = self.account(key);
        let mut current = write_lock(&account.state);
        if current.version != version {
            return Err(Error::invalid(
                "lock_timeout",
                "The account changed while the fixtures were being loaded; nothing was loaded. Try again.",
            ));
        }
        state.version = version + 1;
        *current = Arc::new(state);
        Ok(())
    }

    /// Replaces an account's state unconditionally (used to seed a scratch store).
    pub fn put_account(&self, key: &AccountKey, state: AccountState) {
        let now = self.shared.clock.now_ms();
        write_lock(&self.shared.accounts).insert(key.clone(), Account::new(Arc::new(state), now));
    }

    /// The account's current state, cloned.
    pub fn account_state(&self, key: &AccountKey) -> AccountState {
        self.snapshot(key).0
    }

    /// The server clock.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// The id generator.
    pub fn ids(&self) -> &IdGen {
        &self.shared.ids
    }

    /// Removes every account and object (events and webhook endpoints included).
    pub fn reset(&self) {
        write_lock(&self.shared.accounts).clear();
        self.shared.hub.reset();
    }

    /// Removes every object of the accounts of `api_key` (including its connected accounts).
    pub fn reset_api_key(&self, api_key: &str) {
        write_lock(&self.shared.accounts).retain(|k, _| k.api_key() != api_key);
    }

    fn account(&self, key: &AccountKey) -> Arc<Account> {
        let now = self.shared.clock.now_ms();
        if let Some(account) = read_lock(&self.shared.accounts).get(key) {
            account.touch(now);
            return Arc::clone(account);
        }
        let template = read_lock(&self.shared.templates).as_ref().map(|t| {
            if key.livemode() {
                Arc::clone(&t.live)
            } else {
                Arc::clone(&t.test)
            }
        });
        let mut accounts = write_lock(&self.shared.accounts);
        if !accounts.contains_key(key)
            && accounts.len() >= self.shared.max_accounts.load(Ordering::Relaxed)
        {
            evict_least_recently_used(&mut accounts);
        }
        Arc::clone(
            accounts
                .entry(key.clone())
                .or_insert_with(|| Account::new(template.unwrap_or_default(), now)),
        )
    }

    /// Runs `f` with shared access to the account's state.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn read<T>(
        &self,
        key: &AccountKey,
        f: impl FnOnce(&AccountState) -> Result<T>,
    ) -> Result<T> {
        self.with_account(key, |account| f(&read_lock(&account.state)))
    }

    /// Runs `f` on the account's lock, creating the account first if it is new. For a known
    /// account the map's read guard is held while `f` runs instead of cloning the account's
    /// `Arc`: every request would otherwise bump and drop one reference count shared by all
    /// workers. Store methods never call back into the store, so no lock is taken twice.
    fn with_account<R>(&self, key: &AccountKey, f: impl FnOnce(&Account) -> R) -> R {
        {
            let accounts = read_lock(&self.shared.accounts);
            if let Some(account) = accounts.get(key) {
                account.touch(self.shared.clock.now_ms());
                return f(account);
            }
        }
        f(&self.account(key))
    }

    /// Runs `f` with exclusive access to the account's state. `f` must validate before it
    /// mutates: an error return leaves whatever it changed in place (but records none of the
    /// events it emitted). The events of a successful `f` are recorded before the lock is
    /// released, and published (to delivery and waiters) after.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn write<T>(
        &self,
        acting: &(impl events::Acting + ?Sized),
        f: impl FnOnce(&mut AccountState, &Ctx<'_>) -> Result<T>,
    ) -> Result<T> {
        let key = acting.account_key();
        // The clock is read before the lock is taken, to keep the time other writers of the
        // account wait short.
        let ctx = Ctx {
            now: self.shared.clock.now(),
            ids: &self.shared.ids,
            livemode: key.livemode(),
        };
        let (result, published) = self.with_account(key, |account| {
            let mut guard = write_lock(&account.state);
            // The first write of an account copies the state it shares with the fixtures.
            let state = Arc::make_mut(&mut guard);
            state.version = state.version.wrapping_add(1);
            let result = f(state, &ctx);
            let published = match &result {
                Ok(_) => {
                    let v1 = state.record_events(&ctx, key, acting.event_request());
                    let thin = state.record_thin_events(&ctx, key, acting.event_request());
                    (v1, thin)
                }
                Err(_) => {
                    state.discard_events();
                    (Vec::new(), Vec::new())
                }
            };
            (result, published)
        });
        let (published, thin) = published;
        self.shared.hub.publish(published);
        self.shared.hub.publish_thin(thin);
        result
    }
}

/// Resolves a v1 cursor against `collection` and returns one page of clones.
///
/// # Errors
/// `resource_missing` (param `starting_after` / `ending_before`) for an id not in the collection.
pub fn list_page<T: Clone>(
    collection: &Collection<T>,
    resource: &'static str,
    query: &ListQuery,
    keep: impl Fn(&T) -> bool,
) -> Result<ListPage<T>> {
    let cursor = match &query.cursor {
        IdCursor::Start => Cursor::Start,
        IdCursor::StartingAfter(id) => Cursor::After(
            collection
                .seq_of(id)
                .ok_or_else(|| Error::missing(resource, id, "starting_after"))?,
        ),
        IdCursor::EndingBefore(id) => Cursor::Before(
            collection
                .seq_of(id)
                .ok_or_else(|| Error::missing(resource, id, "ending_before"))?,
        ),
    };
    let page = collection.page(cursor, query.limit, keep);
    Ok(ListPage {
        data: page.items.into_iter().cloned().collect(),
        has_more: page.has_more,
    })
}

/// A caller-chosen id if it is free, else a generated one.
pub(crate) fn choose_id<T>(
    collection: &Collection<T>,
    wanted: Option<String>,
    resource: &str,
    generate: impl FnOnce() -> String,
) -> Result<String> {
    match wanted {
        Some(id) if collection.contains(&id) => Err(Error::InvalidRequest {
            code: Some("resource_already_exists"),
            message: format!("{resource} already exists: '{id}'"),
            param: Some("id".into()),
        }),
        Some(id) => Ok(id),
        None => Ok(generate()),
    }
}

/// Forgets the account used least recently, to make room for a new one.
fn evict_least_recently_used(accounts: &mut HashMap<AccountKey, Arc<Account>>) {
    let oldest = accounts
        .iter()
        .min_by_key(|(_, a)| a.last_used.load(Ordering::Relaxed))
        .map(|(k, _)| k.clone());
    if let Some(key) = oldest {
        accounts.remove(&key);
        tracing::info!(
            api_key = %crate::http::extract::mask(key.api_key()),
            account = key.connected().unwrap_or(""),
            "account limit reached: forgot the least recently used account"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn livemode_follows_the_key() {
        assert!(!AccountKey::new("sk_test_abc", None).livemode());
        assert!(AccountKey::new("sk_live_abc", None).livemode());
        assert!(AccountKey::new("rk_live_abc", None).livemode());
    }

    #[test]
    fn accounts_are_isolated() {
        let store = Store::default();
        let a = AccountKey::new("sk_test_a", None);
        let b = AccountKey::new("sk_test_a", Some("acct_1"));
        store
            .write(&a, |s, ctx| {
                s.coupons.insert(
                    "c1",
                    Coupon {
                        id: "c1".into(),
                        created: ctx.unix(),
                        livemode: ctx.livemode,
                        value: crate::domain::catalog::CouponValue::AmountOff {
                            amount: 1,
                            currency: "usd".into(),
                        },
                        duration: "once",
                        duration_in_months: None,
                        max_redemptions: None,
                        metadata: Default::default(),
                        name: None,
                        redeem_by: None,
                        times_redeemed: 0,
                    },
                );
                Ok(())
            })
            .expect("write");
        assert!(
            store
                .read(&a, |s| Ok(s.coupons.contains("c1")))
                .expect("read")
        );
        assert!(
            !store
                .read(&b, |s| Ok(s.coupons.contains("c1")))
                .expect("read")
        );
        store.reset_api_key("sk_test_a");
        assert!(
            !store
                .read(&a, |s| Ok(s.coupons.contains("c1")))
                .expect("read")
        );
    }

    #[test]
    fn a_panic_inside_a_write_does_not_poison_the_account() {
        let store = Store::default();
        let a = AccountKey::new("sk_test_a", None);
        let s2 = store.clone();
        let a2 = a.clone();
        let result = std::panic::catch_unwind(move || {
            let _ = s2.write(&a2, |_, _| -> Result<()> { panic!("handler bug") });
        });
        assert!(result.is_err());
        assert!(
            store
                .read(&a, |s| Ok(s.customers.is_empty()))
                .expect("still readable")
        );
        store
            .write(&a, |_, _| Ok(()))
            .expect("still writable after a panic");
    }
}
