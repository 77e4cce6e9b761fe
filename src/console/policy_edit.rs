//! ポリシー edits: the action per category, organisation-wide (`[policy.actions]`) and
//! per department (`[[departments]] actions`), and each department's model allow list
//! (`models`, spec 7) — applied with `toml_edit` so comments and layout survive. Like
//! every change, the result is validated as `check-config` does before a proposal is
//! made (see [`super::edit::validate`]).

use std::collections::BTreeMap;
use std::path::Path;

use toml_edit::{Array, DocumentMut, InlineTable, Item, Value};

use super::edit::EditError;

/// One setting changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    /// The action of `category`, organisation-wide (`department` None) or for one
    /// department; `action` None removes the override.
    Action {
        /// The department, or None for `[policy.actions]`.
        department: Option<String>,
        /// The category.
        category: String,
        /// `block`, `mask`, `warn`, `log`, or None (inherit).
        action: Option<String>,
    },
    /// A department's model allow list (empty: every model its routes serve).
    Models {
        /// The department.
        department: String,
        /// Exact names or prefixes ending in `*`.
        models: Vec<String>,
    },
}

impl Setting {
    /// A short value-free description (`kosodate.phone: mask → block`).
    pub fn describe(&self, old: &Current) -> String {
        match self {
            Setting::Action {
                department,
                category,
                action,
            } => {
                let before = old.action(department.as_deref(), category);
                format!(
                    "{}.{category}: {} → {}",
                    department.as_deref().unwrap_or("policy"),
                    before.unwrap_or("—"),
                    action.as_deref().unwrap_or("—")
                )
            }
            Setting::Models { department, models } => format!(
                "{department}.models: [{}] → [{}]",
                old.models
                    .get(department)
                    .map(|m| m.join(", "))
                    .unwrap_or_default(),
                models.join(", ")
            ),
        }
    }
}

/// The policy settings of a configuration text, as the page shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Current {
    /// `[policy] default_action`.
    pub default_action: String,
    /// `[policy.actions]`.
    pub actions: BTreeMap<String, String>,
    /// Departments in file order, with their action overrides.
    pub departments: Vec<(String, BTreeMap<String, String>)>,
    /// Model allow lists by department.
    pub models: BTreeMap<String, Vec<String>>,
    /// The categories worth a row: the built-in ones, the word lists, every category
    /// named in an action.
    pub categories: Vec<String>,
}

impl Current {
    /// The action set for `category` at `department` (None: organisation-wide), if
    /// any.
    pub fn action(&self, department: Option<&str>, category: &str) -> Option<&str> {
        match department {
            None => self.actions.get(category).map(String::as_str),
            Some(d) => self
                .departments
                .iter()
                .find(|(n, _)| n == d)
                .and_then(|(_, a)| a.get(category))
                .map(String::as_str),
        }
    }
}

