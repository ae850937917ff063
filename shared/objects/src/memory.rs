//! Report files in memory, for unit tests.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::{ObjectError, ObjectStore, UploadedPart};

/// An object: content type and bytes.
type Object = (String, Vec<u8>);
/// An open upload: content type and parts by number.
type OpenUpload = (String, BTreeMap<i32, Vec<u8>>);

/// Objects and open uploads in memory; behaves like [`crate::S3Objects`].
#[derive(Default)]
pub struct MemoryObjects {
    objects: Mutex<BTreeMap<String, Object>>,
    uploads: Mutex<BTreeMap<String, OpenUpload>>,
    next_upload: Mutex<u32>,
}

impl MemoryObjects {
    /// The object at `key`: (content type, bytes).
    pub async fn object(&self, key: &str) -> Option<(String, Vec<u8>)> {
        self.objects.lock().await.get(key).cloned()
    }

    /// Keys of all objects.
    pub async fn keys(&self) -> Vec<String> {
        self.objects.lock().await.keys().cloned().collect()
    }

    /// Uploads begun and neither completed nor aborted.
    pub async fn open_uploads(&self) -> usize {
        self.uploads.lock().await.len()
    }
}

impl ObjectStore for MemoryObjects {
    fn bucket(&self) -> &str {
        "memory"
    }

    async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> Result<(), ObjectError> {
        self.objects.lock().await.insert(key.to_owned(), (content_type.to_owned(), body));
        Ok(())
    }

    async fn begin(&self, key: &str, content_type: &str) -> Result<String, ObjectError> {
        let mut n = self.next_upload.lock().await;
        *n += 1;
        let id = format!("upload-{n}-{key}");
        self.uploads.lock().await.insert(id.clone(), (content_type.to_owned(), BTreeMap::new()));
        Ok(id)
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        body: Vec<u8>,
    ) -> Result<UploadedPart, ObjectError> {
        let mut uploads = self.uploads.lock().await;
        let Some((_, parts)) = uploads.get_mut(upload_id) else {
            return Err(no_such_upload(key, "upload part of"));
        };
        parts.insert(number, body);
        Ok(UploadedPart { number, etag: format!("etag-{number}") })
    }

    async fn complete(&self, key: &str, upload_id: &str, parts: Vec<UploadedPart>) -> Result<(), ObjectError> {
        let Some((content_type, stored)) = self.uploads.lock().await.remove(upload_id) else {
            return Err(no_such_upload(key, "complete upload of"));
        };
        let body = parts.iter().filter_map(|p| stored.get(&p.number)).flatten().copied().collect();
        self.objects.lock().await.insert(key.to_owned(), (content_type, body));
        Ok(())
    }

    async fn abort(&self, _key: &str, upload_id: &str) -> Result<(), ObjectError> {
        self.uploads.lock().await.remove(upload_id);
        Ok(())
    }

    async fn download_link(&self, key: &str, expires_in: Duration) -> Result<String, ObjectError> {
        Ok(format!("https://memory.invalid/{key}?expires_in={}", expires_in.as_secs()))
    }
}

fn no_such_upload(key: &str, operation: &'static str) -> ObjectError {
    ObjectError {
        bucket: "memory".into(),
        key: key.to_owned(),
        operation,
        message: "NoSuchUpload".into(),
        kind: deskbell_errors::ErrorKind::Permanent,
    }
}
