//! Who is asking: the `sub` claim of the JWT the HTTP API's authorizer verified — never a
//! user id from the path, the query or the body.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The user of `request`: the authorizer's `sub` claim; locally (only with a development
/// secret configured) the `sub` of a development token in `Authorization: Bearer …`.
pub fn user_of(request: &Request, dev_secret: Option<&[u8]>, now: i64) -> Option<String> {
    if let Some(RequestContext::ApiGatewayV2(context)) = request.request_context_ref() {
        let sub = context.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).and_then(|jwt| jwt.claims.get("sub"));
        if let Some(sub) = sub.filter(|s| !s.is_empty()) {
            return Some(sub.clone());
        }
    }
    let secret = dev_secret?;
    let header = request.headers().get("authorization")?.to_str().ok()?;
    let token = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer "))?;
    deskbell_tokens::verify(secret, token.trim(), now).ok().map(|claims| claims.sub).filter(|s| !s.is_empty())
}
