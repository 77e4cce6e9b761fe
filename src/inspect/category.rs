//! What a finding is: a built-in personal-data category or an administrator's word list.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// The category of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// 氏名: a person's name.
    Name,
    /// 住所: a street address down to the block, house or room, or a postal code.
    Address,
    /// 電話番号: a Japanese (or +81) telephone number.
    Phone,
    /// 個人番号: a 12-digit My Number with a valid check digit.
    MyNumber,
    /// メールアドレス.
    Email,
    /// An administrator-defined word list (禁止ワード); the string is the list's name.
    WordList(Arc<str>),
}

impl Category {
    /// The built-in categories, in reporting order.
    pub const BUILTIN: [Category; 5] = [
        Category::Name,
        Category::Address,
        Category::Phone,
        Category::MyNumber,
        Category::Email,
    ];

    /// Machine name used in configuration, JSON and metrics (`name`, `address`, …,
    /// or the word list's own name).
    pub fn as_str(&self) -> &str {
        match self {
            Category::Name => "name",
            Category::Address => "address",
            Category::Phone => "phone",
            Category::MyNumber => "my_number",
            Category::Email => "email",
            Category::WordList(n) => n,
        }
    }

    /// Parses a built-in category name; anything else is a word-list name.
    pub fn from_name(name: &str) -> Category {
        match name {
            "name" => Category::Name,
            "address" => Category::Address,
            "phone" => Category::Phone,
            "my_number" => Category::MyNumber,
            "email" => Category::Email,
            other => Category::WordList(Arc::from(other)),
        }
    }

    /// Whether `name` is one of the built-in category names.
    pub fn is_builtin_name(name: &str) -> bool {
        matches!(name, "name" | "address" | "phone" | "my_number" | "email")
    }

    /// Japanese label for messages (氏名, 住所, …).
    pub fn label_ja(&self) -> &str {
        match self {
            Category::Name => "氏名",
            Category::Address => "住所",
            Category::Phone => "電話番号",
            Category::MyNumber => "個人番号",
            Category::Email => "メールアドレス",
            Category::WordList(n) => n,
        }
    }

    /// English label for messages.
    pub fn label_en(&self) -> &str {
        match self {
            Category::Name => "personal name",
            Category::Address => "address",
            Category::Phone => "phone number",
            Category::MyNumber => "My Number (individual number)",
            Category::Email => "e-mail address",
            Category::WordList(n) => n,
        }
    }

    /// Short label used inside mask placeholders (〔氏名-K7Q2MX〕, 〔電話-3FJ8RA〕 …).
    pub fn placeholder_label(&self) -> &str {
        match self {
            Category::Name => "氏名",
            Category::Address => "住所",
            Category::Phone => "電話",
            Category::MyNumber => "個人番号",
            Category::Email => "メール",
            Category::WordList(n) => n,
        }
    }

    /// Whether this is a built-in personal-data category.
    pub fn is_builtin(&self) -> bool {
        !matches!(self, Category::WordList(_))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Category {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Category::from_name(&s))
    }
}
