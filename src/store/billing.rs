//! Store methods for v2 billing: intents, their actions and cadences.
//!
//! Every state change of an intent happens inside one [`Store::write`] closure, under the
//! account's lock: it looks the intent up, runs every check on a copy (existence → status →
//! referenced objects → amounts, the order Stripe's docs give), and only then writes the copy
//! back. So two concurrent calls on one intent can never both succeed, and a refused call
//! changes nothing.

use std::sync::Arc;

use crate::domain::billing_intent::{
    ActionDetails, AmountDetails, AmountError, BillingIntent, IntentAction, IntentStatus,
    Operation, ReserveAmountError, StatusTransitions, TransitionError, check_reservable,
    compute_amounts, next_status,
};
use crate::domain::cadence::{
    BillingCycle, Cadence, CadenceDataRequest, CadencePayer, CadenceSettings, CycleRequest,
};
use crate::domain::catalog::Metadata;
use crate::domain::collection::{Collection, Cursor};
use crate::domain::patch::MetadataUpdate;
use crate::domain::thin_event::{RelatedKind, ThinEventType};
use crate::error::{Error, Result};

use super::events::Acting;
use super::{AccountKey, AccountState, Ctx, Store};

/// Billing objects of one account.
#[derive(Debug, Default, Clone)]
pub struct BillingState {
    /// `bilint_…`, each with its actions; shared with the answers rendered from them, so that
    /// creating, moving or listing an intent does not copy it.
    pub intents: Collection<Arc<BillingIntent>>,
    /// `bc_…`
    pub cadences: Collection<Cadence>,
}

/// Parameters of `POST /v2/billing/intents`, validated for shape.
#[derive(Debug)]
pub struct NewIntent {
    /// Fixed id (fixtures only; the API generates one).
    pub id: Option<String>,
    /// Lowercase ISO currency.
    pub currency: String,
    /// An existing cadence.
    pub cadence: Option<String>,
    /// A cadence to create at commit.
    pub cadence_data: Option<CadenceDataRequest>,
    /// The actions, in request order.
    pub actions: Vec<ActionDetails>,
}

/// Parameters of `POST /v2/billing/intents/:id/commit`.
#[derive(Debug, Default)]
pub struct CommitParams {
    /// `pi_…` paying for the intent.
    pub payment_intent: Option<String>,
    /// `pr_…` recording the payment (2025-07-30.preview).
    pub payment_record: Option<String>,
}

/// Parameters of `POST /v2/billing/cadences`.
#[derive(Debug)]
pub struct NewCadence {
    /// The billing cycle.
    pub billing_cycle: CycleRequest,
    /// `payer.billing_profile`.
    pub billing_profile: String,
    /// Settings.
    pub settings: Option<CadenceSettings>,
    /// Lookup key.
    pub lookup_key: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
}

/// A v2 page request: size and position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1–100.
    pub limit: usize,
    /// Where the page starts, in list order (`After(p)`: following position `p`;
    /// `Before(p)`: the page that ends just before `p`).
    pub cursor: Cursor,
}

/// One v2 page with the cursors of its neighbours.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The objects, in list order.
    pub data: Vec<T>,
    /// The following page, if any.
    pub next: Option<Cursor>,
    /// The preceding page, if any.
    pub previous: Option<Cursor>,
}

fn intent_not_found(id: &str) -> Error {
    Error::NotFound {
        code: "billing_intent_not_found",
        message: format!("No such billing intent: '{id}'"),
        param: None,
    }
}

fn action_not_found(intent: &str, id: &str) -> Error {
    Error::NotFound {
        code: "billing_intent_action_not_found",
        message: format!("No such billing intent action: '{id}' on billing intent '{intent}'"),
        param: None,
    }
}

fn cadence_not_found(id: &str, param: Option<&str>) -> Error {
    Error::NotFound {
        code: "billing_cadence_not_found",
        message: format!("No such billing cadence: '{id}'"),
        param: param.map(str::to_owned),
    }
}

fn transition_error(e: TransitionError) -> Error {
    Error::invalid(e.code(), e.message())
}

/// When the amounts of an intent are computed: each operation answers with its own documented
/// codes (`x-stripeErrors` of the preview document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pricing {
    /// `POST /v2/billing/intents`: `price_not_found`, `coupon_not_found` (404),
    /// `price_currency_mismatch_with_billing_intent`, `currency_mismatch` (400).
    Create,
    /// `reserve`, which recomputes them: a coupon deleted since is `coupon_not_redeemable`.
    Reserve,
}

