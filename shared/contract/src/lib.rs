//! The deskbell job contract.
//!
//! Every SQS message body is one JSON [`envelope`]: `id`, `type`, `version`, `occurred_at`, `data`.
//! [`decode`] turns a body into a typed [`Job`] or a [`DecodeError`] that names the offending
//! field; it never panics. [`schema`] exports the JSON Schema committed under `schema/` so
//! producers in other languages can validate before they send.
//!
//! ```
//! let body = r#"{"id":"01JD3","type":"user.welcome","version":1,
//!   "occurred_at":"2026-11-24T10:00:00Z",
//!   "data":{"user":{"id":"u1","email":"ada@example.com","name":"Ada","locale":"fr","role":"customer"}}}"#;
//! let job = deskbell_contract::decode(body).unwrap();
//! assert_eq!(job.job_type(), deskbell_contract::JobType::UserWelcome);
//! ```

mod envelope;
mod error;
mod job_type;
pub mod limits;
mod payloads;
mod people;
pub mod schema;
mod ticket;
mod validate;

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
#[cfg(feature = "hostile")]
pub mod hostile;

pub use envelope::{Job, decode, peek};
pub use error::DecodeError;
pub use job_type::{JobType, Queue};
pub use limits::MAX_BODY_BYTES;
pub use payloads::*;
pub use people::{Company, Role, User};
pub use ticket::{Priority, Status, Ticket};
