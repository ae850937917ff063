//! Report files: the [`ObjectStore`] trait, [`S3Objects`] and [`MemoryObjects`].
//!
//! A file is written either in one `put` (small files) or as a multipart upload
//! (`begin` → `upload_part`… → `complete`), which a failure must `abort` so no parts are left
//! behind. [`ObjectStore::download_link`] presigns a GET of limited life.

mod memory;
mod s3;

use std::future::Future;
use std::time::Duration;

pub use memory::MemoryObjects;
pub use s3::S3Objects;

use deskbell_errors::{Classify, ErrorKind};

/// An object-store operation that did not complete.
#[derive(Debug, Clone, thiserror::Error)]
#[error("bucket {bucket}: {operation} {key} failed: {message}")]
pub struct ObjectError {
    pub bucket: String,
    pub key: String,
    pub operation: &'static str,
    pub message: String,
    pub kind: ErrorKind,
}

impl Classify for ObjectError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// One uploaded part: its number and the tag the store gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPart {
    pub number: i32,
    pub etag: String,
}

/// Where report files go.
pub trait ObjectStore: Send + Sync {
    /// The bucket name (for messages and links).
    fn bucket(&self) -> &str;

    /// Writes a whole object in one request.
    fn put(&self, key: &str, content_type: &str, body: Vec<u8>)
    -> impl Future<Output = Result<(), ObjectError>> + Send;

    /// Starts a multipart upload; answers its upload id.
    fn begin(&self, key: &str, content_type: &str) -> impl Future<Output = Result<String, ObjectError>> + Send;

    /// Uploads part `number` (1-based) of an upload.
    fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        body: Vec<u8>,
    ) -> impl Future<Output = Result<UploadedPart, ObjectError>> + Send;

    /// Assembles the uploaded parts into the object.
    fn complete(
        &self,
        key: &str,
        upload_id: &str,
        parts: Vec<UploadedPart>,
    ) -> impl Future<Output = Result<(), ObjectError>> + Send;

    /// Drops an upload and its parts.
    fn abort(&self, key: &str, upload_id: &str) -> impl Future<Output = Result<(), ObjectError>> + Send;

    /// A link that downloads the object for `expires_in`.
    fn download_link(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> impl Future<Output = Result<String, ObjectError>> + Send;
}
