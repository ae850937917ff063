//! Method + path → the route it names, or why none does. Pure.

/// A route of the notification centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /notifications`
    List,
    /// `GET /notifications/unread-count`
    UnreadCount,
    /// `POST /notifications/{id}/read`
    Read(String),
    /// `POST /notifications/{id}/unread`
    Unread(String),
    /// `POST /notifications/read-all`
    ReadAll,
    /// `DELETE /notifications/{id}`
    Delete(String),
    /// `POST /notifications/socket-ticket`: a short-lived pass to open the push WebSocket. The
    /// path is a public wire name, kept as it is.
    PushPass,
}

/// Why a request names no route.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("no route {path}")]
    NotFound { path: String },
    #[error("{path} does not accept {method}; it accepts {allow}")]
    MethodNotAllowed { method: String, path: String, allow: &'static str },
}

/// The route `method` and `path` name (a trailing `/` is ignored).
pub fn route(method: &str, path: &str) -> Result<Route, RouteError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (allow, route) = match segments.as_slice() {
        ["notifications"] => ("GET", Route::List),
        ["notifications", "unread-count"] => ("GET", Route::UnreadCount),
        ["notifications", "read-all"] => ("POST", Route::ReadAll),
        ["notifications", "socket-ticket"] => ("POST", Route::PushPass),
        ["notifications", id] if !id.is_empty() => ("DELETE", Route::Delete((*id).to_owned())),
        ["notifications", id, "read"] if !id.is_empty() => ("POST", Route::Read((*id).to_owned())),
        ["notifications", id, "unread"] if !id.is_empty() => ("POST", Route::Unread((*id).to_owned())),
        _ => return Err(RouteError::NotFound { path: path.to_owned() }),
    };
    if method.eq_ignore_ascii_case(allow) {
        Ok(route)
    } else {
        Err(RouteError::MethodNotAllowed { method: method.to_owned(), path: path.to_owned(), allow })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn each_route_is_found_with_its_method() {
        assert_eq!(route("GET", "/notifications"), Ok(Route::List));
        assert_eq!(route("GET", "/notifications/"), Ok(Route::List));
        assert_eq!(route("GET", "/notifications/unread-count"), Ok(Route::UnreadCount));
        assert_eq!(route("POST", "/notifications/read-all"), Ok(Route::ReadAll));
        assert_eq!(route("POST", "/notifications/abc/read"), Ok(Route::Read("abc".into())));
        assert_eq!(route("POST", "/notifications/abc/unread"), Ok(Route::Unread("abc".into())));
        assert_eq!(route("DELETE", "/notifications/abc"), Ok(Route::Delete("abc".into())));
        assert_eq!(route("POST", "/notifications/socket-ticket"), Ok(Route::PushPass));
    }

    #[test]
    fn a_known_path_with_another_method_is_405_naming_the_allowed_one() {
        let err = route("POST", "/notifications").unwrap_err();
        assert!(matches!(err, RouteError::MethodNotAllowed { allow: "GET", .. }), "{err:?}");
        let err = route("GET", "/notifications/abc/read").unwrap_err();
        assert!(matches!(err, RouteError::MethodNotAllowed { allow: "POST", .. }), "{err:?}");
        assert!(matches!(route("DELETE", "/notifications/read-all"), Err(RouteError::MethodNotAllowed { .. })));
    }

    #[test]
    fn unknown_paths_are_404() {
        for path in ["/", "/notification", "/notifications/a/b/c", "/notifications//read", "/users/u-1/notifications"] {
            assert!(matches!(route("GET", path), Err(RouteError::NotFound { .. })), "{path}");
        }
    }

    proptest! {
        #[test]
        fn any_method_and_path_route_or_are_refused_without_panic(method in "[A-Z]{0,8}", path in ".{0,60}") {
            let _ = route(&method, &path);
        }
    }
}
