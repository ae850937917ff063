//! push: the WebSocket API's `$connect` and `$disconnect` routes. `$connect` records the
//! connection under its user (with a TTL, as a dropped client may never disconnect cleanly);
//! `$disconnect` forgets it. notify finds the connections and posts new notifications to them
//! (`deskbell_push::Pusher`).
//!
//! The user is the `sub` of a push pass in the `ticket` query parameter ([`PASS_PARAMETER`]):
//! the inbox HTTP API, whose JWT authorizer verified the user, issues it
//! (`POST /notifications/socket-ticket`) signed with the secret both functions share (a
//! WebSocket API takes no JWT authorizer). Locally (only with `DESKBELL_DEV_JWT_SECRET` set) a
//! development token in `token` works too.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use chrono::{DateTime, Duration, Utc};
use deskbell_push::Connections;
use deskbell_runtime::{ConfigError, Env};
use lambda_runtime::LambdaEvent;

/// push's configuration (the configuration table: docs/deploy.md#configuration).
#[derive(Debug, Clone)]
pub struct PushApiConfig {
    pub connections_table: String,
    /// How long a connection is kept without a disconnect (API Gateway closes any after 2 h).
    pub connection_ttl: Duration,
    pub dev_secret: Option<Vec<u8>>,
    /// The push passes' secret (`DESKBELL_PUSH_PASS_SECRET`), shared with inbox.
    pub pass_secret: Option<Vec<u8>>,
}

impl PushApiConfig {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let dev_secret: String = env.parsed_or(deskbell_tokens::DEV_SECRET_VARIABLE, String::new())?;
        Ok(Self {
            connections_table: env.required("DESKBELL_CONNECTIONS_TABLE")?,
            connection_ttl: Duration::seconds(env.parsed_or("DESKBELL_CONNECTION_TTL_SECS", 7200)?),
            dev_secret: Some(dev_secret.into_bytes()).filter(|s| !s.is_empty()),
            pass_secret: env.required(deskbell_tokens::PASS_SECRET_VARIABLE).ok().map(String::into_bytes),
        })
    }
}

/// The `$connect` query parameter carrying the push pass: a public wire name (clients connect
/// with `?ticket=`), kept as it is.
pub const PASS_PARAMETER: &str = "ticket";

/// push's WebSocket API: the `$connect` / `$disconnect` routes over a connections store.
pub struct PushApi<C> {
    connections: C,
    config: PushApiConfig,
}

fn answer(status: i64, text: &str) -> ApiGatewayProxyResponse {
    let mut r = ApiGatewayProxyResponse::default();
    r.status_code = status;
    r.body = Some(Body::Text(text.to_owned()));
    r
}

/// The user of a WebSocket request: the authorizer's `sub` (or principal) if one ran; else the
/// `sub` of a valid push pass; else, when a development secret is configured, of a
/// development token.
pub fn user_of(event: &ApiGatewayWebsocketProxyRequest, config: &PushApiConfig, now: i64) -> Option<String> {
    let fields = &event.request_context.authorizer.fields;
    let claimed = ["sub", "principalId"].iter().find_map(|k| fields.get(*k).and_then(|v| v.as_str()));
    if let Some(sub) = claimed.filter(|s| !s.is_empty()) {
        return Some(sub.to_owned());
    }
    let query = &event.query_string_parameters;
    let verified = |audience, secret: Option<&Vec<u8>>, parameter| {
        let token = query.first(parameter)?;
        deskbell_tokens::verify_for(audience, secret?, token, now).ok().map(|c| c.sub).filter(|s| !s.is_empty())
    };
    verified(deskbell_tokens::PASS_AUDIENCE, config.pass_secret.as_ref(), PASS_PARAMETER)
        .or_else(|| verified(deskbell_tokens::DEV_ISSUER, config.dev_secret.as_ref(), "token"))
}

impl<C: Connections> PushApi<C> {
    pub fn new(connections: C, config: PushApiConfig) -> Self {
        Self { connections, config }
    }

    pub fn connections(&self) -> &C {
        &self.connections
    }

