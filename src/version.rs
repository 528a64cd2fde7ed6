//! API versions: the one model of `Stripe-Version` that every view reads its shape from.
//!
//! A version is a date plus a release: `2023-10-16` (before releases had names),
//! `2024-09-30.acacia`, `2025-03-31.basil`, `2025-09-30.clover`, `2026-03-25.dahlia`,
//! `2026-09-30.endive`, and the monthly versions between them. `.preview` versions follow the GA
//! line of their date plus their preview additions (v2 Billing Intents). Only versions Stripe
//! has published are accepted, as on Stripe: an unknown date, or a release name that does not
//! match its date, is an error. Beta flags after `;` (`2025-03-31.basil; some_beta=v1`) are
//! accepted and ignored.
//!
//! Views decide their fields with [`ApiVersion::since`] against the dates in [`dates`]; handlers
//! and the store never look at the version.

use std::fmt;
use std::sync::LazyLock;

/// The dates at which the shapes the mock renders change.
pub mod dates {
    /// `YYYYMMDD` as a number, which orders dates.
    pub const fn ymd(year: u32, month: u32, day: u32) -> u32 {
        year * 10_000 + month * 100 + day
    }

    /// `2024-09-30.acacia`: the first named release.
    pub const ACACIA: u32 = ymd(2024, 9, 30);
    /// `2025-03-31.basil`: line items and invoice items priced through `pricing` and linked
    /// through `parent`; `GET /v1/invoices/upcoming(/lines)` removed.
    pub const BASIL: u32 = ymd(2025, 3, 31);
    /// `2025-09-30.clover`.
    pub const CLOVER: u32 = ymd(2025, 9, 30);
    /// `2025-12-15.clover`: `subtotal` on line items.
    pub const LINE_SUBTOTAL: u32 = ymd(2025, 12, 15);
    /// `2026-03-25.dahlia`: `quantity_decimal`.
    pub const DAHLIA: u32 = ymd(2026, 3, 25);
    /// `customer_account` on invoices, invoice items, customers, discounts and payment intents.
    pub const CUSTOMER_ACCOUNT: u32 = ymd(2025, 12, 15);
    /// `2026-09-30.endive`.
    pub const ENDIVE: u32 = ymd(2026, 9, 30);

    // v2 Billing Intents, dated by the private-preview SDK builds that pin each version
    // (stripe-python `…aN` on PyPI, stripe-node `…-alpha.N` on npm): a field belongs to the
    // first version whose builds' generated models have it.

    /// `2025-08-27.preview` (seed documents; stripe-node 18.6.0-alpha.2, stripe-python
    /// 12.6.0a1): the intent's `effective_at` and `cadence_data` of the first seed version,
    /// `2025-07-30.preview`, are gone.
    pub const INTENTS_SEED: u32 = ymd(2025, 8, 27);
    /// `2025-09-30.preview` (stripe-python 13.1.0a1), the first version after the seed
    /// documents: `amount_details` as integer-valued strings, as every SDK types them, where
    /// the seed documents show integers.
    pub const STRING_AMOUNTS: u32 = ymd(2025, 9, 30);
    /// `2025-12-15.preview` (stripe-python 14.2.0a1, stripe-node 20.2.0-alpha.1): the
    /// `collect_at` and `overrides` of subscribe, modify and deactivate actions replace their
    /// `billing_details` (`2025-11-17.preview`, stripe-python 14.1.0a4, still has it).
    pub const COLLECT_AT: u32 = ymd(2025, 12, 15);
    /// `2026-01-28.preview` (stripe-python 14.4.0a2): the intent's `cadence_data`.
    pub const CADENCE_DATA: u32 = ymd(2026, 1, 28);
    /// `2026-01-28.preview` (stripe-python 14.4.0a2–a4): spend modifier rules (apply and
    /// remove), `effective_at` of apply and remove actions, `cancellation_details` of deactivate
    /// actions.
    pub const SPEND_MODIFIER_RULES: u32 = ymd(2026, 1, 28);
    /// `2026-03-25.preview` (stripe-python 15.1.0a1; `2026-03-04.preview`, 14.5.0a4, has not):
    /// the intent's `status_transitions.expires_at`.
    pub const EXPIRES_AT: u32 = ymd(2026, 3, 25);
    /// `2026-03-25.preview` (stripe-python 15.1.0a1): apply actions of type `discount`, with
    /// the `effective_at` types `current_billing_period_start` and `timestamp`, and
    /// `recurring_credit_grant` partial-period behaviours.
    pub const APPLY_DISCOUNT: u32 = ymd(2026, 3, 25);
    /// `2026-07-29.preview` (stripe-python 15.5.0a1; `2026-07-08.preview`, 15.4.0a5, has not):
    /// `amount_details.amount_due` and `amount_details.customer_balance_applied`.
    pub const AMOUNT_DUE: u32 = ymd(2026, 7, 29);
}