fn amount_error(e: AmountError, at: Pricing) -> Error {
    let param = e.param();
    match e {
        AmountError::UnknownPrice { price, .. } => Error::NotFound {
            code: "price_not_found",
            message: format!("No such price: '{price}'"),
            param,
        },
        AmountError::UnknownCoupon { coupon, .. } if at == Pricing::Reserve => {
            Error::InvalidRequest {
                code: Some("coupon_not_redeemable"),
                message: format!(
                    "The coupon '{coupon}' no longer exists, so it cannot be redeemed."
                ),
                param,
            }
        }
        AmountError::UnknownCoupon { coupon, .. } => Error::NotFound {
            code: "coupon_not_found",
            message: format!("No such coupon: '{coupon}'"),
            param,
        },
        AmountError::PriceCurrency {
            price, currency, ..
        } => Error::InvalidRequest {
            code: Some("price_currency_mismatch_with_billing_intent"),
            message: format!(
                "The price '{price}' is in '{currency}', which is not the billing intent's currency."
            ),
            param,
        },
        AmountError::CouponCurrency {
            coupon, currency, ..
        } => Error::InvalidRequest {
            code: Some("currency_mismatch"),
            message: format!(
                "The coupon '{coupon}' takes an amount off in '{currency}', which is not the billing intent's currency."
            ),
            param,
        },
        AmountError::Overflow => Error::invalid(
            "amount_too_large",
            "The billing intent's amounts are too large to be represented.",
        ),
    }
}

fn reserve_amount_error(e: ReserveAmountError, currency: &str) -> Error {
    Error::invalid(e.code(), e.message(currency))
}

/// Amounts of `actions` against the account's current prices and coupons, computed `at` an
/// operation.
fn amounts_of<'b>(
    s: &AccountState,
    at: Pricing,
    currency: &str,
    actions: impl IntoIterator<Item = &'b ActionDetails, IntoIter: Clone>,
) -> Result<AmountDetails> {
    compute_amounts(
        currency,
        actions,
        |id| s.prices.get(id),
        |id| s.coupons.get(id),
    )
    .map_err(|e| amount_error(e, at))
}

/// Pages through a list held in request order (an intent's actions).
fn page_of_slice<T: Clone>(items: &[T], req: &PageRequest) -> Page<T> {
    let len = items.len();
    let pos = |p: u64| usize::try_from(p).unwrap_or(usize::MAX);
    let (start, end) = match req.cursor {
        Cursor::Start => (0, req.limit.min(len)),
        Cursor::After(p) => {
            let start = pos(p).saturating_add(1).min(len);
            (start, start.saturating_add(req.limit).min(len))
        }
        Cursor::Before(p) => {
            let end = pos(p).min(len);
            (end.saturating_sub(req.limit), end)
        }
    };
    let data = items.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    let non_empty = end > start;
    let as_pos = |i: usize| u64::try_from(i).unwrap_or(u64::MAX);
    Page {
        data,
        next: (non_empty && end < len).then(|| Cursor::After(as_pos(end - 1))),
        previous: (non_empty && start > 0).then(|| Cursor::Before(as_pos(start))),
    }
}

impl Store {
    /// Creates a draft intent and its actions, computing its amounts.
    ///
    /// # Errors
    /// `billing_cadence_not_found` for an unknown `cadence`; `price_not_found` or
    /// `coupon_not_found` for an unknown price or coupon;
    /// `price_currency_mismatch_with_billing_intent` or `currency_mismatch` for a price or an
    /// amount-off coupon in another currency; `amount_too_large` for an amount overflow.
    pub fn create_intent(&self, acct: &AccountKey, p: NewIntent) -> Result<Arc<BillingIntent>> {
        self.write(acct, |s, ctx| {
            if let Some(cadence) = &p.cadence {
                if !s.billing.cadences.contains(cadence) {
                    return Err(cadence_not_found(cadence, Some("cadence")));
                }
            }
            let amount_details = amounts_of(s, Pricing::Create, &p.currency, &p.actions)?;
            let id = super::choose_id(&s.billing.intents, p.id, "Billing intent", || {
                ctx.ids.v2("bilint_")
            })?;
            let actions = p
                .actions
                .into_iter()
                .map(|details| IntentAction {
                    id: ctx.ids.v2("bilinti_"),
                    created: ctx.now,
                    livemode: ctx.livemode,
                    details,
                })
                .collect();
            let intent = Arc::new(BillingIntent {
                id: id.clone(),
                created: ctx.now,
                livemode: ctx.livemode,
                currency: p.currency,
                cadence: p.cadence,
                cadence_data: p.cadence_data.map(|d| Box::new(d.resolve(ctx.now))),
                amount_details,
                status: IntentStatus::Draft,
                status_transitions: StatusTransitions {
                    drafted_at: Some(ctx.now),
                    reserved_at: None,
                    committed_at: None,
                    canceled_at: None,
                },
                actions,
            });
            s.billing.intents.insert(&id, Arc::clone(&intent));
            Ok(intent)
        })
    }

