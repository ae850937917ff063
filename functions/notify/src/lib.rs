//! notify: ticket, comment, user, system, report-ready and digest jobs become emails (SES v2)
//! and in-app notifications (DynamoDB).
//!
//! decode (the job core) → decide ([`plan`]: [`recipients`], [`message`], [`render`], pure) →
//! act ([`Notifier`]: claim, send, record, through the `Mailer`, `DeliveryLog` and
//! `NotificationStore` traits; a report's download link from its `ObjectStore`). Which
//! implementation of each trait is used is named once, by a [`NotifyPorts`] type
//! ([`AwsPorts`] as deployed, [`MemoryPorts`] in tests), and a notifier holds their values as
//! [`Ports`].

mod config;
mod error;
mod function;
pub mod lang;
pub mod message;
mod notifier;
mod pacing;
pub mod plan;
mod ports;
pub mod recipients;
pub mod render;

pub use config::{NotifyConfig, PushTarget};
pub use error::{DeliveryError, NotifyError};
pub use function::{AwsNotify, NotifyFunction};
pub use message::{ReportLink, Site};
pub use notifier::{Notifier, Settings, payload_hash};
pub use pacing::{Clock, Pacing, SendRate};
pub use plan::plan;
pub use ports::{AwsPorts, AwsPush, MemoryPorts, NotifyPorts, Ports};
