//! stats: on daily and weekly schedules, the figures of one period from the ticket store.
//!
//! decode ([`period`]: the scheduled event → the period to compute) → decide ([`figures`]:
//! pure, tickets and activities in, [`StatsFigures`](deskbell_contract::StatsFigures) out) →
//! act ([`Statistician`]: read the indexes, store the record in DynamoDB and its JSON in S3,
//! publish the `stats.digest` job for the admins).

mod config;
mod error;
pub mod figures;
mod function;
pub mod period;
mod statistician;

pub use config::StatsConfig;
pub use error::StatsError;
pub use function::{AwsStats, StatsFunction};
pub use period::{Period, StatsRequest};
pub use statistician::{Statistician, StatsOutcome};