    /// Retrieves an intent.
    ///
    /// # Errors
    /// `billing_intent_not_found`.
    pub fn intent(&self, acct: &AccountKey, id: &str) -> Result<Arc<BillingIntent>> {
        self.with_intent(acct, id, Arc::clone)
    }

    /// Runs `f` on the stored intent without copying it (the hot `GET` path renders straight
    /// from the store); `f` runs under the account's lock, so it must be quick.
    ///
    /// # Errors
    /// `billing_intent_not_found`.
    pub fn with_intent<T>(
        &self,
        acct: &AccountKey,
        id: &str,
        f: impl FnOnce(&Arc<BillingIntent>) -> T,
    ) -> Result<T> {
        self.read(acct, |s| {
            s.billing
                .intents
                .get(id)
                .map(f)
                .ok_or_else(|| intent_not_found(id))
        })
    }

    /// One page of the account's intents, newest first.
    ///
    /// # Errors
    /// None in practice; the signature matches the other store methods.
    pub fn list_intents(
        &self,
        acct: &AccountKey,
        req: &PageRequest,
    ) -> Result<Page<Arc<BillingIntent>>> {
        self.read(acct, |s| {
            let all = &s.billing.intents;
            let page = all.page(req.cursor, req.limit, |_| true);
            let seq = |i: &&Arc<BillingIntent>| all.seq_of(&i.id);
            let next = page
                .items
                .last()
                .and_then(seq)
                .filter(|&q| all.any_older(q, |_| true))
                .map(Cursor::After);
            let previous = page
                .items
                .first()
                .and_then(seq)
                .filter(|&q| all.any_newer(q, |_| true))
                .map(Cursor::Before);
            Ok(Page {
                data: page.items.into_iter().cloned().collect(),
                next,
                previous,
            })
        })
    }

    /// draft → reserved, after recomputing the amounts and checking the charge limits.
    ///
    /// # Errors
    /// `billing_intent_not_found`; `invalid_status_for_reserve`; `coupon_not_redeemable` for a
    /// coupon deleted since creation (prices cannot be deleted); `amount_too_small` /
    /// `amount_too_large`.
    pub fn reserve_intent(&self, acct: &AccountKey, id: &str) -> Result<Arc<BillingIntent>> {
        self.write(acct, |s, ctx| {
            let current = s
                .billing
                .intents
                .get(id)
                .ok_or_else(|| intent_not_found(id))?;
            next_status(current.status, Operation::Reserve).map_err(transition_error)?;
            let amounts = amounts_of(
                s,
                Pricing::Reserve,
                &current.currency,
                current.actions.iter().map(|a| &a.details),
            )?;
            check_reservable(&current.currency, &amounts)
                .map_err(|e| reserve_amount_error(e, &current.currency))?;
            transition_in_place(s, id, Operation::Reserve, ctx.now, |intent| {
                intent.amount_details = amounts;
            })
        })
    }

    /// reserved → draft.
    ///
    /// # Errors
    /// `billing_intent_not_found`; `invalid_status_for_release`.
    pub fn release_intent(&self, acct: &AccountKey, id: &str) -> Result<Arc<BillingIntent>> {
        self.write(acct, |s, ctx| {
            simple_transition(s, ctx, id, Operation::ReleaseReservation)
        })
    }

    /// draft or reserved → canceled.
    ///
    /// # Errors
    /// `billing_intent_not_found`; `invalid_status_for_cancel`.
    pub fn cancel_intent(&self, acct: &AccountKey, id: &str) -> Result<Arc<BillingIntent>> {
        self.write(acct, |s, ctx| {
            simple_transition(s, ctx, id, Operation::Cancel)
        })
    }

