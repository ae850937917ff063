//! Report files in Amazon S3.

use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_smithy_runtime_api::http::Response;
use deskbell_errors::ErrorKind;
use deskbell_runtime::retry::{sdk_error_kind, sdk_error_text};

use crate::{ObjectError, ObjectStore, UploadedPart};

/// One S3 bucket. Path-style addressing is forced when the endpoint is the local emulator.
#[derive(Clone)]
pub struct S3Objects {
    client: Client,
    bucket: String,
}

impl S3Objects {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }

    /// The S3 client for `config`; a custom endpoint (the local emulator) gets path-style
    /// addressing, which it needs and AWS accepts.
    pub fn client(config: &aws_config::SdkConfig) -> Client {
        let path_style = config.endpoint_url().is_some();
        Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(path_style).build())
    }

    fn error<E: ProvideErrorMetadata + std::error::Error>(
        &self,
        operation: &'static str,
        key: &str,
        err: &SdkError<E, Response>,
    ) -> ObjectError {
        ObjectError {
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            operation,
            message: sdk_error_text(err),
            kind: sdk_error_kind(err),
        }
    }
}

impl ObjectStore for S3Objects {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> Result<(), ObjectError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.error("put", key, &e))?;
        Ok(())
    }

    async fn begin(&self, key: &str, content_type: &str) -> Result<String, ObjectError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|e| self.error("begin upload of", key, &e))?;
        Ok(out.upload_id().unwrap_or_default().to_owned())
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        body: Vec<u8>,
    ) -> Result<UploadedPart, ObjectError> {
        let out = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.error("upload part of", key, &e))?;
        Ok(UploadedPart { number, etag: out.e_tag().unwrap_or_default().to_owned() })
    }

    async fn complete(&self, key: &str, upload_id: &str, parts: Vec<UploadedPart>) -> Result<(), ObjectError> {
        let parts = parts.into_iter().map(|p| CompletedPart::builder().part_number(p.number).e_tag(p.etag).build());
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts.collect())).build())
            .send()
            .await
            .map_err(|e| self.error("complete upload of", key, &e))?;
        Ok(())
    }

    async fn abort(&self, key: &str, upload_id: &str) -> Result<(), ObjectError> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
            .map_err(|e| self.error("abort upload of", key, &e))?;
        Ok(())
    }

    async fn download_link(&self, key: &str, expires_in: Duration) -> Result<String, ObjectError> {
        let invalid = |message: String| ObjectError {
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            operation: "presign",
            message,
            kind: ErrorKind::Permanent,
        };
        let config = PresigningConfig::expires_in(expires_in).map_err(|e| invalid(e.to_string()))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| invalid(e.to_string()))?;
        Ok(request.uri().to_owned())
    }
}
