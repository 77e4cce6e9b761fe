//! Policy: what happens to each category of finding, per department.
//!
//! Pure: no HTTP, no clock, no randomness (the warn acknowledgement store lives in
//! the gateway). A [`Policy`] is built once per configuration snapshot and asked two
//! questions per request: [`Policy::action`] (what to do with a finding) and
//! [`Policy::model_allowed`] / [`Policy::content_allowed`] (may this department send
//! this model / this uninspectable content).
//!
//! ```
//! use sekimori::inspect::Category;
//! use sekimori::policy::{Action, Policy};
//! let mut p = Policy::new(Action::Mask);
//! p.department("kosodate").set_action(Category::Name, Action::Warn);
//! assert_eq!(p.action("soumu", &Category::Name), Action::Mask);
//! assert_eq!(p.action("kosodate", &Category::Name), Action::Warn);
//! assert_eq!(p.action("kosodate", &Category::MyNumber), Action::Block);
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use crate::inspect::{Category, Finding};

/// What to do with a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Forward unchanged, record the finding.
    Log,
    /// Replace the value with a placeholder before forwarding; restore in the answer.
    Mask,
    /// Refuse once with a token; the same request resent with the token passes unchanged.
    Warn,
    /// Refuse; nothing is forwarded.
    Block,
}

impl Action {
    /// Configuration name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Log => "log",
            Action::Mask => "mask",
            Action::Warn => "warn",
            Action::Block => "block",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "log" => Ok(Action::Log),
            "mask" => Ok(Action::Mask),
            "warn" => Ok(Action::Warn),
            "block" => Ok(Action::Block),
            other => Err(format!(
                "unknown action '{other}'; use one of block, mask, warn, log"
            )),
        }
    }
}

/// Per-department settings.
#[derive(Clone, Debug, Default)]
pub struct DepartmentPolicy {
    actions: HashMap<Category, Action>,
    models: Vec<String>,
    allow_content: BTreeSet<String>,
    restore_in_urls: bool,
}

impl DepartmentPolicy {
    /// Overrides the action for one category.
    pub fn set_action(&mut self, category: Category, action: Action) -> &mut Self {
        self.actions.insert(category, action);
        self
    }
    /// Restricts the department to these models (exact, or prefix ending in `*`).
    pub fn set_models(&mut self, models: Vec<String>) -> &mut Self {
        self.models = models;
        self
    }
    /// Allows a kind of uninspectable content (`image`, `web_search`, …).
    pub fn allow_content(&mut self, kind: &str) -> &mut Self {
        self.allow_content.insert(kind.to_string());
        self
    }
    /// Restores placeholders inside URLs of answers too (default: not).
    pub fn set_restore_in_urls(&mut self, restore: bool) -> &mut Self {
        self.restore_in_urls = restore;
        self
    }
}

/// The compiled policy of one configuration snapshot.
#[derive(Clone, Debug)]
pub struct Policy {
    default_action: Action,
    actions: HashMap<Category, Action>,
    allow_content: BTreeSet<String>,
    departments: HashMap<String, DepartmentPolicy>,
}

impl Policy {
    /// A policy applying `default_action` to every category except `my_number`,
    /// which is blocked unless set otherwise.
    pub fn new(default_action: Action) -> Self {
        let mut actions = HashMap::new();
        actions.insert(Category::MyNumber, Action::Block);
        Policy {
            default_action,
            actions,
            allow_content: BTreeSet::new(),
            departments: HashMap::new(),
        }
    }

    /// Sets the organisation-wide action for a category.
    pub fn set_action(&mut self, category: Category, action: Action) -> &mut Self {
        self.actions.insert(category, action);
        self
    }

    /// Allows a kind of uninspectable content for everyone.
    pub fn allow_content(&mut self, kind: &str) -> &mut Self {
        self.allow_content.insert(kind.to_string());
        self
    }

    /// The settings of a department, created if absent.
    pub fn department(&mut self, name: &str) -> &mut DepartmentPolicy {
        self.departments.entry(name.to_string()).or_default()
    }

    /// The action for `category` in `department`.
    pub fn action(&self, department: &str, category: &Category) -> Action {
        self.departments
            .get(department)
            .and_then(|d| d.actions.get(category))
            .or_else(|| self.actions.get(category))
            .copied()
            .unwrap_or(self.default_action)
    }

    /// Whether `department` may use `model`.
    pub fn model_allowed(&self, department: &str, model: &str) -> bool {
        match self.departments.get(department) {
            Some(d) if !d.models.is_empty() => d.models.iter().any(|m| model_matches(m, model)),
            _ => true,
        }
    }

    /// The model allow list of `department` (`[[departments]] models`); empty when every
    /// model is allowed.
    pub fn department_models(&self, department: &str) -> &[String] {
        self.departments
            .get(department)
            .map_or(&[], |d| d.models.as_slice())
    }