    /// The Lambda handler.
    pub async fn handle(
        &self,
        event: LambdaEvent<ApiGatewayWebsocketProxyRequest>,
    ) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
        Ok(self.route(&event.payload, Utc::now()).await)
    }

    /// One WebSocket route event at `now`.
    pub async fn route(&self, event: &ApiGatewayWebsocketProxyRequest, now: DateTime<Utc>) -> ApiGatewayProxyResponse {
        let context = &event.request_context;
        let Some(connection) = context.connection_id.as_deref() else {
            return answer(400, "no connection id");
        };
        let result = match context.route_key.as_deref() {
            Some("$connect") => {
                let Some(user) = user_of(event, &self.config, now.timestamp()) else {
                    return answer(401, "no authenticated user");
                };
                self.connections.add(&user, connection, now + self.config.connection_ttl).await
            }
            Some("$disconnect") => self.connections.remove(connection).await,
            _ => return answer(200, "push only: messages from clients are ignored"),
        };
        match result {
            Ok(()) => answer(200, "ok"),
            Err(error) => {
                tracing::error!(%error, connection, "connections table");
                answer(500, "connections table unavailable")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use deskbell_push::MemoryConnections;

    use super::*;

    fn config(dev: Option<&[u8]>) -> PushApiConfig {
        PushApiConfig {
            connections_table: "c".into(),
            connection_ttl: Duration::hours(2),
            dev_secret: dev.map(<[u8]>::to_vec),
            pass_secret: Some(b"passes".to_vec()),
        }
    }

    fn event(route: &str, connection: &str, token: Option<&str>) -> ApiGatewayWebsocketProxyRequest {
        event_with(route, connection, token.map(|t| ("token", t)))
    }

    fn event_with(route: &str, connection: &str, query: Option<(&str, &str)>) -> ApiGatewayWebsocketProxyRequest {
        let mut e = ApiGatewayWebsocketProxyRequest::default();
        e.request_context.route_key = Some(route.into());
        e.request_context.connection_id = Some(connection.into());
        if let Some((name, value)) = query {
            e.query_string_parameters = std::collections::HashMap::from([(name.to_owned(), value.to_owned())]).into();
        }
        e
    }

    #[tokio::test]
    async fn connect_with_a_push_pass_records_its_user_and_an_expired_or_foreign_one_is_refused() {
        let now = Utc::now();
        let f = PushApi::new(MemoryConnections::default(), config(None));
        let pass = deskbell_tokens::issue_pass(b"passes", "u-1", now.timestamp());
        assert_eq!(f.route(&event_with("$connect", "c-1", Some((PASS_PARAMETER, &pass))), now).await.status_code, 200);
        assert_eq!(f.connections().of_user("u-1", now).await.unwrap(), ["c-1"]);
        let late = now + Duration::seconds(deskbell_tokens::PASS_LIFE_SECS + 1);
        assert_eq!(f.route(&event_with("$connect", "c-2", Some((PASS_PARAMETER, &pass))), late).await.status_code, 401);
        let forged = deskbell_tokens::issue_pass(b"guess", "u-2", now.timestamp());
        assert_eq!(
            f.route(&event_with("$connect", "c-3", Some((PASS_PARAMETER, &forged))), now).await.status_code,
            401
        );
        let dev_as_pass = deskbell_tokens::sign(b"passes", "u-2", now.timestamp() + 60);
        assert_eq!(
            f.route(&event_with("$connect", "c-4", Some((PASS_PARAMETER, &dev_as_pass))), now).await.status_code,
            401
        );
        assert!(f.connections().of_user("u-2", now).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn connect_records_the_user_of_the_token_and_disconnect_forgets_it() {
        let now = Utc::now();
        let f = PushApi::new(MemoryConnections::default(), config(Some(b"dev")));
        let token = deskbell_tokens::sign(b"dev", "u-1", now.timestamp() + 60);
        assert_eq!(f.route(&event("$connect", "c-1", Some(&token)), now).await.status_code, 200);
        assert_eq!(f.connections().of_user("u-1", now).await.unwrap(), ["c-1"]);
        assert_eq!(f.route(&event("$disconnect", "c-1", None), now).await.status_code, 200);
        assert!(f.connections().of_user("u-1", now).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn connect_without_a_verified_user_is_refused() {
        let now = Utc::now();
        let token = deskbell_tokens::sign(b"dev", "u-1", now.timestamp() + 60);
        let without_secret = PushApi::new(MemoryConnections::default(), config(None));
        assert_eq!(without_secret.route(&event("$connect", "c-1", Some(&token)), now).await.status_code, 401);
        let f = PushApi::new(MemoryConnections::default(), config(Some(b"other")));
        assert_eq!(f.route(&event("$connect", "c-1", Some(&token)), now).await.status_code, 401);
        assert!(f.connections().of_user("u-1", now).await.unwrap().is_empty());
    }
}
