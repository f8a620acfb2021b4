//! When SuperOffice calls the partner: webhook deliveries and tenant status notifications.
//!
//! Both arrive as HTTP POSTs to the partner's own URL, and both must be verified before anything in
//! them is believed. The host's server reads the request; these functions take its raw body and
//! headers, verify, and return the typed content. No I/O, no clock (`now` is an argument).
//!
//! - [`webhook`]: a webhook registered with a shared secret. SuperOffice signs the exact body bytes
//!   with HMAC-SHA256 under the secret and sends the base64 in `X-SuperOffice-Signature`
//!   (SuperOfficeDocs/superoffice-docs `docs/en/automation/webhook/security.md`). Verified with
//!   RustCrypto's `hmac` over `sha2`, compared in constant time by its own `verify_slice`.
//! - [`tenant_status`]: the notification SuperOffice posts to the application's State Change URL when
//!   a tenant is upgraded, restored, suspended, resumed or deleted; its `Token` is a JWT signed by
//!   SuperOffice, validated by the key/JWT layer (`docs/en/apps/tenant-status/notifications.md`,
//!   `docs/en/developer-portal/best-practices/tenant-status/tenant-status-webhook.md`).
//!
//! This door depends on the shared plumbing (JSON, environments) and the key/JWT layer only, never on
//! another protocol.

pub mod tenant_status;
pub mod webhook;

#[cfg(test)]
mod tests;

pub use tenant_status::{
    parse_tenant_status_notification, ChangeType, TenantStatusNotification, TenantStatusOptions,
};
pub use webhook::{verify_webhook, WebhookEvent, WebhookOptions};