    /// Whether placeholders inside URLs of answers are restored for `department`
    /// (`[[departments]] restore_in_urls`; false for departments not configured).
    pub fn restore_in_urls(&self, department: &str) -> bool {
        self.departments
            .get(department)
            .is_some_and(|d| d.restore_in_urls)
    }

    /// Whether `department` may send uninspectable content of `kind`.
    pub fn content_allowed(&self, department: &str, kind: &str) -> bool {
        self.allow_content.contains(kind)
            || self
                .departments
                .get(department)
                .is_some_and(|d| d.allow_content.contains(kind))
    }

    /// Decides what happens to a request given its findings per slot.
    pub fn decide<'a>(
        &self,
        department: &str,
        findings: impl IntoIterator<Item = (usize, &'a Finding)>,
    ) -> Decision {
        let mut d = Decision::default();
        for (slot, f) in findings {
            let a = self.action(department, &f.category);
            *d.counts
                .entry((f.category.as_str().to_string(), a))
                .or_insert(0) += 1;
            d.located.push(Located {
                slot,
                category: f.category.clone(),
                action: a,
                char_start: f.char_start,
                char_end: f.char_end,
            });
            d.strongest = d.strongest.max(Some(a));
        }
        d
    }
}

/// Whether a model pattern (exact, or prefix with a trailing `*`) matches.
pub fn model_matches(pattern: &str, model: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => model.starts_with(prefix),
        None => pattern == model,
    }
}

/// One finding with its action, located by slot index and character range; no value.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    /// Index of the text slot the finding is in.
    pub slot: usize,
    /// Category.
    pub category: Category,
    /// Action the policy chose.
    pub action: Action,
    /// First character (code point) in the slot.
    pub char_start: usize,
    /// One past the last character.
    pub char_end: usize,
}

/// The policy's verdict on one request.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// The strongest action over all findings (`None`: nothing found).
    pub strongest: Option<Action>,
    /// Every finding, in slot order.
    pub located: Vec<Located>,
    /// Count per (category, action).
    pub counts: BTreeMap<(String, Action), usize>,
}

impl Decision {
    /// Findings with the given action.
    pub fn with_action(&self, a: Action) -> impl Iterator<Item = &Located> {
        self.located.iter().filter(move |l| l.action == a)
    }
    /// Distinct categories with the given action, in order.
    pub fn categories_with(&self, a: Action) -> Vec<Category> {
        let mut v: Vec<Category> = self.with_action(a).map(|l| l.category.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(c: Category) -> Finding {
        Finding {
            category: c,
            start: 0,
            end: 3,
            char_start: 0,
            char_end: 1,
            detector: "t",
            confidence: 1.0,
            reason: "t",
        }
    }

    #[test]
    fn actions_table() {
        let mut p = Policy::new(Action::Mask);
        p.set_action(Category::Phone, Action::Log);
        p.department("a").set_action(Category::Phone, Action::Block);
        p.department("a")
            .set_action(Category::MyNumber, Action::Warn);
        let cases = [
            ("x", Category::Name, Action::Mask),
            ("x", Category::Phone, Action::Log),
            ("x", Category::MyNumber, Action::Block),
            ("a", Category::Phone, Action::Block),
            ("a", Category::MyNumber, Action::Warn),
            ("a", Category::Email, Action::Mask),
        ];
        for (dept, cat, want) in cases {
            assert_eq!(p.action(dept, &cat), want, "{dept} {cat}");
        }
    }

    #[test]
    fn restore_in_urls_is_off_unless_the_department_sets_it() {
        let mut p = Policy::new(Action::Mask);
        p.department("a").set_restore_in_urls(true);
        p.department("b");
        assert!(p.restore_in_urls("a"));
        assert!(!p.restore_in_urls("b"));
        assert!(!p.restore_in_urls("unknown"));
    }

    #[test]
    fn models_and_content() {
        let mut p = Policy::new(Action::Mask);
        p.department("a")
            .set_models(vec!["gpt-4o".into(), "claude-*".into()])
            .allow_content("image");
        let cases = [
            ("a", "gpt-4o", true),
            ("a", "gpt-4o-mini", false),
            ("a", "claude-sonnet", true),
            ("b", "anything", true),
        ];
        for (d, m, want) in cases {
            assert_eq!(p.model_allowed(d, m), want, "{d} {m}");
        }
        assert!(p.content_allowed("a", "image"));
        assert!(!p.content_allowed("b", "image"));
    }

    #[test]
    fn decision_strongest() {
        let p = Policy::new(Action::Mask);
        let fs = [finding(Category::Name), finding(Category::MyNumber)];
        let d = p.decide("x", fs.iter().map(|f| (0, f)));
        assert_eq!(d.strongest, Some(Action::Block));
        assert_eq!(d.categories_with(Action::Block), vec![Category::MyNumber]);
        assert_eq!(p.decide("x", []).strongest, None);
    }
}
