//! Issue 15 item 1: placeholders are safe across the turns of a conversation. A
//! stateful fake upstream keeps every user text it received and quotes all of them
//! back in each answer, as a model with conversation state (`previous_response_id`)
//! or a client resending the history would. Three turns with three invented people:
//! every answer restores the right person or keeps the placeholder, never another
//! person; the upstream never sees a name; a user-typed `〔氏名1〕` comes back exactly
//! as typed, streamed (SSE) and not. An identified caller (API key) has a restore
//! vault: with the upstream's memory as the only history, the earlier people an
//! answer quotes are restored too; an anonymous caller has none and keeps them as
//! placeholders.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::BASE;
use crate::util::{post, start_gateway};

/// Three invented people, one per turn.
const PEOPLE: [&str; 3] = ["森川陽菜", "北村悠真", "佐伯美咲"];
/// A letter template the user typed in turn 2: its placeholder look-alike is text.
const TEMPLATE: &str = "〔氏名1〕";

fn prompt(turn: usize) -> String {
    let person = PEOPLE[turn];
    if turn == 1 {
        format!("{person}様への案内文を、テンプレートの{TEMPLATE}様の形で作ってください")
    } else {
        format!("{person}様への案内文を作ってください")
    }
}

/// What the stateful upstream remembers and received.
#[derive(Default)]
struct State {
    /// Distinct user texts in the order first received (the conversation it keeps).
    memory: Vec<String>,
    /// Raw request bodies.
    bodies: Vec<String>,
}

/// A stateful chat-completions upstream on 127.0.0.1:0: answers `記録: ` and every
/// user text it has seen, joined by ` / `, as JSON or as SSE with two characters per
/// delta.
async fn stateful_upstream() -> (String, Arc<Mutex<State>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    let st = state.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let st = st.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let st = st.clone();
                    async move { Ok::<_, Infallible>(answer(req, &st).await) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (url, state)
}

async fn answer(req: Request<hyper::body::Incoming>, st: &Mutex<State>) -> Response<Full<Bytes>> {
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&body).to_string();
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let text = {
        let mut st = st.lock().unwrap();
        st.bodies.push(body);
        for m in v["messages"].as_array().into_iter().flatten() {
            if let (Some("user"), Some(t)) = (m["role"].as_str(), m["content"].as_str()) {
                if !st.memory.iter().any(|k| k == t) {
                    st.memory.push(t.to_string());
                }
            }
        }
        format!("記録: {}", st.memory.join(" / "))
    };
    if v["stream"] == true {
        let chars: Vec<char> = text.chars().collect();
        let mut sse = String::new();
        for piece in chars.chunks(2) {
            let piece: String = piece.iter().collect();
            let ev = json!({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":piece},"finish_reason":null}]});
            sse.push_str(&format!("data: {ev}\n\n"));
        }
        sse.push_str("data: [DONE]\n\n");
        Response::builder()
            .header("content-type", "text/event-stream")
            .body(Full::new(Bytes::from(sse)))
            .unwrap()
    } else {
        let out = json!({"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":text},"finish_reason":"stop"}]});
        Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(out.to_string())))
            .unwrap()
    }
}

/// The answer's text, from a JSON body or an SSE stream.
fn content(v: &Value) -> String {
    if let Some(t) = v["choices"][0]["message"]["content"].as_str() {
        return t.to_string();
    }
    let mut text = String::new();
    let sse = v.as_str().unwrap_or_default();
    for line in sse.lines().filter_map(|l| l.strip_prefix("data: ")) {
        if line == "[DONE]" {
            break;
        }
        let c: Value = serde_json::from_str(line).unwrap();
        text.push_str(c["choices"][0]["delta"]["content"].as_str().unwrap_or(""));
    }
    text
}

/// The placeholders (`〔氏名-…〕`) in `text`, in order.
fn name_placeholders(text: &str) -> Vec<String> {
    let re = regex::Regex::new("〔氏名-[0-9A-HJKMNP-TV-Z]{6,}〕").unwrap();
    re.find_iter(text).map(|m| m.as_str().to_string()).collect()
}