    /// reserved → committed; creates the cadence described by `cadence_data`, if any.
    ///
    /// # Errors
    /// `billing_intent_not_found`; `invalid_status_for_commit`; `payment_intent_not_found`;
    /// `payment_record_not_found`.
    pub fn commit_intent(
        &self,
        acct: &(impl Acting + ?Sized),
        id: &str,
        p: CommitParams,
    ) -> Result<Arc<BillingIntent>> {
        self.write(acct, |s, ctx| {
            let current = s
                .billing
                .intents
                .get(id)
                .ok_or_else(|| intent_not_found(id))?;
            next_status(current.status, Operation::Commit).map_err(transition_error)?;
            if let Some(pi) = &p.payment_intent {
                if !s.payment_intents.contains(pi) {
                    return Err(Error::NotFound {
                        code: "payment_intent_not_found",
                        message: format!("No such payment intent: '{pi}'"),
                        param: Some("payment_intent".into()),
                    });
                }
            }
            if let Some(pr) = &p.payment_record {
                if !s.payment_records.contains(pr) {
                    return Err(Error::NotFound {
                        code: "payment_record_not_found",
                        message: format!("No such payment record: '{pr}'"),
                        param: Some("payment_record".into()),
                    });
                }
            }
            let mut updated = BillingIntent::clone(current);
            updated
                .transition(Operation::Commit, ctx.now)
                .map_err(transition_error)?;
            let cadence = match (&updated.cadence, &updated.cadence_data) {
                (None, Some(data)) => Some(Cadence::from_data(
                    ctx.ids.v2("bc_"),
                    ctx.now,
                    ctx.livemode,
                    data,
                )),
                _ => None,
            };
            if let Some(cadence) = cadence {
                updated.cadence = Some(cadence.id.clone());
                s.events.thin.emit(
                    ThinEventType::BillingCadenceCreated,
                    RelatedKind::Cadence,
                    &cadence.id,
                );
                s.billing.cadences.insert(&cadence.id.clone(), cadence);
            }
            save(s, updated)
        })
    }

    /// One action of an intent.
    ///
    /// # Errors
    /// `billing_intent_not_found`; `billing_intent_action_not_found` (also for an action of
    /// another intent).
    pub fn intent_action(
        &self,
        acct: &AccountKey,
        intent_id: &str,
        id: &str,
    ) -> Result<IntentAction> {
        self.read(acct, |s| {
            s.billing
                .intents
                .get(intent_id)
                .ok_or_else(|| intent_not_found(intent_id))?
                .action(id)
                .cloned()
                .ok_or_else(|| action_not_found(intent_id, id))
        })
    }

    /// One page of an intent's actions, in request order.
    ///
    /// # Errors
    /// `billing_intent_not_found`.
    pub fn list_intent_actions(
        &self,
        acct: &AccountKey,
        intent_id: &str,
        req: &PageRequest,
    ) -> Result<Page<IntentAction>> {
        self.read(acct, |s| {
            let intent = s
                .billing
                .intents
                .get(intent_id)
                .ok_or_else(|| intent_not_found(intent_id))?;
            Ok(page_of_slice(&intent.actions, req))
        })
    }

    /// Creates an active cadence.
    ///
    /// # Errors
    /// None in practice; the signature matches the other store methods.
    pub fn create_cadence(&self, acct: &(impl Acting + ?Sized), p: NewCadence) -> Result<Cadence> {
        self.write(acct, |s, ctx| {
            let mut metadata = Metadata::new();
            if let Some(m) = p.metadata {
                m.merge_into(&mut metadata);
            }
            let cadence = Cadence {
                id: ctx.ids.v2("bc_"),
                created: ctx.now,
                livemode: ctx.livemode,
                billing_cycle: BillingCycle::resolve(&p.billing_cycle, ctx.now),
                payer: CadencePayer {
                    billing_profile: Some(p.billing_profile),
                    customer: None,
                },
                settings: p.settings,
                lookup_key: p.lookup_key,
                metadata,
            };
            s.billing.cadences.insert(&cadence.id, cadence.clone());
            s.events.thin.emit(
                ThinEventType::BillingCadenceCreated,
                RelatedKind::Cadence,
                &cadence.id,
            );
            Ok(cadence)
        })
    }

    /// Retrieves a cadence.
    ///
    /// # Errors
    /// `billing_cadence_not_found`.
    pub fn cadence(&self, acct: &AccountKey, id: &str) -> Result<Cadence> {
        self.read(acct, |s| {
            s.billing
                .cadences
                .get(id)
                .cloned()
                .ok_or_else(|| cadence_not_found(id, None))
        })
    }
}

