//! One request: route, user, centre operation, answer.

use chrono::{DateTime, Utc};
use deskbell_inbox::{Centre, CentreError, ListParams, NotificationStore};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;

use crate::problem::{json, no_content, problem};
use crate::route::{Route, RouteError, route};
use crate::user::user_of;

/// The inbox API: the centre over a store, and (locally only) a development token secret.
pub struct InboxApi<S> {
    centre: Centre<S>,
    dev_secret: Option<Vec<u8>>,
    pass_secret: Option<Vec<u8>>,
}

impl<S: NotificationStore> InboxApi<S> {
    pub fn new(centre: Centre<S>, dev_secret: Option<Vec<u8>>) -> Self {
        Self { centre, dev_secret, pass_secret: None }
    }

    /// Issues push passes signed with `secret` (shared with the push function).
    pub fn with_pass_secret(self, secret: Option<Vec<u8>>) -> Self {
        Self { pass_secret: secret, ..self }
    }

    pub fn centre(&self) -> &Centre<S> {
        &self.centre
    }

    /// Answers one request; every failure is a problem answer, never an error or a panic.
    pub async fn handle(&self, request: Request, now: DateTime<Utc>) -> Response<Body> {
        let path = request.raw_http_path().to_owned();
        let route = match route(request.method().as_str(), &path) {
            Ok(route) => route,
            Err(err @ RouteError::NotFound { .. }) => {
                return problem(404, "not-found", "No such route", &err.to_string(), &[("path", &path)]);
            }
            Err(err @ RouteError::MethodNotAllowed { allow, .. }) => {
                return problem(405, "method-not-allowed", "Method not allowed", &err.to_string(), &[("allow", allow)]);
            }
        };
        let Some(user) = user_of(&request, self.dev_secret.as_deref(), now.timestamp()) else {
            return problem(
                401,
                "unauthenticated",
                "No authenticated user",
                "the request carries no verified token",
                &[],
            );
        };
        match self.answer(&request, route, &user, now).await {
            Ok(response) => response,
            Err(err) => refusal(&err),
        }
    }

    async fn answer(
        &self,
        request: &Request,
        route: Route,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<Response<Body>, CentreError> {
        let c = &self.centre;
        Ok(match route {
            Route::List => {
                let query = request.query_string_parameters_ref();
                let param = |name: &str| query.and_then(|q| q.first(name));
                let params = ListParams::parse(param("limit"), param("unread"), param("cursor"))?;
                let page = c.list(user, &params, now).await?;
                json(200, &serde_json::to_value(&page).unwrap_or_default())
            }
            Route::UnreadCount => json(200, &json!({ "unread_count": c.unread_count(user, now).await? })),
            Route::Read(id) => self.mark(user, &id, true, now).await?,
            Route::Unread(id) => self.mark(user, &id, false, now).await?,
            Route::ReadAll => {
                let marked = c.read_all(user, now).await?;
                json(200, &json!({ "marked": marked, "unread_count": c.unread_count(user, now).await? }))
            }
            Route::Delete(id) => {
                c.delete(user, &id, now).await?;
                no_content()
            }
            Route::PushPass => {
                let Some(secret) = &self.pass_secret else {
                    return Ok(problem(
                        503,
                        "push-unavailable",
                        "Push unavailable",
                        "no push pass secret is configured",
                        &[],
                    ));
                };
                let pass = deskbell_tokens::issue_pass(secret, user, now.timestamp());
                // `ticket`: the answer's public wire name, kept as it is.
                json(200, &json!({ "ticket": pass, "expires_in": deskbell_tokens::PASS_LIFE_SECS }))
            }
        })
    }

    async fn mark(&self, user: &str, id: &str, read: bool, now: DateTime<Utc>) -> Result<Response<Body>, CentreError> {
        self.centre.mark(user, id, read, now).await?;
        let unread_count = self.centre.unread_count(user, now).await?;
        Ok(json(200, &json!({ "id": id, "read": read, "unread_count": unread_count })))
    }
}

/// The problem answer of a failed operation.
fn refusal(err: &CentreError) -> Response<Body> {
    match err {
        CentreError::BadParameter { parameter, .. } => {
            problem(400, "bad-parameter", "Invalid parameter", &err.to_string(), &[("parameter", parameter)])
        }
        CentreError::NotFound { id } => {
            problem(404, "not-found", "No such notification", &err.to_string(), &[("id", id)])
        }
        CentreError::Store(store) => {
            tracing::error!(error = %store, "notifications table");
            let transient = deskbell_errors::Classify::kind(store) == deskbell_errors::ErrorKind::Transient;
            let status = if transient { 503 } else { 500 };
            problem(status, "unavailable", "Notifications unavailable", "the notifications table did not answer", &[])
        }
    }
}
