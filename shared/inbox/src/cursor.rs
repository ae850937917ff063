//! The opaque pagination cursor: base64url of the list it belongs to and the last id seen.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::Notification;

/// Where a listing continues: after (older than) `after_id`, in the full or the unread list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub unread_only: bool,
    pub after_id: String,
}

/// Why a cursor was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    #[error("cursor is not base64url")]
    NotBase64,
    #[error("cursor is not one this API issued")]
    Malformed,
}

const VERSION: &str = "n1";

impl Cursor {
    /// The opaque text a client sends back as `cursor`.
    pub fn encode(&self) -> String {
        let list = if self.unread_only { "u" } else { "a" };
        URL_SAFE_NO_PAD.encode(format!("{VERSION}:{list}:{}", self.after_id))
    }

    /// The cursor `text` encodes; anything this API did not issue is refused.
    pub fn decode(text: &str) -> Result<Cursor, CursorError> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).map_err(|_| CursorError::NotBase64)?;
        let text = String::from_utf8(bytes).map_err(|_| CursorError::Malformed)?;
        let mut parts = text.splitn(3, ':');
        let (Some(VERSION), Some(list), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CursorError::Malformed);
        };
        let unread_only = match list {
            "a" => false,
            "u" => true,
            _ => return Err(CursorError::Malformed),
        };
        if !Notification::is_id(id) {
            return Err(CursorError::Malformed);
        }
        Ok(Cursor { unread_only, after_id: id.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const ID: &str = "0000018d2f3a4b5c0123456789abcdef";

    #[test]
    fn cursors_round_trip() {
        for unread_only in [false, true] {
            let c = Cursor { unread_only, after_id: ID.into() };
            assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        }
    }

    #[test]
    fn foreign_text_is_refused() {
        assert_eq!(Cursor::decode("not base64!"), Err(CursorError::NotBase64));
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode("n1:a:short")), Err(CursorError::Malformed));
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode(format!("n1:x:{ID}"))), Err(CursorError::Malformed));
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode(format!("n0:a:{ID}"))), Err(CursorError::Malformed));
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode([0xff, 0xfe])), Err(CursorError::Malformed));
    }

    proptest! {
        #[test]
        fn any_text_decodes_or_is_refused_without_panic(text in ".{0,80}") {
            let _ = Cursor::decode(&text);
        }
    }
}
