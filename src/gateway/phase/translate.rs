//! Phase `translate`: a catalogue model's request as its upstream takes it, before it
//! is recorded (so the audit log holds what is sent). A translated model's masked
//! OpenAI chat body becomes a Bedrock Converse body on
//! `/model/{provider model}/converse[-stream]`; a renamed one keeps its body with
//! `model` set to the provider's id. Requests without a catalogue model pass
//! unchanged.

use std::sync::Arc;

use serde_json::Value;

use crate::payload::response::ApiKind;
use crate::payload::translate::chat_to_converse;

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::super::route::{bedrock_model_segment, Api, ApiRoute};
use super::Ctx;

/// The Converse path of `provider_model` (streamed or not), as sent and signed.
pub fn converse_path(provider_model: &str, stream: bool) -> String {
    let op = if stream {
        "converse-stream"
    } else {
        "converse"
    };
    format!("/model/{}/{op}", bedrock_model_segment(provider_model))
}

/// Translates or renames [`Ctx::value`] for the catalogue model, if any.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let Some(model) = cx.catalog.clone() else {
        return Ok(());
    };
    if !model.translate {
        cx.value["model"] = Value::String(model.provider_model.clone());
        return Ok(());
    }
    let converse = chat_to_converse(&cx.value).map_err(|e| Refusal::Untranslatable { why: e.0 })?;
    cx.value = converse;
    cx.upstream_route = Some(Arc::new(ApiRoute {
        api: Api::Bedrock,
        kind: ApiKind::BedrockConverse,
        stream_path: cx.stream,
        count_tokens: false,
        path_model: Some(model.provider_model.clone()),
        path: converse_path(&model.provider_model, cx.stream),
    }));
    Ok(())
}
