//! Billing Intents (`v2.billing.intent`) and their actions: the data, the draft → reserve →
//! commit state machine and the amount arithmetic.
//!
//! Pure rules only: no HTTP types, no JSON, no clock reads (callers pass `now`), no store.
//! [`next_status`] is the whole state machine as one `match` without a catch-all arm, so a new
//! status or operation does not compile until every pair is decided; [`compute_amounts`] and
//! [`check_reservable`] are the money rules, in checked `i64` minor units.

mod actions;
mod amounts;

pub use actions::*;
pub use amounts::*;

use chrono::{DateTime, Utc};

use crate::domain::cadence::CadenceData;

/// Where an intent is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntentStatus {
    /// Created, editable, not holding anything.
    Draft,
    /// Amounts checked and held; can be committed, released or canceled.
    Reserved,
    /// Applied (terminal).
    Committed,
    /// Abandoned (terminal).
    Canceled,
}

impl IntentStatus {
    /// Every status, for table tests.
    pub const ALL: [IntentStatus; 4] = [
        IntentStatus::Draft,
        IntentStatus::Reserved,
        IntentStatus::Committed,
        IntentStatus::Canceled,
    ];

    /// Stripe's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IntentStatus::Draft => "draft",
            IntentStatus::Reserved => "reserved",
            IntentStatus::Committed => "committed",
            IntentStatus::Canceled => "canceled",
        }
    }
}

/// A state-changing call on an intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST …/reserve`
    Reserve,
    /// `POST …/release_reservation`
    ReleaseReservation,
    /// `POST …/commit`
    Commit,
    /// `POST …/cancel`
    Cancel,
}

impl Operation {
    /// Every operation, for table tests.
    pub const ALL: [Operation; 4] = [
        Operation::Reserve,
        Operation::ReleaseReservation,
        Operation::Commit,
        Operation::Cancel,
    ];
}

/// An operation that is not allowed in the intent's current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionError {
    /// The intent's status.
    pub from: IntentStatus,
    /// What was attempted.
    pub operation: Operation,
}

impl TransitionError {
    /// Stripe's error code: the three documented `invalid_status_for_*` codes, and
    /// `invalid_status_for_cancel` by analogy (the cancel docs show no code).
    pub fn code(&self) -> &'static str {
        match self.operation {
            Operation::Reserve => "invalid_status_for_reserve",
            Operation::ReleaseReservation => "invalid_status_for_release",
            Operation::Commit => "invalid_status_for_commit",
            Operation::Cancel => "invalid_status_for_cancel",
        }
    }

    /// A sentence for the error body.
    pub fn message(&self) -> String {
        let (verb, allowed) = match self.operation {
            Operation::Reserve => ("reserved", "'draft'"),
            Operation::ReleaseReservation => ("released", "'reserved'"),
            Operation::Commit => ("committed", "'reserved'"),
            Operation::Cancel => ("canceled", "'draft' or 'reserved'"),
        };
        format!(
            "A billing intent must be in status {allowed} to be {verb}; its current status is '{}'.",
            self.from.as_str()
        )
    }
}

/// The state machine: the status after `operation`, or why it is not allowed.
///
/// # Errors
/// [`TransitionError`] when `operation` is not allowed from `from`.
pub fn next_status(
    from: IntentStatus,
    operation: Operation,
) -> Result<IntentStatus, TransitionError> {
    use IntentStatus::{Canceled, Committed, Draft, Reserved};
    use Operation::{Cancel, Commit, ReleaseReservation, Reserve};
    let refused = Err(TransitionError { from, operation });
    match (from, operation) {
        (Draft, Reserve) => Ok(Reserved),
        (Reserved | Committed | Canceled, Reserve) => refused,
        (Reserved, ReleaseReservation) => Ok(Draft),
        (Draft | Committed | Canceled, ReleaseReservation) => refused,
        (Reserved, Commit) => Ok(Committed),
        (Draft | Committed | Canceled, Commit) => refused,
        (Draft | Reserved, Cancel) => Ok(Canceled),
        (Committed | Canceled, Cancel) => refused,
    }
}

