//! inbox: the notification centre's HTTP API over the in-app notifications.
//!
//! decode ([`route`]: method + path → [`Route`], pure; [`user`]: the JWT `sub` from the
//! authorizer's claims) → act ([`deskbell_inbox::Centre`] over a `NotificationStore`) →
//! answer (JSON, or an RFC 9457 problem naming what is wrong: [`problem`]).

mod api;
mod config;
pub mod problem;
pub mod route;
pub mod user;

pub use api::InboxApi;
pub use config::InboxConfig;
pub use route::{Route, RouteError, route};