/// Every published version the mock accepts, sorted as strings (which sorts them by date).
///
/// Before `2024-09-30.acacia` versions are bare dates; from it on, GA versions carry their
/// release's name and preview versions `.preview`. The weekly preview versions that only the
/// private-preview SDK builds pin (`2026-04-01.preview`, stripe-python 15.1.0a2, …) are here
/// too: those builds send them.
const KNOWN: &[&str] = &[
    "2011-01-01",
    "2011-06-21",
    "2011-06-28",
    "2011-08-01",
    "2011-09-15",
    "2011-11-17",
    "2012-02-23",
    "2012-03-25",
    "2012-06-18",
    "2012-06-28",
    "2012-07-09",
    "2012-09-24",
    "2012-10-26",
    "2012-11-07",
    "2013-02-11",
    "2013-02-13",
    "2013-07-05",
    "2013-08-12",
    "2013-08-13",
    "2013-10-29",
    "2013-12-03",
    "2014-01-31",
    "2014-03-13",
    "2014-03-28",
    "2014-05-19",
    "2014-06-13",
    "2014-06-17",
    "2014-07-22",
    "2014-07-26",
    "2014-08-04",
    "2014-08-20",
    "2014-09-08",
    "2014-10-07",
    "2014-11-05",
    "2014-11-20",
    "2014-12-08",
    "2014-12-17",
    "2014-12-22",
    "2015-01-11",
    "2015-01-26",
    "2015-02-10",
    "2015-02-16",
    "2015-02-18",
    "2015-03-24",
    "2015-04-07",
    "2015-06-15",
    "2015-07-07",
    "2015-07-13",
    "2015-07-28",
    "2015-08-07",
    "2015-08-19",
    "2015-09-03",
    "2015-09-08",
    "2015-09-23",
    "2015-10-01",
    "2015-10-12",
    "2015-10-16",
    "2016-02-03",
    "2016-02-19",
    "2016-02-22",
    "2016-02-23",
    "2016-02-29",
    "2016-03-07",
    "2016-06-15",
    "2016-07-06",
    "2016-10-19",
    "2017-01-27",
    "2017-02-14",
    "2017-04-06",
    "2017-05-25",
    "2017-06-05",
    "2017-08-15",
    "2017-12-14",
    "2018-01-23",
    "2018-02-05",
    "2018-02-06",
    "2018-02-28",
    "2018-05-21",
    "2018-07-27",
    "2018-08-23",
    "2018-09-06",
    "2018-09-24",
    "2018-10-31",
    "2018-11-08",
    "2019-02-11",
    "2019-02-19",
    "2019-03-14",
    "2019-05-16",
    "2019-08-14",
    "2019-09-09",
    "2019-10-08",
    "2019-10-17",
    "2019-11-05",
    "2019-12-03",
    "2020-03-02",
    "2020-08-27",
    "2022-08-01",
    "2022-11-15",
    "2023-08-16",
    "2023-10-16",
    "2024-04-10",
    "2024-06-20",
    "2024-09-30.acacia",
    "2024-10-28.acacia",
    "2024-11-20.acacia",
    "2024-12-18.acacia",
    "2025-01-27.acacia",
    "2025-02-24.acacia",
    "2025-03-31.basil",
    "2025-03-31.preview",
    "2025-04-30.basil",
    "2025-04-30.preview",
    "2025-05-28.basil",
    "2025-05-28.preview",
    "2025-06-30.basil",
    "2025-06-30.preview",
    "2025-07-30.basil",
    "2025-07-30.preview",
    "2025-08-04.private",
    "2025-08-27.basil",
    "2025-08-27.preview",
    "2025-09-30.clover",
    "2025-09-30.preview",
    "2025-10-29.clover",
    "2025-10-29.preview",
    "2025-11-17.clover",
    "2025-11-17.preview",
    "2025-12-15.clover",
    "2025-12-15.preview",
    "2026-01-28.clover",
    "2026-01-28.preview",
    "2026-02-25.clover",
    "2026-02-25.preview",
    "2026-03-04.preview",
    "2026-03-25.dahlia",
    "2026-03-25.preview",
    "2026-04-01.preview",
    "2026-04-08.preview",
    "2026-04-22.dahlia",
    "2026-04-22.preview",
    "2026-05-27.dahlia",
    "2026-05-27.preview",
    "2026-06-03.preview",
    "2026-06-10.preview",
    "2026-06-24.dahlia",
    "2026-06-24.preview",
    "2026-07-01.preview",
    "2026-07-08.preview",
    "2026-07-29.dahlia",
    "2026-07-29.preview",
    "2026-08-12.preview",
    "2026-08-26.dahlia",
    "2026-08-26.preview",
    "2026-09-16.preview",
    "2026-09-23.preview",
    "2026-09-30.endive",
    "2026-09-30.preview",
    "2026-10-07.preview",
    "2026-10-14.preview",
    "2026-10-28.endive",
];

