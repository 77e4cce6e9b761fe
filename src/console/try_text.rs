//! テキストを試す: a text through the gateway's own `inspect`, `decide` and `mask`
//! phases ([`crate::gateway::phase`]) under the live configuration or a pending one,
//! as a chat message of a chosen department. Nothing is forwarded and nothing is
//! recorded as a request (the console records that a test ran, never the text).

use std::sync::Arc;

use serde_json::json;

use crate::gateway::phase::{self, Ctx};
use crate::gateway::runtime::{Principal, Runtime};
use crate::gateway::state::{ConnInfo, Shared};
use crate::policy::Action;

/// The path of the tested text in the request the phases see.
const SLOT: &str = "messages[0].content";

/// One finding in the tested text.
#[derive(Clone, Debug, PartialEq)]
pub struct TestFinding {
    /// Category (`phone`, a word list's name, …).
    pub category: String,
    /// What the policy does with it for the department.
    pub action: Action,
    /// The rule that fired (`phone`, `name.honorific`, `wordlist`, …).
    pub detector: &'static str,
    /// Why (value-free).
    pub reason: &'static str,
    /// Start, in characters.
    pub char_start: usize,
    /// End (exclusive), in characters.
    pub char_end: usize,
}

/// What would happen to the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Forwarded as it is.
    Pass,
    /// Forwarded with placeholders.
    Masked,
    /// Refused.
    Blocked,
    /// Refused once with a warning to acknowledge.
    Warned,
    /// Refused for another reason (machine code).
    Refused(&'static str),
}

/// The result of a test.
#[derive(Clone, Debug)]
pub struct TestResult {
    /// The verdict.
    pub verdict: Verdict,
    /// The findings, in text order.
    pub findings: Vec<TestFinding>,
    /// The text as the upstream would receive it (None when refused).
    pub masked: Option<String>,
}

/// Runs the phases over `text` for `department` under `rt` (the live snapshot or a
/// pending edit's), as user `console:<user>`.
pub async fn run(
    shared: &Shared,
    rt: Arc<Runtime>,
    user: &str,
    department: &str,
    text: &str,
) -> TestResult {
    let conn = ConnInfo::new(([127, 0, 0, 1], 0).into(), Arc::default());
    let (parts, ()) = http::Request::builder()
        .method("POST")
        .uri("/console/test-text")
        .body(())
        .unwrap_or_default()
        .into_parts();
    let mut cx = Ctx::new(shared, &conn, parts);
    cx.rt = rt;
    cx.record.front_end = Some("console-test_text".into());
    cx.principal = Some(Arc::new(Principal {
        user: format!("console:{user}"),
        department: department.to_string(),
    }));
    cx.value = json!({"model": "console-test", "messages": [{"role": "user", "content": text}]});
    if let Err(e) = phase::inspect::run(&mut cx).await {
        return TestResult {
            verdict: Verdict::Refused(e.code),
            findings: Vec::new(),
            masked: None,
        };
    }
    let decided = phase::decide::run(&mut cx);
    let policy = &cx.rt.policy;
    let mut findings: Vec<TestFinding> = cx
        .slots
        .iter()
        .zip(&cx.findings)
        .filter(|(s, _)| s.path == SLOT)
        .flat_map(|(_, fs)| fs.iter())
        .map(|f| TestFinding {
            category: f.category.as_str().to_string(),
            action: policy.action(department, &f.category),
            detector: f.detector,
            reason: f.reason,
            char_start: f.char_start,
            char_end: f.char_end,
        })
        .collect();
    findings.sort_by_key(|f| (f.char_start, f.char_end));
    let verdict = match &decided {
        Err(e) if e.code == "blocked_personal_data" || e.code.starts_with("blocked") => {
            Verdict::Blocked
        }
        Err(e) if e.code == "warning_requires_acknowledgement" => Verdict::Warned,
        Err(e) => Verdict::Refused(e.code),
        Ok(()) => Verdict::Pass,
    };
    if verdict != Verdict::Pass {
        return TestResult {
            verdict,
            findings,
            masked: None,
        };
    }
    if let Err(e) = phase::mask::run(&mut cx) {
        return TestResult {
            verdict: Verdict::Refused(e.code),
            findings,
            masked: None,
        };
    }
    let masked = cx.value["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let verdict = if masked != text {
        Verdict::Masked
    } else {
        Verdict::Pass
    };
    TestResult {
        verdict,
        findings,
        masked: Some(masked),
    }
}