/// Release and cancel: existence, then status, then the new status.
fn simple_transition(
    s: &mut AccountState,
    ctx: &Ctx<'_>,
    id: &str,
    operation: Operation,
) -> Result<Arc<BillingIntent>> {
    transition_in_place(s, id, operation, ctx.now, |_| {})
}

/// Moves the stored intent on by `operation` (which checks the status before it changes
/// anything), applies `also` once the move is allowed, and returns it. The intent is changed
/// where it is stored unless an earlier answer still holds it, which keeps its own copy.
fn transition_in_place(
    s: &mut AccountState,
    id: &str,
    operation: Operation,
    now: chrono::DateTime<chrono::Utc>,
    also: impl FnOnce(&mut BillingIntent),
) -> Result<Arc<BillingIntent>> {
    let stored = s
        .billing
        .intents
        .get_mut(id)
        .ok_or_else(|| intent_not_found(id))?;
    // Checked on the shared value first, so a refused move never copies it.
    next_status(stored.status, operation).map_err(transition_error)?;
    let intent = Arc::make_mut(stored);
    intent
        .transition(operation, now)
        .map_err(transition_error)?;
    also(intent);
    Ok(Arc::clone(stored))
}

/// Writes a checked copy back in place (keeping its list position) and returns it.
fn save(s: &mut AccountState, updated: BillingIntent) -> Result<Arc<BillingIntent>> {
    let slot = s
        .billing
        .intents
        .get_mut(&updated.id)
        .ok_or_else(|| intent_not_found(&updated.id))?;
    *slot = Arc::new(updated);
    Ok(Arc::clone(slot))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::billing_intent::Remove;

    fn req(limit: usize, cursor: Cursor) -> PageRequest {
        PageRequest { limit, cursor }
    }

    #[test]
    fn an_answer_keeps_its_intent_while_the_stored_one_moves_on() {
        let store = Store::default();
        let acct = AccountKey::new("sk_test_shared", None);
        let created = store
            .create_intent(
                &acct,
                NewIntent {
                    id: None,
                    currency: "usd".into(),
                    cadence: None,
                    cadence_data: None,
                    actions: vec![ActionDetails::Remove(Remove {
                        kind: "spend_modifier_rule",
                        effective_at: "on_reserve",
                        invoice_discount_rule: None,
                        spend_modifier_rule: Some("smr_1".into()),
                    })],
                },
            )
            .unwrap();
        let canceled = store.cancel_intent(&acct, &created.id).unwrap();
        assert_eq!(created.status, IntentStatus::Draft);
        assert_eq!(created.status_transitions.canceled_at, None);
        assert_eq!(canceled.status, IntentStatus::Canceled);
        let stored = store.intent(&acct, &created.id).unwrap();
        assert_eq!(stored.status, IntentStatus::Canceled);
        // A refused move leaves the stored intent as it was, without copying it.
        assert!(store.cancel_intent(&acct, &created.id).is_err());
        let after = store.intent(&acct, &created.id).unwrap();
        assert!(Arc::ptr_eq(&stored, &after));
    }

    #[test]
    fn slices_page_forward_and_back() {
        let items: Vec<u32> = (0..5).collect();
        let first = page_of_slice(&items, &req(2, Cursor::Start));
        assert_eq!(first.data, vec![0, 1]);
        assert_eq!(first.next, Some(Cursor::After(1)));
        assert_eq!(first.previous, None);
        let second = page_of_slice(&items, &req(2, Cursor::After(1)));
        assert_eq!(second.data, vec![2, 3]);
        assert_eq!(second.previous, Some(Cursor::Before(2)));
        let last = page_of_slice(&items, &req(2, Cursor::After(3)));
        assert_eq!(last.data, vec![4]);
        assert_eq!(last.next, None);
        let back = page_of_slice(&items, &req(2, Cursor::Before(4)));
        assert_eq!(back.data, vec![2, 3]);
        assert_eq!(back.previous, Some(Cursor::Before(2)));
        let front = page_of_slice(&items, &req(2, Cursor::Before(1)));
        assert_eq!(front.data, vec![0]);
        assert_eq!(front.previous, None);
        assert_eq!(front.next, Some(Cursor::After(0)));
        let stale = page_of_slice(&items, &req(2, Cursor::After(u64::MAX)));
        assert!(stale.data.is_empty());
        assert_eq!((stale.next, stale.previous), (None, None));
    }
}