/// The release a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Release {
    /// Before `2024-09-30.acacia`: versions named by their date only.
    Dated,
    /// `2024-09-30.acacia` …
    Acacia,
    /// `2025-03-31.basil` …
    Basil,
    /// `2025-09-30.clover` …
    Clover,
    /// `2026-03-25.dahlia` …
    Dahlia,
    /// `2026-09-30.endive` …
    Endive,
}

impl Release {
    /// The release whose line `date` (`YYYYMMDD`) falls in.
    fn of(date: u32) -> Release {
        match date {
            d if d >= dates::ENDIVE => Release::Endive,
            d if d >= dates::DAHLIA => Release::Dahlia,
            d if d >= dates::CLOVER => Release::Clover,
            d if d >= dates::BASIL => Release::Basil,
            d if d >= dates::ACACIA => Release::Acacia,
            _ => Release::Dated,
        }
    }
}

/// A published API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiVersion {
    name: &'static str,
    date: u32,
}

/// The version a request without `Stripe-Version` gets on v1 paths, unless configured: the
/// newest GA version the mock implements.
pub const NEWEST_GA: &str = "2026-10-28.endive";
/// The version a request without `Stripe-Version` gets on `/v2` paths, which exist only in
/// preview versions, unless a preview version is configured: the one today's preview SDK sends.
pub const DEFAULT_PREVIEW: &str = "2026-10-14.preview";

impl ApiVersion {
    /// The version a `Stripe-Version` value names, if Stripe published it. Surrounding
    /// whitespace and beta flags after `;` are ignored.
    pub fn parse(value: &str) -> Option<ApiVersion> {
        let name = value.split(';').next().unwrap_or("").trim();
        Self::from_index(KNOWN.binary_search(&name).ok()?)
    }

    /// The version at `index` in the table of known versions.
    pub(crate) fn from_index(index: usize) -> Option<ApiVersion> {
        let name = *KNOWN.get(index)?;
        // `YYYY-MM-DD…`: the date's eight digits, without allocating.
        let date = name
            .bytes()
            .take(10)
            .filter(u8::is_ascii_digit)
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        Some(ApiVersion { name, date })
    }

    /// The version's place in the table of known versions.
    pub(crate) fn index(self) -> usize {
        KNOWN.binary_search(&self.name).unwrap_or(0)
    }

    /// [`NEWEST_GA`].
    pub fn newest_ga() -> ApiVersion {
        static NEWEST: LazyLock<ApiVersion> = LazyLock::new(|| ApiVersion::known(NEWEST_GA));
        *NEWEST
    }

    /// [`DEFAULT_PREVIEW`].
    pub fn default_preview() -> ApiVersion {
        static DEFAULT: LazyLock<ApiVersion> = LazyLock::new(|| ApiVersion::known(DEFAULT_PREVIEW));
        *DEFAULT
    }

    /// A version from [`KNOWN`], by a name the mock's own code spells.
    fn known(name: &'static str) -> ApiVersion {
        Self::parse(name).unwrap_or(ApiVersion {
            name,
            date: dates::ENDIVE,
        })
    }

