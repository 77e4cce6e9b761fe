//! Region guard seam: which upstreams may be declared and which requests may go to them.
//!
//! Interim rules until `crate::region` arrives (it replaces the bodies of these two
//! functions; the call sites — config load and every request — stay):
//! providers whose processing cannot be pinned to Japan (`openai`, `anthropic`,
//! `gemini_developer`) are refused at load; Azure requests must name a declared
//! deployment whose SKU stays in region when deployments are declared.

use crate::config::UpstreamConfig;

/// Checked at configuration load.
pub fn check_upstream(u: &UpstreamConfig) -> Result<(), String> {
    match u.provider.as_str() {
        "openai" | "anthropic" | "gemini_developer" => Err(format!(
            "upstream '{}': provider '{}' offers no Japan-only processing and is refused",
            u.name, u.provider
        )),
        _ => Ok(()),
    }
}

/// Checked on every request, with the model or deployment it names.
pub fn check_request(u: &UpstreamConfig, model: Option<&str>) -> Result<(), (String, String)> {
    if u.provider == "azure" && !u.deployments.is_empty() {
        let ok = model
            .and_then(|m| u.deployments.iter().find(|d| d.name == m))
            .is_some_and(|d| matches!(d.sku.as_str(), "Standard" | "ProvisionedManaged"));
        if !ok {
            return Err((
                format!(
                    "デプロイ「{}」は国内処理が確認された接続先として登録されていません。",
                    model.unwrap_or("")
                ),
                format!(
                    "deployment '{}' is not a declared in-region deployment of upstream '{}'",
                    model.unwrap_or(""),
                    u.name
                ),
            ));
        }
    }
    Ok(())
}
