//! The bracket form decoder must never panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(map) = stripe_billing_mock::http::form::decode(text) {
            // Whatever decodes must serialise.
            let _ = serde_json::to_string(&map);
        }
    }
});