    /// The version's name, as Stripe spells it in `Stripe-Version`.
    pub fn as_str(self) -> &'static str {
        self.name
    }

    /// The release whose GA line the version follows (for a preview version, the line of its
    /// date).
    pub fn release(self) -> Release {
        Release::of(self.date)
    }

    /// A `.preview` (or `.private`) version: one of the versions the preview SDK builds pin.
    pub fn is_preview(self) -> bool {
        self.name.ends_with(".preview") || self.name.ends_with(".private")
    }

    /// Whether the version is dated `date` (`YYYYMMDD`, one of [`dates`]) or later.
    pub fn since(self, date: u32) -> bool {
        self.date >= date
    }

    /// The version's date as `YYYYMMDD`.
    pub fn date(self) -> u32 {
        self.date
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl std::str::FromStr for ApiVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApiVersion::parse(s).ok_or_else(|| format!("Invalid Stripe API version: {s}"))
    }
}

#[cfg(test)]
mod tests {
    use super::dates::ymd;
    use super::*;

    #[test]
    fn the_table_is_sorted_and_every_entry_parses() {
        assert!(KNOWN.windows(2).all(|w| w[0] < w[1]));
        for name in KNOWN {
            let v = ApiVersion::parse(name).expect("known");
            assert_eq!(v.as_str(), *name);
            // A named release matches the release of its date.
            if let Some((_, release)) = name.split_once('.') {
                if release != "preview" && release != "private" {
                    assert_eq!(<&str>::from(v.release()), release, "{name}");
                }
            } else {
                assert_eq!(v.release(), Release::Dated, "{name}");
            }
        }
    }

    #[test]
    fn every_version_an_sdk_build_pins_is_known() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sdk_models/versions.json"
        );
        let text = std::fs::read_to_string(path).expect("the versions index");
        let index: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
        assert!(index.len() > 50);
        for entry in index {
            let name = entry["version"].as_str().expect("a version");
            assert!(ApiVersion::parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn versions_parse_into_a_date_and_release() {
        let cases = [
            ("2023-10-16", Release::Dated, false, ymd(2023, 10, 16)),
            (
                "2024-09-30.acacia",
                Release::Acacia,
                false,
                ymd(2024, 9, 30),
            ),
            (
                "2025-02-24.acacia",
                Release::Acacia,
                false,
                ymd(2025, 2, 24),
            ),
            ("2025-03-31.basil", Release::Basil, false, ymd(2025, 3, 31)),
            (
                "2025-12-15.clover",
                Release::Clover,
                false,
                ymd(2025, 12, 15),
            ),
            (
                "2025-12-15.preview",
                Release::Clover,
                true,
                ymd(2025, 12, 15),
            ),
            (
                "2026-03-25.dahlia",
                Release::Dahlia,
                false,
                ymd(2026, 3, 25),
            ),
            (
                "2026-10-14.preview",
                Release::Endive,
                true,
                ymd(2026, 10, 14),
            ),
            (
                "2026-10-28.endive",
                Release::Endive,
                false,
                ymd(2026, 10, 28),
            ),
            (
                " 2025-03-31.basil; some_beta=v1 ",
                Release::Basil,
                false,
                ymd(2025, 3, 31),
            ),
        ];
        for (text, release, preview, date) in cases {
            let v = ApiVersion::parse(text).expect(text);
            assert_eq!(
                (v.release(), v.is_preview(), v.date()),
                (release, preview, date)
            );
        }
    }

    #[test]
    fn unknown_and_malformed_versions_are_refused() {
        for text in [
            "",
            "garbage",
            "2019-2-19",
            "2022-08-02",
            "2025-09-30.acacia",
            "2025-03-31",
            "2025-03-31.BASIL",
            "2030-01-01.endive",
            "2024-06-20.acacia",
        ] {
            assert_eq!(ApiVersion::parse(text), None, "{text}");
        }
    }

    #[test]
    fn since_compares_dates() {
        let basil = ApiVersion::parse("2025-03-31.basil").expect("known");
        assert!(basil.since(dates::BASIL));
        assert!(!basil.since(dates::LINE_SUBTOTAL));
        let acacia = ApiVersion::parse("2025-02-24.acacia").expect("known");
        assert!(!acacia.since(dates::BASIL));
        assert_eq!(ApiVersion::newest_ga().as_str(), NEWEST_GA);
        // Versions that preview SDK builds pin between the monthly ones.
        for pinned in [
            "2026-04-01.preview",
            "2026-07-08.preview",
            "2026-10-07.preview",
        ] {
            assert!(ApiVersion::parse(pinned).is_some_and(ApiVersion::is_preview));
        }
        assert_eq!(ApiVersion::default_preview().as_str(), DEFAULT_PREVIEW);
    }
}
