//! Phase `translate`: a catalogue model's request as its upstream takes it, before it
//! is recorded (so the audit log holds what is sent). A translated model's masked
//! OpenAI chat body becomes a Bedrock Converse body on
//! `/model/{provider model}/converse[-stream]` (a `bedrock` upstream) or a Gemini body
//! on `/v1/{provider model}:generateContent` / `:streamGenerateContent?alt=sse` (a
//! `vertex` upstream, `provider_model = "projects/…/locations/asia-northeast1/publishers/google/models/…"`);
//! a renamed one keeps its body with `model` set to the provider's id. Requests
//! without a catalogue model pass unchanged.

use std::sync::Arc;

use serde_json::Value;

use crate::payload::response::ApiKind;
use crate::payload::translate::chat_to_converse;
use crate::payload::translate::gemini::chat_to_gemini;

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::super::route::{self, Api, ApiRoute};
use super::Ctx;

pub use super::super::route::translated_path as sent_path;

/// The query a translated request is sent with (Gemini streams as SSE).
pub fn sent_query(route: &ApiRoute) -> Option<&'static str> {
    (route.api == Api::Gemini && route.stream_path).then_some("alt=sse")
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
    let provider = cx.upstream("translate")?.provider.clone();
    let path = sent_path(&provider, &model.provider_model, cx.stream);
    let route = route::classify(&path).map_err(|_| Refusal::Untranslatable {
        why: format!("provider_model of {} does not make an API path", model.name),
    })?;
    let body = match route.kind {
        ApiKind::GeminiGenerateContent => chat_to_gemini(&cx.value),
        _ => chat_to_converse(&cx.value),
    };
    cx.value = body.map_err(|e| Refusal::Untranslatable { why: e.0 })?;
    cx.upstream_route = Some(Arc::new(route));
    Ok(())
}
