//! The notification centre's operations, as the inbox API and the CLI call them: parameters
//! validated (limits, cursors, ids), every operation scoped to the one user it is given.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Cursor, InboxError, Notification, NotificationStore, PageRequest};

/// Notifications per page when the client does not say.
pub const DEFAULT_LIMIT: usize = 20;
/// The most notifications one page may ask for.
pub const MAX_LIMIT: usize = 100;

/// Why an operation of the centre did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CentreError {
    /// A parameter the client sent is wrong; names it.
    #[error("invalid parameter {parameter}: {reason}")]
    BadParameter { parameter: &'static str, reason: String },
    /// No such notification for this user (another user's is just as missing).
    #[error("no notification {id}")]
    NotFound { id: String },
    #[error(transparent)]
    Store(#[from] InboxError),
}

/// A validated list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub limit: usize,
    pub unread_only: bool,
    pub cursor: Option<Cursor>,
}

impl Default for ListParams {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, unread_only: false, cursor: None }
    }
}

impl ListParams {
    /// Parses the raw `limit`, `unread` and `cursor` parameters (query string or CLI flags).
    pub fn parse(limit: Option<&str>, unread: Option<&str>, cursor: Option<&str>) -> Result<Self, CentreError> {
        let bad = |parameter, reason: String| CentreError::BadParameter { parameter, reason };
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(bad("limit", format!("{text:?} is not a whole number from 1 to {MAX_LIMIT}"))),
            },
        };
        let unread_only = match unread {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(bad("unread", format!("{other:?} is neither true nor false"))),
        };
        let cursor = match cursor {
            None => None,
            Some(text) => {
                let c = Cursor::decode(text).map_err(|e| bad("cursor", e.to_string()))?;
                if c.unread_only != unread_only {
                    let list = if c.unread_only { "unread=true" } else { "the full list" };
                    return Err(bad("cursor", format!("this cursor belongs to {list}")));
                }
                Some(c)
            }
        };
        Ok(Self { limit, unread_only, cursor })
    }
}

/// One page of the list route's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage {
    pub notifications: Vec<Notification>,
    /// Pass it back as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The notification centre over a store.
pub struct Centre<S> {
    store: S,
}

impl<S: NotificationStore> Centre<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// A page of `user_id`'s notifications, newest first.
    pub async fn list(&self, user_id: &str, params: &ListParams, now: DateTime<Utc>) -> Result<ListPage, CentreError> {
        let request = PageRequest {
            user_id,
            unread_only: params.unread_only,
            limit: params.limit,
            after: params.cursor.as_ref().map(|c| c.after_id.as_str()),
            now,
        };
        let page = self.store.page(&request).await?;
        let next_cursor = page.last_id.map(|after_id| Cursor { unread_only: params.unread_only, after_id }.encode());
        Ok(ListPage { notifications: page.items, next_cursor })
    }

    /// How many of `user_id`'s notifications are unread.
    pub async fn unread_count(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, CentreError> {
        Ok(self.store.unread_count(user_id, now).await?)
    }

    /// Marks `user_id`'s notification `id` read (`read`) or unread.
    pub async fn mark(&self, user_id: &str, id: &str, read: bool, now: DateTime<Utc>) -> Result<(), CentreError> {
        if Notification::is_id(id) && self.store.set_read(user_id, id, read, now).await? {
            Ok(())
        } else {
            Err(CentreError::NotFound { id: id.to_owned() })
        }
    }

    /// Marks all of `user_id`'s notifications read; answers how many were unread.
    pub async fn read_all(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, CentreError> {
        Ok(self.store.read_all(user_id, now).await?)
    }

    /// Deletes `user_id`'s notification `id`.
    pub async fn delete(&self, user_id: &str, id: &str, now: DateTime<Utc>) -> Result<(), CentreError> {
        if Notification::is_id(id) && self.store.delete(user_id, id, now).await? {
            Ok(())
        } else {
            Err(CentreError::NotFound { id: id.to_owned() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0000018d2f3a4b5c0123456789abcdef";

    #[test]
    fn limit_outside_one_to_the_maximum_is_refused_by_name() {
        for limit in ["0", "101", "-1", "ten", ""] {
            let err = ListParams::parse(Some(limit), None, None).unwrap_err();
            assert!(err.to_string().starts_with("invalid parameter limit"), "{err}");
        }
        assert_eq!(ListParams::parse(Some("100"), None, None).unwrap().limit, 100);
        assert_eq!(ListParams::parse(None, None, None).unwrap(), ListParams::default());
    }

    #[test]
    fn unread_must_be_true_or_false() {
        assert!(ListParams::parse(None, Some("true"), None).unwrap().unread_only);
        let err = ListParams::parse(None, Some("yes"), None).unwrap_err();
        assert!(err.to_string().starts_with("invalid parameter unread"), "{err}");
    }

    #[test]
    fn a_cursor_of_the_other_list_or_malformed_is_refused() {
        let unread = Cursor { unread_only: true, after_id: ID.into() }.encode();
        assert!(ListParams::parse(None, Some("true"), Some(&unread)).is_ok());
        let err = ListParams::parse(None, None, Some(&unread)).unwrap_err();
        assert!(err.to_string().contains("cursor"), "{err}");
        let err = ListParams::parse(None, None, Some("%%%")).unwrap_err();
        assert!(err.to_string().starts_with("invalid parameter cursor"), "{err}");
    }
}
