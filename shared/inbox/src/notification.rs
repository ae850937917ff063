//! One in-app notification.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A notification in a user's in-app inbox (its JSON is what the inbox API answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub user_id: String,
    /// Time-ordered and derived from (job id, user id): the same job stores the same id.
    pub id: String,
    pub job_id: String,
    #[serde(rename = "type")]
    pub job_type: String,
    pub title: String,
    pub body: String,
    /// Where clicking it leads.
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
    /// When DynamoDB's TTL removes it.
    pub expires_at: DateTime<Utc>,
}

impl Notification {
    /// Whether an id has the shape [`Notification::id_for`] gives (32 lowercase hex digits).
    pub fn is_id(id: &str) -> bool {
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// Still there at `now`: DynamoDB's TTL deletes late, so expiry is checked on every read.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now
    }

    /// The id of `job_id`'s notification for `user_id` created at `created_at`: 12 hex digits of
    /// milliseconds (sorts by time) then 20 of a SHA-256 of job and user (unique, repeatable).
    pub fn id_for(job_id: &str, user_id: &str, created_at: DateTime<Utc>) -> String {
        let mut hash = Sha256::new();
        hash.update(job_id.as_bytes());
        hash.update([0]);
        hash.update(user_id.as_bytes());
        let digest = hash.finalize();
        let millis = created_at.timestamp_millis().max(0) as u64;
        let mut id = format!("{millis:012x}");
        for byte in &digest[..10] {
            id.push_str(&format!("{byte:02x}"));
        }
        id
    }

    /// An unread notification for `user_id` about job `job_id`, kept for `ttl`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        user_id: &str,
        job_id: &str,
        job_type: &str,
        title: String,
        body: String,
        link: String,
        created_at: DateTime<Utc>,
        ttl: Duration,
    ) -> Self {
        Self {
            user_id: user_id.to_owned(),
            id: Self::id_for(job_id, user_id, created_at),
            job_id: job_id.to_owned(),
            job_type: job_type.to_owned(),
            title,
            body,
            link,
            created_at,
            read: false,
            // Checked: a creation time near chrono's limit keeps its notification forever
            // instead of panicking the batch.
            expires_at: created_at.checked_add_signed(ttl).unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creation_time_at_the_end_of_time_does_not_overflow_its_expiry() {
        let n = Notification::new(
            "u",
            "j",
            "t",
            String::new(),
            String::new(),
            String::new(),
            DateTime::<Utc>::MAX_UTC,
            Duration::days(90),
        );
        assert_eq!(n.expires_at, DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn ids_repeat_for_the_same_job_and_user_and_sort_by_time() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let t1 = t0 + Duration::milliseconds(1);
        assert_eq!(Notification::id_for("j", "u", t0), Notification::id_for("j", "u", t0));
        assert_ne!(Notification::id_for("j", "u", t0), Notification::id_for("j", "v", t0));
        assert!(Notification::id_for("z", "u", t0) < Notification::id_for("a", "u", t1));
        assert!(Notification::is_id(&Notification::id_for("j", "u", t0)));
        assert!(!Notification::is_id("0123"));
        assert!(!Notification::is_id("0000000000000000000000000000000G"));
    }
}
