//! Gateway integration tests: Sekimori in-process on 127.0.0.1:0 in front of a fake
//! upstream that records what it received.

mod audit;
mod bedrock;
mod catalogue;
mod cli;
mod console_browser;
mod console_cli;
mod console_fixture;
mod console_history;
mod console_http;
mod console_lists;
mod console_policy;
mod console_tls;
mod demo;
mod foreign_names;
mod forward_audit;
mod forward_cli;
mod forward_figures;
mod forward_intercept;
mod forward_pac;
mod forward_plain;
mod forward_proxy;
mod forward_support;
mod forward_tls;
mod hooks;
mod limits;
mod multi_turn;
mod numbers;
mod overload;
mod paths;
mod pool;
mod proxy;
mod region;
mod reload;
mod restore_urls;
mod second_door;
mod vertex;
mod wall;

/// Configuration shared by the tests: everything routed to the fake upstream.
pub const BASE: &str = r#"
[server]
listen = "127.0.0.1:0"
max_body_bytes = 65536

[policy]
default_action = "mask"

[policy.actions]
my_number = "block"
secret_project = "warn"

[[detection.word_lists]]
name = "secret_project"
words = ["極秘案件"]

[auth]
allow_anonymous = true

[[departments]]
name = "kosodate"
models = ["allowed-model"]
allow_content = ["image"]

[[auth.keys]]
# sk-test-key
sha256 = "0d62f396c1317066f55a96086517047c737087c61eb2bf016b72e6298927b15b"
user = "tanaka"
department = "kosodate"

[[upstreams]]
name = "fake"
provider = "on_premises"
residency = "on-premises"
base_url = "{UPSTREAM}"
api_key = "upstream-secret"

[[routes]]
api = "openai"
upstream = "fake"

[[routes]]
api = "azure"
upstream = "fake"

[[routes]]
api = "anthropic"
upstream = "fake"

[[routes]]
api = "gemini"
upstream = "fake"
"#;

/// A chat request with one user message.
pub fn chat(text: &str) -> String {
    serde_json::json!({"model": "m", "messages": [{"role": "user", "content": text}]}).to_string()
}
