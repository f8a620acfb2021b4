//! When SuperOffice calls the partner: webhook deliveries.
//!
//! A delivery arrives as an HTTP POST to the partner's own URL and must be verified before anything
//! in it is believed. The host's server reads the request; [`webhook::verify_webhook`] takes its raw
//! body and headers, verifies, and returns the checked content. No I/O, no clock (`now` is an
//! argument). SuperOffice signs the exact body bytes with HMAC-SHA256 under the webhook's secret and
//! sends the base64 in `X-SuperOffice-Signature` (SuperOfficeDocs/superoffice-docs
//! `docs/en/automation/webhook/security.md`); verified with RustCrypto's `hmac` over `sha2`,
//! compared in constant time by its own `verify_slice`.
//!
//! Tenant status notifications, SuperOffice's other call to the partner, need nothing here: their one
//! signed part is a JWT, which the key/JWT layer validates (the JS layer's
//! `parseTenantStatusNotification` composes it; keeping a second reader in wasm cost 1.8 KB gzipped).
//!
//! This door depends on the shared plumbing (JSON, time) only, never on another protocol.

pub mod webhook;

#[cfg(test)]
mod tests;

pub use webhook::{verify_webhook, WebhookEvent, WebhookOptions};