/// Runs three turns; `resend` says whether the client resends the history (else the
/// upstream's memory is the only history, as with `previous_response_id`); `keyed`
/// whether the caller presents an API key (else anonymous).
async fn three_turns(resend: bool, stream: bool, keyed: bool) {
    let (model, headers): (&str, &[(&str, &str)]) = if keyed {
        ("allowed-model", &[("authorization", "Bearer sk-test-key")])
    } else {
        ("m", &[])
    };
    // Whether an earlier person quoted by this answer comes back restored.
    let earlier_restored = resend || keyed;
    let (url, state) = stateful_upstream().await;
    let gw = start_gateway(BASE, &url).await;
    let mut messages: Vec<Value> = Vec::new();
    // The placeholder the upstream saw for each person, by turn.
    let mut seen: Vec<String> = Vec::new();
    for (turn, this_person) in PEOPLE.iter().enumerate() {
        let p = prompt(turn);
        if !resend {
            messages.clear();
        }
        messages.push(json!({"role":"user","content":p}));
        let body = json!({"model":model,"stream":stream,"messages":messages});
        let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), headers).await;
        assert_eq!(status, 200, "turn {turn}: {v}");
        let answer = content(&v);
        let sent = state.lock().unwrap().bodies[turn].clone();
        for person in PEOPLE {
            assert!(
                !sent.contains(person),
                "turn {turn}: upstream saw a name: {sent}"
            );
        }
        // The template's look-alike went up escaped, never as a bare 〔氏名1〕.
        assert!(!sent.contains(TEMPLATE), "turn {turn}: {sent}");
        // This turn's person: one placeholder, the same in every later turn.
        let memory = state.lock().unwrap().memory.clone();
        let here = name_placeholders(memory.last().unwrap());
        assert_eq!(here.len(), 1, "turn {turn}: {memory:?}");
        for (j, ph) in seen.iter().enumerate() {
            assert_ne!(
                ph, &here[0],
                "turn {turn}: {this_person} shares a placeholder with turn {j}"
            );
            if resend {
                assert!(
                    sent.contains(ph.as_str()),
                    "turn {turn}: turn {j}'s person renamed"
                );
            }
        }
        seen.push(here[0].clone());
        // The answer quotes every turn so far.
        let quoted: Vec<String> = (0..=turn)
            .map(|j| {
                if earlier_restored || j == turn {
                    prompt(j)
                } else {
                    // Not in this request's table: stays the placeholder it was.
                    prompt(j).replace(PEOPLE[j], &seen[j])
                }
            })
            .collect();
        let want = format!("記録: {}", quoted.join(" / "));
        assert_eq!(
            answer, want,
            "turn {turn} (resend {resend}, stream {stream})"
        );
        for (j, person) in PEOPLE.iter().enumerate() {
            let restored = answer.contains(person);
            let expected = j == turn || (earlier_restored && j < turn);
            assert_eq!(restored, expected, "turn {turn}: {person} in {answer}");
        }
        if turn >= 1 {
            assert!(
                answer.contains(&format!("テンプレートの{TEMPLATE}様")),
                "{answer}"
            );
        }
        messages.push(json!({"role":"assistant","content":answer}));
    }
}

#[tokio::test]
async fn resent_history_restores_every_person() {
    three_turns(true, false, false).await;
}

#[tokio::test]
async fn resent_history_restores_every_person_streamed() {
    three_turns(true, true, false).await;
}

#[tokio::test]
async fn upstream_memory_keeps_earlier_people_as_placeholders() {
    three_turns(false, false, false).await;
}

#[tokio::test]
async fn upstream_memory_keeps_earlier_people_as_placeholders_streamed() {
    three_turns(false, true, false).await;
}

#[tokio::test]
async fn vault_restores_earlier_people_from_upstream_memory() {
    three_turns(false, false, true).await;
}

#[tokio::test]
async fn vault_restores_earlier_people_from_upstream_memory_streamed() {
    three_turns(false, true, true).await;
}

#[tokio::test]
async fn vault_with_resent_history_keeps_every_placeholder() {
    three_turns(true, true, true).await;
}
