//! HTTP/1.1 messages as the fault proxy reads and writes them: one request from the SDK, one
//! response from moto. Only what the AWS SDK and moto's server send is supported:
//! `Content-Length` or `chunked` bodies, and responses that end at close.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A message head larger than this is refused (SDK heads are a few KiB).
const MAX_HEAD: usize = 64 * 1024;
/// A body larger than this is refused (notify's requests are far smaller).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Headers per message.
const MAX_HEADERS: usize = 64;

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
    #[error("peer closed the connection")]
    Closed,
    #[error("malformed HTTP message: {0}")]
    Malformed(String),
    #[error("HTTP message over {limit} bytes")]
    TooLarge { limit: usize },
}

/// One request: its parts for matching, and its bytes exactly as received for forwarding.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target, query included.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// Head and body as they came, forwarded untouched (SigV4 signs them).
    pub raw: Vec<u8>,
}

impl Request {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One response, body de-chunked.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `status`, these headers and `body`.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let reason = http_reason(status).to_owned();
        Self { status, reason, headers, body }
    }

    /// The bytes sent to the client: always `Content-Length` framed, keep-alive.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason).into_bytes();
        for (k, v) in &self.headers {
            if !matches!(k.as_str(), "content-length" | "transfer-encoding" | "connection" | "keep-alive") {
                out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
            }
        }
        out.extend_from_slice(format!("content-length: {}\r\n\r\n", self.body.len()).as_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A byte stream with what was read ahead of the current message.
pub struct Wire<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Wire<S> {
    /// Reads from `stream`.
    pub fn new(stream: S) -> Self {
        Self { stream, buf: Vec::new() }
    }

    /// The underlying stream.
    pub fn stream(&self) -> &S {
        &self.stream
    }

    /// Writes `bytes` and flushes.
    pub async fn write_all(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await?;
        Ok(())
    }

    /// Waits until the peer closes its side: `Ok(())` then. Bytes that arrive meanwhile (a
    /// pipelined request) are kept for the next read.
    pub async fn closed(&mut self) -> Result<(), WireError> {
        let mut chunk = [0u8; 4096];
        loop {
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads more bytes into the buffer; `Closed` at end of stream.
    async fn fill(&mut self) -> Result<(), WireError> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(WireError::Closed);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// The bytes up to and including the blank line ending a head.
    async fn head(&mut self) -> Result<Vec<u8>, WireError> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                return Ok(self.buf.drain(..end + 4).collect());
            }
            if self.buf.len() > MAX_HEAD {
                return Err(WireError::TooLarge { limit: MAX_HEAD });
            }
            self.fill().await?;
        }
    }

    async fn take(&mut self, n: usize) -> Result<Vec<u8>, WireError> {
        if n > MAX_BODY {
            return Err(WireError::TooLarge { limit: MAX_BODY });
        }
        while self.buf.len() < n {
            self.fill().await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    async fn line(&mut self) -> Result<Vec<u8>, WireError> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n") {
                return Ok(self.buf.drain(..end + 2).collect());
            }
            if self.buf.len() > MAX_HEAD {
                return Err(WireError::TooLarge { limit: MAX_HEAD });
            }
            self.fill().await?;
        }
    }

    /// A chunked body: (decoded, raw).
    async fn chunked(&mut self) -> Result<(Vec<u8>, Vec<u8>), WireError> {
        let (mut body, mut raw) = (Vec::new(), Vec::new());
        loop {
            let line = self.line().await?;
            raw.extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line);
            let size_text = text.trim_end().split(';').next().unwrap_or_default().trim().to_owned();
            let size = usize::from_str_radix(&size_text, 16)
                .map_err(|_| WireError::Malformed(format!("chunk size {size_text:?}")))?;
            if size == 0 {
                // Trailers, up to the blank line.
                loop {
                    let trailer = self.line().await?;
                    raw.extend_from_slice(&trailer);
                    if trailer == b"\r\n" {
                        return Ok((body, raw));
                    }
                }
            }
            if body.len() + size > MAX_BODY {
                return Err(WireError::TooLarge { limit: MAX_BODY });
            }
            let data = self.take(size + 2).await?;
            body.extend_from_slice(&data[..size]);
            raw.extend_from_slice(&data);
        }
    }

    /// Reads the next request; `Closed` when the client closed between requests.
    pub async fn read_request(&mut self) -> Result<Request, WireError> {
        let head = self.head().await?;
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut slots);
        parsed.parse(&head).map_err(|e| WireError::Malformed(e.to_string()))?;
        let method = parsed.method.unwrap_or_default().to_owned();
        let path = parsed.path.unwrap_or_default().to_owned();
        let headers = lower_headers(parsed.headers);
        let mut raw = head.clone();
        let body = match framing(&headers) {
            Framing::Chunked => {
                let (body, chunked) = self.chunked().await?;
                raw.extend_from_slice(&chunked);
                body
            }
            Framing::Length(n) => {
                let body = self.take(n).await?;
                raw.extend_from_slice(&body);
                body
            }
            Framing::UntilClose => Vec::new(),
        };
        Ok(Request { method, path, headers, body, raw })
    }

    /// Reads one response to a request made with `method`.
    pub async fn read_response(&mut self, method: &str) -> Result<Response, WireError> {
        let head = self.head().await?;
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut slots);
        parsed.parse(&head).map_err(|e| WireError::Malformed(e.to_string()))?;
        let status = parsed.code.unwrap_or_default();
        let reason = parsed.reason.unwrap_or_default().to_owned();
        let headers = lower_headers(parsed.headers);
        let bodiless = method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status);
        let body = if bodiless {
            Vec::new()
        } else {
            match framing(&headers) {
                Framing::Chunked => self.chunked().await?.0,
                Framing::Length(n) => self.take(n).await?,
                Framing::UntilClose => {
                    while self.fill().await.is_ok() {
                        if self.buf.len() > MAX_BODY {
                            return Err(WireError::TooLarge { limit: MAX_BODY });
                        }
                    }
                    std::mem::take(&mut self.buf)
                }
            }
        };
        Ok(Response { status, reason, headers, body })
    }
}

