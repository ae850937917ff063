//! Small HS256 tokens of our own, for two uses kept apart by their audience:
//!
//! - push passes (audience `deskbell-push`), deployed: a WebSocket API takes no JWT
//!   authorizer, so a client signed in to the HTTP API asks it for a pass
//!   (`POST /notifications/socket-ticket`, valid [`PASS_LIFE_SECS`]) and connects with
//!   `?ticket=`; the push function verifies it with the secret both share
//!   ([`PASS_SECRET_VARIABLE`]). The route, its answer's `ticket` field and the query
//!   parameter are public wire names, kept as they are; in the code, "ticket" means only a
//!   helpdesk ticket.
//! - development tokens for the local stack (audience `deskbell-dev`). In AWS the HTTP API's
//!   JWT authorizer verifies the helpdesk's tokens and hands the function the claims. Locally
//!   there is no authorizer: when (and only when) `DESKBELL_DEV_JWT_SECRET` is set, the inbox
//!   function and the local push gateway accept tokens signed with that secret
//!   (`deskbell-dev-token --user ID` prints one). The deployed template never sets it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The variable holding the development signing secret.
pub const DEV_SECRET_VARIABLE: &str = "DESKBELL_DEV_JWT_SECRET";
/// The issuer and audience of development tokens.
pub const DEV_ISSUER: &str = "deskbell-dev";
/// The issuer and audience of push passes.
pub const PASS_AUDIENCE: &str = "deskbell-push";
/// The variable holding the push passes' secret (inbox signs, push verifies).
pub const PASS_SECRET_VARIABLE: &str = "DESKBELL_PUSH_PASS_SECRET";
/// How long a push pass lets its holder open a connection.
pub const PASS_LIFE_SECS: i64 = 60;

/// The claims of one of our tokens (a development token or a push pass).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is not three base64url parts")]
    Malformed,
    #[error("token is not HS256")]
    Algorithm,
    #[error("token signature does not match")]
    Signature,
    #[error("token expired")]
    Expired,
    #[error("token is not for this audience")]
    Audience,
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this cannot fail.
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// A development token for `sub`, valid until `exp` (seconds since the epoch).
pub fn sign(secret: &[u8], sub: &str, exp: i64) -> String {
    sign_for(DEV_ISSUER, secret, sub, exp)
}

/// The claims of a development token if `secret` signed it and it has not expired at `now`.
pub fn verify(secret: &[u8], token: &str, now: i64) -> Result<Claims, TokenError> {
    verify_for(DEV_ISSUER, secret, token, now)
}

/// A push pass for `user`, valid for [`PASS_LIFE_SECS`] from `now` (seconds since the epoch).
pub fn issue_pass(secret: &[u8], user: &str, now: i64) -> String {
    sign_for(PASS_AUDIENCE, secret, user, now + PASS_LIFE_SECS)
}

/// The claims of a push pass if `secret` signed it and it has not expired at `now`.
pub fn verify_pass(secret: &[u8], pass: &str, now: i64) -> Result<Claims, TokenError> {
    verify_for(PASS_AUDIENCE, secret, pass, now)
}

/// A token of `audience` for `sub`, valid until `exp` (seconds since the epoch).
pub fn sign_for(audience: &str, secret: &[u8], sub: &str, exp: i64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = Claims { sub: sub.to_owned(), iss: audience.into(), aud: audience.into(), exp };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let mut m = mac(secret);
    m.update(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(m.finalize().into_bytes()))
}

/// The claims of a token of `audience` if `secret` signed it and it has not expired at `now`.
pub fn verify_for(audience: &str, secret: &[u8], token: &str, now: i64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| TokenError::Malformed);
    let header: serde_json::Value = serde_json::from_slice(&decode(header)?).map_err(|_| TokenError::Malformed)?;
    if header["alg"] != "HS256" {
        return Err(TokenError::Algorithm);
    }
    let mut m = mac(secret);
    m.update(&token.as_bytes()[..token.len() - signature.len() - 1]);
    m.verify_slice(&decode(signature)?).map_err(|_| TokenError::Signature)?;
    let claims: Claims = serde_json::from_slice(&decode(payload)?).map_err(|_| TokenError::Malformed)?;
    if claims.aud != audience || claims.iss != audience {
        return Err(TokenError::Audience);
    }
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let token = sign(b"s3cret", "u-alice", 1000);
        assert_eq!(verify(b"s3cret", &token, 999).unwrap().sub, "u-alice");
        assert_eq!(verify(b"s3cret", &token, 1000), Err(TokenError::Expired));
    }

    #[test]
    fn another_secret_or_a_changed_payload_is_refused() {
        let token = sign(b"s3cret", "u-alice", 1000);
        assert_eq!(verify(b"other", &token, 0), Err(TokenError::Signature));
        let forged_payload =
            URL_SAFE_NO_PAD.encode(br#"{"sub":"u-bob","iss":"deskbell-dev","aud":"deskbell-dev","exp":1000}"#);
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert_eq!(verify(b"s3cret", &forged, 0), Err(TokenError::Signature));
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#), parts[1]);
        assert_eq!(verify(b"s3cret", &none, 0), Err(TokenError::Algorithm));
        assert_eq!(verify(b"s3cret", "a.b", 0), Err(TokenError::Malformed));
    }

    #[test]
    fn a_development_token_is_no_push_pass_and_a_pass_no_development_token() {
        let pass = issue_pass(b"s3cret", "u-alice", 940);
        assert_eq!(verify_pass(b"s3cret", &pass, 999).unwrap().sub, "u-alice");
        assert_eq!(verify_pass(b"s3cret", &pass, 940 + PASS_LIFE_SECS), Err(TokenError::Expired));
        assert_eq!(verify(b"s3cret", &pass, 0), Err(TokenError::Audience));
        let dev = sign(b"s3cret", "u-alice", 1000);
        assert_eq!(verify_pass(b"s3cret", &dev, 0), Err(TokenError::Audience));
    }
}