/// When the intent entered each status (`null` until it did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusTransitions {
    /// Creation; kept through release.
    pub drafted_at: Option<DateTime<Utc>>,
    /// Last reserve; cleared by release.
    pub reserved_at: Option<DateTime<Utc>>,
    /// Commit.
    pub committed_at: Option<DateTime<Utc>>,
    /// Cancel.
    pub canceled_at: Option<DateTime<Utc>>,
}

/// A billing intent with its actions (in request order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingIntent {
    /// `bilint_…`
    pub id: String,
    /// Creation instant.
    pub created: DateTime<Utc>,
    /// Live or test, from the key.
    pub livemode: bool,
    /// Lowercase ISO currency.
    pub currency: String,
    /// `bc_…`: given at creation, or created from `cadence_data` at commit.
    pub cadence: Option<String>,
    /// The cadence to create at commit. Boxed: most intents have none, and inline it would
    /// nearly double the size of every stored intent.
    pub cadence_data: Option<Box<CadenceData>>,
    /// Amounts as last computed (create, reserve).
    pub amount_details: AmountDetails,
    /// Lifecycle status.
    pub status: IntentStatus,
    /// Status timestamps.
    pub status_transitions: StatusTransitions,
    /// The actions, in request order.
    pub actions: Vec<IntentAction>,
}

/// How long an intent stays valid: `status_transitions.expires_at` = `created` + this. No
/// source says; the mock never expires an intent by itself.
pub const INTENT_LIFETIME_HOURS: i64 = 24;

impl BillingIntent {
    /// Applies `operation` at `now`: the new status and its timestamp.
    ///
    /// # Errors
    /// [`TransitionError`] when the operation is not allowed; nothing changes then.
    pub fn transition(
        &mut self,
        operation: Operation,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        self.status = next_status(self.status, operation)?;
        let t = &mut self.status_transitions;
        match operation {
            Operation::Reserve => t.reserved_at = Some(now),
            // Back to draft: the seed example shows `reserved_at: null` and the original
            // `drafted_at`.
            Operation::ReleaseReservation => t.reserved_at = None,
            Operation::Commit => t.committed_at = Some(now),
            Operation::Cancel => t.canceled_at = Some(now),
        }
        Ok(())
    }

    /// `status_transitions.expires_at` (`created` itself at the very end of chrono's range,
    /// where adding a day would overflow).
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.created
            .checked_add_signed(chrono::TimeDelta::hours(INTENT_LIFETIME_HOURS))
            .unwrap_or(self.created)
    }

    /// The intent-level `effective_at` of the `2025-07-30.preview` shape
    /// (`current_billing_period_start`, `on_commit` or `on_reserve`): the first action's, when it
    /// is one of those, else `on_reserve`, the actions' default.
    pub fn effective_at(&self) -> &'static str {
        match self.actions.first().map(|a| a.details.effective_kind()) {
            Some(kind @ ("current_billing_period_start" | "on_reserve")) => kind,
            _ => "on_reserve",
        }
    }

    /// The action with `id`, if it belongs to this intent.
    pub fn action(&self, id: &str) -> Option<&IntentAction> {
        self.actions.iter().find(|a| a.id == id)
    }
}

#[cfg(test)]
mod tests {

    use chrono::TimeZone;

    use super::amounts::tests::subscribe;
    use super::*;

    use IntentStatus::{Canceled, Committed, Draft, Reserved};
    use Operation::{Cancel, Commit, ReleaseReservation, Reserve};

    #[test]
    fn every_status_and_operation_pair_has_the_documented_outcome() {
        let table: [(IntentStatus, Operation, Option<IntentStatus>); 16] = [
            (Draft, Reserve, Some(Reserved)),
            (Reserved, Reserve, None),
            (Committed, Reserve, None),
            (Canceled, Reserve, None),
            (Draft, ReleaseReservation, None),
            (Reserved, ReleaseReservation, Some(Draft)),
            (Committed, ReleaseReservation, None),
            (Canceled, ReleaseReservation, None),
            (Draft, Commit, None),
            (Reserved, Commit, Some(Committed)),
            (Committed, Commit, None),
            (Canceled, Commit, None),
            (Draft, Cancel, Some(Canceled)),
            (Reserved, Cancel, Some(Canceled)),
            (Committed, Cancel, None),
            (Canceled, Cancel, None),
        ];
        // The table covers every pair exactly once.
        for s in IntentStatus::ALL {
            for op in Operation::ALL {
                assert_eq!(
                    table
                        .iter()
                        .filter(|(ts, top, _)| *ts == s && *top == op)
                        .count(),
                    1,
                    "{s:?} {op:?}"
                );
            }
        }
        for (from, op, expected) in table {
            let got = next_status(from, op);
            match expected {
                Some(to) => assert_eq!(got, Ok(to), "{from:?} {op:?}"),
                None => assert_eq!(
                    got,
                    Err(TransitionError {
                        from,
                        operation: op
                    }),
                    "{from:?} {op:?}"
                ),
            }
        }
    }

