//! Bedrock Converse request bodies: every text the model reads is a slot (system,
//! messages, tool input and results, documents given as text); media blocks and S3
//! sources are uninspectable.

use serde_json::json;

use super::*;

#[test]
fn converse_texts_are_slots_and_media_is_uninspectable() {
    let body = json!({
        "system": [{"text": "職員の補助をします"}, {"cachePoint": {"type": "default"}}],
        "messages": [
            {"role": "user", "content": [
                {"text": "森川陽菜さんの件"},
                {"document": {"format": "txt", "name": "memo", "source": {"text": "電話 090-1234-5678"}}}
            ]},
            {"role": "assistant", "content": [
                {"toolUse": {"toolUseId": "tooluse_1", "name": "lookup", "input": {"who": "森川陽菜"}}}
            ]},
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "住所は東京都"}, {"json": {"tel": "090-1234-5678"}}], "status": "success"}}
            ]}
        ],
        "toolConfig": {"tools": [{"toolSpec": {"name": "lookup", "description": "住民を探す", "inputSchema": {"json": {"type": "object"}}}}]}
    });
    let slots = extract_slots(&body);
    let prose: Vec<(&str, &str)> = slots
        .iter()
        .filter(|s| !s.setting)
        .map(|s| (s.path.as_str(), s.text.as_str()))
        .collect();
    for (path, text) in [
        ("system[0].text", "職員の補助をします"),
        ("messages[0].content[0].text", "森川陽菜さんの件"),
        (
            "messages[0].content[1].document.source.text",
            "電話 090-1234-5678",
        ),
        ("messages[1].content[0].toolUse.input.who", "森川陽菜"),
        (
            "messages[2].content[0].toolResult.content[0].text",
            "住所は東京都",
        ),
        (
            "messages[2].content[0].toolResult.content[1].json.tel",
            "090-1234-5678",
        ),
        ("toolConfig.tools[0].toolSpec.description", "住民を探す"),
    ] {
        assert!(
            prose.contains(&(path, text)),
            "{path} missing from {prose:?}"
        );
    }
    assert!(slots
        .iter()
        .any(|s| s.path == "messages[1].content[0].toolUse.toolUseId" && s.setting));
    assert!(
        find_uninspectable(&body).is_empty(),
        "{:?}",
        find_uninspectable(&body)
    );

    let media = json!({"messages": [{"role": "user", "content": [
        {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
        {"document": {"format": "pdf", "name": "d", "source": {"bytes": "JVBERi0="}}},
        {"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://bucket/v.mp4"}}}}
    ]}]});
    let kinds: Vec<(String, &str)> = find_uninspectable(&media)
        .into_iter()
        .map(|u| (u.path, u.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("messages[0].content[0]".to_string(), "image"),
            ("messages[0].content[1]".to_string(), "file"),
            ("messages[0].content[2]".to_string(), "url"),
        ]
    );
}
