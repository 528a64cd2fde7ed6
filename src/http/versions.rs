//! Which API version a request gets when it names none: the account's default if one was set
//! (control plane, library), else the server's (`--api-version`, the library builder), else
//! the newest GA version the mock implements. `/v2` paths exist only in preview versions: they
//! take a configured default only when it is a preview version, and otherwise
//! [`DEFAULT_PREVIEW`](crate::version::DEFAULT_PREVIEW).

use std::collections::HashMap;
use std::sync::RwLock;

use crate::error::{Error, Result};
use crate::http::de::Mode;
use crate::store::AccountKey;
use crate::sync::{read_lock, write_lock};
use crate::version::ApiVersion;

/// Most accounts with a default version of their own.
pub const MAX_ACCOUNT_VERSIONS: usize = 100_000;

/// The configured default versions.
#[derive(Debug, Default)]
pub struct Versions(RwLock<Defaults>);

#[derive(Debug, Default)]
struct Defaults {
    server: Option<ApiVersion>,
    accounts: HashMap<AccountKey, ApiVersion>,
}

impl Versions {
    /// The version a request of `account` on a `mode` path gets without `Stripe-Version`.
    pub fn default_for(&self, account: Option<&AccountKey>, mode: Mode) -> ApiVersion {
        let chosen = {
            let defaults = read_lock(&self.0);
            account
                .and_then(|a| defaults.accounts.get(a).copied())
                .or(defaults.server)
        };
        fallback(chosen, mode)
    }

    /// The server's configured default, if any.
    pub fn server_default(&self) -> Option<ApiVersion> {
        read_lock(&self.0).server
    }

    /// Sets (or with `None` clears) the server's default.
    pub fn set_server(&self, version: Option<ApiVersion>) {
        write_lock(&self.0).server = version;
    }

    /// Sets (or with `None` clears) the default of `account`.
    ///
    /// # Errors
    /// When [`MAX_ACCOUNT_VERSIONS`] accounts already have one.
    pub fn set_account(&self, account: &AccountKey, version: Option<ApiVersion>) -> Result<()> {
        let mut defaults = write_lock(&self.0);
        match (account, version) {
            (a, None) => {
                defaults.accounts.remove(a);
            }
            (a, Some(v)) => {
                if defaults.accounts.len() >= MAX_ACCOUNT_VERSIONS
                    && !defaults.accounts.contains_key(a)
                {
                    return Err(Error::invalid_uncoded(
                        format!(
                            "At most {MAX_ACCOUNT_VERSIONS} accounts can have a default API version of their own; reset some first."
                        ),
                        None,
                    ));
                }
                defaults.accounts.insert(a.clone(), v);
            }
        }
        Ok(())
    }

    /// Forgets the accounts' defaults: every account's, or those of one secret key. The
    /// server's default stays (it is configuration).
    pub fn clear(&self, api_key: Option<&str>) {
        let mut defaults = write_lock(&self.0);
        match api_key {
            None => defaults.accounts.clear(),
            Some(key) => defaults.accounts.retain(|a, _| a.api_key() != key),
        }
    }
}

/// The version a `Stripe-Version` header value names.
///
/// # Errors
/// Stripe's 400 for a version it never published or a malformed one.
pub fn named(value: &[u8]) -> Result<ApiVersion> {
    let text = String::from_utf8_lossy(value);
    ApiVersion::parse(&text).ok_or_else(|| Error::InvalidVersion(text.into_owned()))
}

/// `chosen`, or the mock's default, for a `mode` path.
pub fn fallback(chosen: Option<ApiVersion>, mode: Mode) -> ApiVersion {
    match mode {
        Mode::V1 => chosen.unwrap_or_else(ApiVersion::newest_ga),
        Mode::V2 => chosen
            .filter(|v| v.is_preview())
            .unwrap_or_else(ApiVersion::default_preview),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(name: &str) -> ApiVersion {
        ApiVersion::parse(name).expect("known version")
    }

    #[test]
    fn account_over_server_over_newest() {
        let versions = Versions::default();
        let a = AccountKey::new("sk_test_a", None);
        let b = AccountKey::new("sk_test_b", None);
        assert_eq!(
            versions.default_for(Some(&a), Mode::V1),
            ApiVersion::newest_ga()
        );
        assert_eq!(
            versions.default_for(Some(&a), Mode::V2),
            ApiVersion::default_preview()
        );
        versions.set_server(Some(v("2024-09-30.acacia")));
        versions
            .set_account(&a, Some(v("2025-12-15.preview")))
            .expect("set");
        assert_eq!(
            versions.default_for(Some(&a), Mode::V1),
            v("2025-12-15.preview")
        );
        assert_eq!(
            versions.default_for(Some(&a), Mode::V2),
            v("2025-12-15.preview")
        );
        // A GA default does not apply to /v2, which only preview versions have.
        assert_eq!(
            versions.default_for(Some(&b), Mode::V1),
            v("2024-09-30.acacia")
        );
        assert_eq!(
            versions.default_for(Some(&b), Mode::V2),
            ApiVersion::default_preview()
        );
        versions.clear(Some("sk_test_a"));
        assert_eq!(
            versions.default_for(Some(&a), Mode::V1),
            v("2024-09-30.acacia")
        );
    }
}