    #[test]
    fn refusals_carry_the_documented_codes() {
        let codes: Vec<&str> = Operation::ALL
            .iter()
            .map(|&operation| {
                TransitionError {
                    from: Canceled,
                    operation,
                }
                .code()
            })
            .collect();
        assert_eq!(
            codes,
            [
                "invalid_status_for_reserve",
                "invalid_status_for_release",
                "invalid_status_for_commit",
                "invalid_status_for_cancel"
            ]
        );
        let msg = TransitionError {
            from: Committed,
            operation: Reserve,
        }
        .message();
        assert!(
            msg.contains("'draft'") && msg.contains("'committed'"),
            "{msg}"
        );
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, day, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn intent() -> BillingIntent {
        BillingIntent {
            id: "bilint_1".into(),
            created: at(1),
            livemode: false,
            currency: "usd".into(),
            cadence: None,
            cadence_data: None,
            amount_details: AmountDetails::default(),
            status: Draft,
            status_transitions: StatusTransitions {
                drafted_at: Some(at(1)),
                reserved_at: None,
                committed_at: None,
                canceled_at: None,
            },
            actions: Vec::new(),
        }
    }

    #[test]
    fn transitions_stamp_their_timestamps() {
        let mut i = intent();
        i.transition(Reserve, at(2)).expect("reserve");
        assert_eq!(i.status_transitions.reserved_at, Some(at(2)));
        i.transition(ReleaseReservation, at(3)).expect("release");
        assert_eq!(i.status, Draft);
        assert_eq!(i.status_transitions.reserved_at, None);
        assert_eq!(i.status_transitions.drafted_at, Some(at(1)));
        i.transition(Reserve, at(4)).expect("reserve again");
        assert_eq!(i.status_transitions.reserved_at, Some(at(4)));
        i.transition(Commit, at(5)).expect("commit");
        assert_eq!(i.status, Committed);
        assert_eq!(i.status_transitions.committed_at, Some(at(5)));
        assert_eq!(i.status_transitions.reserved_at, Some(at(4)));
        assert_eq!(i.expires_at(), at(2));
        i.created = DateTime::<Utc>::MAX_UTC;
        assert_eq!(i.expires_at(), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn the_intent_takes_effect_when_its_first_action_does() {
        let mut i = intent();
        assert_eq!(i.effective_at(), "on_reserve");
        let mut first = subscribe(&[("p1000", 1)]);
        if let ActionDetails::Subscribe(s) = &mut first {
            s.effective_at.kind = "current_billing_period_start";
        }
        i.actions.push(IntentAction {
            id: "bilinti_1".into(),
            created: at(1),
            livemode: false,
            details: first,
        });
        assert_eq!(i.effective_at(), "current_billing_period_start");
        if let ActionDetails::Subscribe(s) = &mut i.actions[0].details {
            s.effective_at.kind = "timestamp";
        }
        assert_eq!(i.effective_at(), "on_reserve");
        assert!(i.action("bilinti_1").is_some());
        assert!(i.action("bilinti_2").is_none());
    }

    #[test]
    fn a_refused_transition_changes_nothing() {
        let mut i = intent();
        let before = i.clone();
        assert!(i.transition(Commit, at(2)).is_err());
        assert_eq!(i, before);
        i.transition(Cancel, at(3)).expect("cancel");
        assert_eq!(i.status_transitions.canceled_at, Some(at(3)));
        let canceled = i.clone();
        assert!(i.transition(Cancel, at(4)).is_err());
        assert_eq!(i, canceled);
    }
}
