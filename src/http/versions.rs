//! Which API version a request gets when it names none: the account's default if one was set
//! (control plane, library), else the server's (`--api-version`, the library builder), else
//! the newest GA version the mock implements. `/v2` paths exist only in preview versions: they
//! take a configured default only when it is a preview version, and otherwise
//! [`DEFAULT_PREVIEW`](crate::version::DEFAULT_PREVIEW).

use hashbrown::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::http::de::Mode;
use crate::store::AccountKey;
use crate::sync::{read_lock, write_lock};
use crate::version::ApiVersion;

/// Most accounts with a default version of their own.
pub const MAX_ACCOUNT_VERSIONS: usize = 100_000;

/// The configured default versions. Read on every request, so the common case takes no lock
/// shared by all requests: the server's default is an atomic, and the accounts' map is only
/// looked at once an account has a default of its own.
#[derive(Debug, Default)]
pub struct Versions {
    /// 1 + the server default's index among the known versions; 0: none.
    server: AtomicUsize,
    /// Whether any account has a default of its own.
    any_account: AtomicBool,
    accounts: RwLock<HashMap<AccountKey, ApiVersion>>,
}

impl Versions {
    /// The version a request of `account` on a `mode` path gets without `Stripe-Version`.
    pub fn default_for(&self, account: Option<&AccountKey>, mode: Mode) -> ApiVersion {
        let own = match account {
            Some(a) if self.any_account.load(Ordering::Acquire) => {
                read_lock(&self.accounts).get(a).copied()
            }
            _ => None,
        };
        fallback(own.or_else(|| self.server_default()), mode)
    }

    /// The server's configured default, if any.
    pub fn server_default(&self) -> Option<ApiVersion> {
        match self.server.load(Ordering::Acquire) {
            0 => None,
            n => ApiVersion::from_index(n - 1),
        }
    }

    /// Sets (or with `None` clears) the server's default.
    pub fn set_server(&self, version: Option<ApiVersion>) {
        let n = version.map_or(0, |v| v.index() + 1);
        self.server.store(n, Ordering::Release);
    }

    /// Sets (or with `None` clears) the default of `account`.
    ///
    /// # Errors
    /// When [`MAX_ACCOUNT_VERSIONS`] accounts already have one.
    pub fn set_account(&self, account: &AccountKey, version: Option<ApiVersion>) -> Result<()> {
        let mut accounts = write_lock(&self.accounts);
        match version {
            None => {
                accounts.remove(account);
            }
            Some(v) => {
                if accounts.len() >= MAX_ACCOUNT_VERSIONS && !accounts.contains_key(account) {
                    return Err(Error::invalid_uncoded(
                        format!(
                            "At most {MAX_ACCOUNT_VERSIONS} accounts can have a default API version of their own; reset some first."
                        ),
                        None,
                    ));
                }
                accounts.insert(account.clone(), v);
            }
        }
        self.any_account
            .store(!accounts.is_empty(), Ordering::Release);
        Ok(())
    }

    /// Forgets the accounts' defaults: every account's, or those of one secret key. The
    /// server's default stays (it is configuration).
    pub fn clear(&self, api_key: Option<&str>) {
        let mut accounts = write_lock(&self.accounts);
        match api_key {
            None => accounts.clear(),
            Some(key) => accounts.retain(|a, _| a.api_key() != key),
        }
        self.any_account
            .store(!accounts.is_empty(), Ordering::Release);
    }
}

/// The version a `Stripe-Version` header value names.
///
/// # Errors
/// Stripe's 400 for a version it never published or a malformed one.
pub fn named(value: &[u8]) -> Result<ApiVersion> {
    // Versions are ASCII: the text is copied only for the error.
    std::str::from_utf8(value)
        .ok()
        .and_then(ApiVersion::parse)
        .ok_or_else(|| Error::InvalidVersion(String::from_utf8_lossy(value).into_owned()))
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
