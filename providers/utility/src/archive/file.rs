//! `archive_file` as a data source and as a resource, both writing the archive through
//! [`super::archive`].

use async_trait::async_trait;
use plinth_sdk::{
    Context, CreateRequest, DataSource, DeleteRequest, DeleteResponse, ObjectResponse,
    ReadDataResponse, ReadManyResponse, ReadResult, Resource, Schema, UpdateRequest, Value,
};

use crate::common::entries;

pub struct ArchiveData;
pub struct ArchiveResource;

#[async_trait]
impl DataSource<()> for ArchiveData {
    fn type_name(&self) -> &str {
        "archive_file"
    }

    fn schema(&self) -> Schema {
        super::schema(false)
    }

    async fn read(&self, _: &(), _: &Context, config: Value) -> ReadDataResponse {
        match super::archive(entries(config)).await {
            Ok(object) => ReadDataResponse {
                state: Some(Value::Map(object)),
                ..ReadDataResponse::default()
            },
            Err(diagnostics) => diagnostics.into(),
        }
    }
}

#[async_trait]
impl Resource<()> for ArchiveResource {
    fn type_name(&self) -> &str {
        "archive_file"
    }

    fn schema(&self) -> Schema {
        super::schema(true)
    }

    async fn create(&self, _: &(), _: &Context, request: CreateRequest) -> ObjectResponse {
        match super::archive(entries(request.planned)).await {
            Ok(object) => ObjectResponse::ok(Value::Map(object)),
            Err(diagnostics) => ObjectResponse::failed(diagnostics),
        }
    }

    /// Writes each archive again from its sources, as Terraform's refresh does.
    async fn read_many(&self, _: &(), _: &Context, objects: Vec<Value>) -> ReadManyResponse {
        let mut results = Vec::with_capacity(objects.len());
        for object in objects {
            results.push(match super::archive(entries(object)).await {
                Ok(object) => ReadResult::Found(Value::Map(object)),
                Err(diagnostics) => ReadResult::Failed(diagnostics),
            });
        }
        ReadManyResponse {
            results,
            ..ReadManyResponse::default()
        }
    }

    /// Every input replaces the archive, so there is nothing to update in place.
    async fn update(&self, _: &(), _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(request.planned)
    }

    /// Like Terraform's, destroying leaves the written archive in place.
    async fn delete(&self, _: &(), _: &Context, _: DeleteRequest) -> DeleteResponse {
        DeleteResponse::default()
    }
}