/// Reads the policy settings of `text` (the configuration at `path`).
pub fn current(text: &str, path: &Path) -> Result<Current, EditError> {
    let env = |n: &str| std::env::var(n).ok();
    let cfg = crate::config::load_str(text, path, &env).map_err(EditError::Invalid)?;
    let mut categories: Vec<String> = ["name", "address", "phone", "my_number", "email"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut add = |c: &str| {
        if !categories.iter().any(|x| x == c) {
            categories.push(c.to_string());
        }
    };
    for l in &cfg.detection.word_lists {
        add(&l.name);
    }
    for c in cfg.policy.actions.keys() {
        add(c);
    }
    for d in &cfg.departments {
        for c in d.actions.keys() {
            add(c);
        }
    }
    Ok(Current {
        default_action: cfg.policy.default_action.clone(),
        actions: cfg.policy.actions.clone(),
        departments: cfg
            .departments
            .iter()
            .map(|d| (d.name.clone(), d.actions.clone()))
            .collect(),
        models: cfg
            .departments
            .iter()
            .map(|d| (d.name.clone(), d.models.clone()))
            .collect(),
        categories,
    })
}

/// Checks the settings: known actions, category names, model patterns.
pub fn check(settings: &[Setting]) -> Result<(), EditError> {
    if settings.is_empty() {
        return Err(EditError::Words(
            "変更がありません / nothing was changed".into(),
        ));
    }
    for s in settings {
        match s {
            Setting::Action {
                category, action, ..
            } => {
                let ok_name = !category.is_empty()
                    && category
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !ok_name {
                    return Err(EditError::Words(
                        "分類名は半角英数字・_・- です / a category is ASCII letters, digits, _ and -".into(),
                    ));
                }
                if action
                    .as_deref()
                    .is_some_and(|a| a.parse::<crate::policy::Action>().is_err())
                {
                    return Err(EditError::Words(
                        "動作は block, mask, warn, log のいずれかです / the action is block, mask, warn or log".into(),
                    ));
                }
            }
            Setting::Models { models, .. } => {
                for m in models {
                    let bad = m.is_empty()
                        || m.chars().any(|c| c.is_whitespace() || c == '"')
                        || m[..m.len() - 1].contains('*');
                    if bad {
                        return Err(EditError::Words(format!(
                            "モデル名「{m}」は使えません（完全一致、または末尾だけに * ） / model '{m}' is not a name or a prefix ending in *"
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

fn dept_table<'a>(
    doc: &'a mut DocumentMut,
    name: &str,
) -> Result<&'a mut toml_edit::Table, EditError> {
    doc.get_mut("departments")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|a| {
            a.iter_mut()
                .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(name))
        })
        .ok_or_else(|| {
            EditError::NotEditable(format!(
                "[[departments]] '{name}' is not in the file as a [[departments]] table"
            ))
        })
}

/// `text` with the settings applied.
pub fn apply(text: &str, settings: &[Setting]) -> Result<String, EditError> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        EditError::NotEditable(format!(
            "the configuration file does not parse as TOML: {}",
            e.message()
        ))
    })?;
    for s in settings {
        match s {
            Setting::Action {
                department: None,
                category,
                action,
            } => {
                let policy = doc
                    .entry("policy")
                    .or_insert_with(|| Item::Table(toml_edit::Table::new()))
                    .as_table_mut()
                    .ok_or_else(|| EditError::NotEditable("[policy] is not a table".into()))?;
                let actions = policy
                    .entry("actions")
                    .or_insert_with(|| Item::Table(toml_edit::Table::new()))
                    .as_table_like_mut()
                    .ok_or_else(|| {
                        EditError::NotEditable("policy.actions is not a table".into())
                    })?;
                match action {
                    Some(a) => {
                        actions.insert(category, toml_edit::value(a.as_str()));
                    }
                    None => {
                        actions.remove(category);
                    }
                }
            }
            Setting::Action {
                department: Some(d),
                category,
                action,
            } => {
                let t = dept_table(&mut doc, d)?;
                if t.get("actions").is_none() {
                    if action.is_none() {
                        continue;
                    }
                    t.insert("actions", toml_edit::value(InlineTable::new()));
                }
                let actions = t
                    .get_mut("actions")
                    .and_then(|a| a.as_table_like_mut())
                    .ok_or_else(|| {
                        EditError::NotEditable(format!("departments '{d}' actions is not a table"))
                    })?;
                match action {
                    Some(a) => {
                        actions.insert(category, toml_edit::value(a.as_str()));
                    }
                    None => {
                        actions.remove(category);
                    }
                }
            }
            Setting::Models { department, models } => {
                let t = dept_table(&mut doc, department)?;
                let arr: Array = models.iter().map(String::as_str).collect();
                t.insert("models", toml_edit::value(Value::Array(arr)));
            }
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[policy]\ndefault_action = \"mask\"\n\n[policy.actions]\nmy_number = \"block\" # 必ず\n\n[[departments]]\nname = \"税務課\"\nmodels = [\"gpt-4.1-mini*\"]\n\n[[departments]]\nname = \"kosodate\"\nactions = { name = \"warn\" }\n";

    #[test]
    fn settings_apply_and_keep_comments() {
        let p = Path::new("t.toml");
        let cur = current(TEXT, p).unwrap();
        assert_eq!(cur.action(Some("kosodate"), "name"), Some("warn"));
        assert_eq!(cur.action(None, "my_number"), Some("block"));
        let s = vec![
            Setting::Action {
                department: None,
                category: "phone".into(),
                action: Some("block".into()),
            },
            Setting::Action {
                department: Some("kosodate".into()),
                category: "name".into(),
                action: None,
            },
            Setting::Action {
                department: Some("税務課".into()),
                category: "email".into(),
                action: Some("warn".into()),
            },
            Setting::Models {
                department: "税務課".into(),
                models: vec!["gpt-4o-japan".into()],
            },
        ];
        check(&s).unwrap();
        let out = apply(TEXT, &s).unwrap();
        assert!(out.contains("# 必ず"), "{out}");
        let after = current(&out, p).unwrap();
        assert_eq!(after.action(None, "phone"), Some("block"));
        assert_eq!(after.action(Some("kosodate"), "name"), None);
        assert_eq!(after.action(Some("税務課"), "email"), Some("warn"));
        assert_eq!(after.models["税務課"], vec!["gpt-4o-japan"]);
        assert!(
            s[3].describe(&cur).contains("gpt-4.1-mini* → gpt-4o-japan")
                || s[3]
                    .describe(&cur)
                    .contains("[gpt-4.1-mini*] → [gpt-4o-japan]")
        );
        assert!(check(&[Setting::Models {
            department: "x".into(),
            models: vec!["a*b".into()]
        }])
        .is_err());
        assert!(check(&[Setting::Action {
            department: None,
            category: "phone".into(),
            action: Some("explode".into())
        }])
        .is_err());
        assert!(check(&[]).is_err());
    }
}
