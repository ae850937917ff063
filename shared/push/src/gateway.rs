//! Posting to one WebSocket connection.

use std::collections::HashSet;
use std::future::Future;

use aws_sdk_apigatewaymanagement::Client;
use aws_smithy_types::Blob;
use tokio::sync::Mutex;

use crate::PushError;

/// What a post to a connection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Delivered,
    /// The client went away (410 Gone): forget the connection.
    Gone,
}

/// Sends data to one connection of the WebSocket API.
pub trait Gateway: Send + Sync {
    fn post(&self, connection_id: &str, data: &[u8]) -> impl Future<Output = Result<Posted, PushError>> + Send;
}

/// The API Gateway Management API of one WebSocket API stage
/// (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`, or the local gateway).
#[derive(Clone)]
pub struct ManagementGateway {
    client: Client,
}

impl ManagementGateway {
    /// A client of the management API at `endpoint`, with the shared AWS configuration.
    pub fn new(aws: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(aws).endpoint_url(endpoint).build();
        Self { client: Client::from_conf(config) }
    }
}

impl Gateway for ManagementGateway {
    async fn post(&self, connection_id: &str, data: &[u8]) -> Result<Posted, PushError> {
        let result =
            self.client.post_to_connection().connection_id(connection_id).data(Blob::new(data.to_vec())).send().await;
        match result {
            Ok(_) => Ok(Posted::Delivered),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_gone_exception()) => Ok(Posted::Gone),
            Err(err) => Err(PushError::Post {
                connection_id: connection_id.to_owned(),
                message: deskbell_runtime::retry::sdk_error_text(&err),
            }),
        }
    }
}

/// A gateway in memory: records posts; connections marked gone answer [`Posted::Gone`].
#[derive(Default)]
pub struct MemoryGateway {
    posted: Mutex<Vec<(String, Vec<u8>)>>,
    gone: Mutex<HashSet<String>>,
}

impl MemoryGateway {
    /// Every post delivered: (connection id, data).
    pub async fn posted(&self) -> Vec<(String, Vec<u8>)> {
        self.posted.lock().await.clone()
    }

    /// From now on `connection_id` is gone.
    pub async fn mark_gone(&self, connection_id: &str) {
        self.gone.lock().await.insert(connection_id.to_owned());
    }
}

impl Gateway for MemoryGateway {
    async fn post(&self, connection_id: &str, data: &[u8]) -> Result<Posted, PushError> {
        if self.gone.lock().await.contains(connection_id) {
            return Ok(Posted::Gone);
        }
        self.posted.lock().await.push((connection_id.to_owned(), data.to_vec()));
        Ok(Posted::Delivered)
    }
}
