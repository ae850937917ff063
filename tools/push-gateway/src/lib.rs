//! The local stand-in for the API Gateway WebSocket API: accepts WebSocket clients on
//! 127.0.0.1 (running the push function's `$connect` / `$disconnect` routes for each, as API
//! Gateway would invoke them) and serves the management callback notify posts to,
//! `POST /@connections/{id}` (200 when delivered, 410 `GoneException` when the client is gone).
//! One port for both: a request starting `POST /@connections/` is the callback, anything
//! else a WebSocket upgrade.
//!
//! A development tool, in no deployment: `scripts/stack` runs it as the
//! `deskbell-push-gateway` binary, and the integration tests start it in process
//! ([`PushGateway::start`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use chrono::Utc;
use deskbell_push::Connections;
use deskbell_push_api::PushApi;
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

type Clients = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Vec<u8>>>>>;

/// A running local gateway.
pub struct PushGateway {
    pub addr: SocketAddr,
}

impl PushGateway {
    /// Where clients connect: `ws://127.0.0.1:PORT/?token=…`.
    pub fn websocket_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The management endpoint for notify (`DESKBELL_PUSH_ENDPOINT`).
    pub fn management_endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts the gateway on `127.0.0.1:port` (0: any free port), recording connections
    /// through `push` (the push function's handler).
    pub async fn start<C: Connections + 'static>(push: Arc<PushApi<C>>, port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let clients: Clients = Arc::default();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (push, clients) = (push.clone(), clients.clone());
                tokio::spawn(async move {
                    let mut head = [0u8; 16];
                    let n = stream.peek(&mut head).await.unwrap_or(0);
                    if head[..n].starts_with(b"POST /@conne") {
                        callback(stream, &clients).await;
                    } else {
                        client(stream, push, clients).await;
                    }
                });
            }
        });
        Ok(Self { addr })
    }
}

fn route_event(route: &str, connection_id: &str, query: HashMap<String, String>) -> ApiGatewayWebsocketProxyRequest {
    let mut e = ApiGatewayWebsocketProxyRequest::default();
    e.request_context.route_key = Some(route.into());
    e.request_context.connection_id = Some(connection_id.into());
    e.request_context.event_type = Some(route.trim_start_matches('$').to_uppercase());
    e.query_string_parameters = query.into();
    e
}

/// One WebSocket client: `$connect`, relay posts to it until it leaves, `$disconnect`.
async fn client<C: Connections>(stream: TcpStream, push: Arc<PushApi<C>>, clients: Clients) {
    // The connect request's query (a push pass in `ticket=…`, or `token=…` locally), as API
    // Gateway passes it.
    let mut query = HashMap::new();
    // The error type is tungstenite's handshake callback's, not ours.
    #[allow(clippy::result_large_err)]
    let capture = |request: &Request, response: Response| {
        let pairs = request.uri().query().unwrap_or_default().split('&');
        query = pairs.filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        Ok(response)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, capture).await else { return };
    let id = format!("local-{}=", ulid::Ulid::new());
    let connected = push.route(&route_event("$connect", &id, query), Utc::now()).await;
    let (mut sink, mut incoming) = ws.split();
    if connected.status_code != 200 {
        let _ = sink.send(Message::Close(None)).await;
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    clients.lock().await.insert(id.clone(), tx);
    loop {
        tokio::select! {
            Some(data) = rx.recv() => {
                let text = String::from_utf8_lossy(&data).into_owned();
                if sink.send(Message::text(text)).await.is_err() { break; }
            }
            message = incoming.next() => match message {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    clients.lock().await.remove(&id);
    push.route(&route_event("$disconnect", &id, HashMap::new()), Utc::now()).await;
}

/// `POST /@connections/{id}`: the body goes to that client, or 410 if it is gone.
async fn callback(mut stream: TcpStream, clients: &Clients) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
    let length: usize = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buffer[head_end..head_end + length].to_vec();
    let id = percent_decode(path.trim_start_matches("/@connections/"));
    let delivered = match clients.lock().await.get(&id) {
        Some(tx) => tx.send(body).is_ok(),
        None => false,
    };
    let response = if delivered {
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned()
    } else {
        let body = r#"{"message":"Gone"}"#;
        format!(
            "HTTP/1.1 410 Gone\r\ncontent-type: application/json\r\nx-amzn-errortype: GoneException\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