enum Framing {
    Chunked,
    Length(usize),
    UntilClose,
}

fn framing(headers: &[(String, String)]) -> Framing {
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        Framing::Chunked
    } else if let Some(n) = get("content-length").and_then(|v| v.trim().parse().ok()) {
        Framing::Length(n)
    } else {
        Framing::UntilClose
    }
}

fn lower_headers(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers.iter().map(|h| (h.name.to_ascii_lowercase(), String::from_utf8_lossy(h.value).into_owned())).collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A wire whose peer has sent `bytes` and closed.
    async fn peer_sent(bytes: &[u8]) -> Wire<tokio::io::DuplexStream> {
        let (mut peer, ours) = tokio::io::duplex(64 * 1024);
        peer.write_all(bytes).await.unwrap();
        drop(peer);
        Wire::new(ours)
    }

    #[tokio::test]
    async fn requests_keep_their_raw_bytes_and_decode_chunked_bodies() {
        let sized = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-Amz-Target: A.B\r\n\r\nhello";
        let chunked = b"PUT /k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\n\r\n";
        let mut wire = peer_sent(&[&sized[..], &chunked[..]].concat()).await;

        let first = wire.read_request().await.unwrap();
        assert_eq!((first.method.as_str(), first.path.as_str(), first.body.as_slice()), ("POST", "/", &b"hello"[..]));
        assert_eq!(first.header("x-amz-target"), Some("A.B"));
        assert_eq!(first.raw, sized);

        let second = wire.read_request().await.unwrap();
        assert_eq!(second.body, b"hello");
        assert_eq!(second.raw, chunked, "forwarded as it came");
        assert!(matches!(wire.read_request().await, Err(WireError::Closed)));
    }

    #[tokio::test]
    async fn responses_end_by_length_chunks_or_close_and_are_resent_framed() {
        let mut wire = peer_sent(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok").await;
        let sized = wire.read_response("POST").await.unwrap();
        assert_eq!((sized.status, sized.body.as_slice()), (200, &b"ok"[..]));
        let resent = String::from_utf8(sized.to_bytes()).unwrap();
        assert!(
            resent.starts_with("HTTP/1.1 200 OK\r\n") && resent.ends_with("content-length: 2\r\n\r\nok"),
            "{resent}"
        );
        assert!(!resent.contains("Connection"), "{resent}");

        let mut wire = peer_sent(b"HTTP/1.0 500 INTERNAL SERVER ERROR\r\nContent-Type: text/plain\r\n\r\nboom").await;
        let until_close = wire.read_response("GET").await.unwrap();
        assert_eq!((until_close.status, until_close.body.as_slice()), (500, &b"boom"[..]));

        let mut wire = peer_sent(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n").await;
        assert_eq!(wire.read_response("GET").await.unwrap().body, b"ok");
    }
}
