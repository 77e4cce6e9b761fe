//! Bodies of web forms to approved hosts as inspectable values and back:
//! `application/x-www-form-urlencoded` pairs and `multipart/form-data` text fields,
//! each as `[[name, value], …]` so every field name and value is a string the engine
//! sees; after masking the body is rebuilt with the (masked) texts, everything else
//! as it came.

use serde_json::Value;

/// Why a multipart body cannot be inspected.
#[derive(Debug, PartialEq, Eq)]
pub enum FormError {
    /// The body is not a well-formed multipart body with this boundary.
    Malformed,
    /// A part is a file that is not UTF-8 text.
    BinaryPart,
}

/// Form pairs as a value.
pub fn urlencoded_value(body: &[u8]) -> Value {
    Value::Array(
        url::form_urlencoded::parse(body)
            .map(|(k, v)| {
                Value::Array(vec![
                    Value::String(k.into_owned()),
                    Value::String(v.into_owned()),
                ])
            })
            .collect(),
    )
}

/// The form body of (masked) `pairs`.
pub fn urlencoded_body(pairs: &Value) -> Vec<u8> {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for p in pairs.as_array().into_iter().flatten() {
        let k = p.get(0).and_then(Value::as_str).unwrap_or("");
        let v = p.get(1).and_then(Value::as_str).unwrap_or("");
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

/// One part of a multipart body: its raw head and content.
#[derive(Debug, Clone)]
pub struct Part {
    head: Vec<u8>,
    content: Vec<u8>,
}

/// A parsed multipart body.
#[derive(Debug, Clone)]
pub struct Multipart {
    boundary: String,
    parts: Vec<Part>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|i| i + from)
}

impl Multipart {
    /// Parses `body`; every part must be text (a field, or a file of UTF-8 text).
    pub fn parse(body: &[u8], boundary: &str) -> Result<Multipart, FormError> {
        let delim = format!("--{boundary}");
        let mut at = find(body, delim.as_bytes(), 0).ok_or(FormError::Malformed)?;
        let mut parts = Vec::new();
        loop {
            at += delim.len();
            if body[at..].starts_with(b"--") {
                break;
            }
            if !body[at..].starts_with(b"\r\n") {
                return Err(FormError::Malformed);
            }
            at += 2;
            let head_end = find(body, b"\r\n\r\n", at).ok_or(FormError::Malformed)?;
            let head = body[at..head_end].to_vec();
            let content_start = head_end + 4;
            let next = find(body, format!("\r\n{delim}").as_bytes(), content_start)
                .ok_or(FormError::Malformed)?;
            let content = body[content_start..next].to_vec();
            if std::str::from_utf8(&content).is_err() {
                return Err(FormError::BinaryPart);
            }
            let head_text = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let binary_type = head_text.lines().any(|l| {
                l.strip_prefix("content-type:").is_some_and(|t| {
                    let t = t.trim();
                    !(t.starts_with("text/") || t.contains("json") || t.contains("xml"))
                })
            });
            if binary_type {
                return Err(FormError::BinaryPart);
            }
            parts.push(Part { head, content });
            at = next + 2;
            if parts.len() > 1000 {
                return Err(FormError::Malformed);
            }
        }
        Ok(Multipart {
            boundary: boundary.to_string(),
            parts,
        })
    }

    /// The parts as `[[head, content], …]` (the head carries the field's name).
    pub fn value(&self) -> Value {
        Value::Array(
            self.parts
                .iter()
                .map(|p| {
                    Value::Array(vec![
                        Value::String(String::from_utf8_lossy(&p.head).into_owned()),
                        Value::String(String::from_utf8_lossy(&p.content).into_owned()),
                    ])
                })
                .collect(),
        )
    }

    /// The body with the (masked) heads and contents of `v` (from [`Multipart::value`]).
    pub fn body(&self, v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            out.extend_from_slice(format!("--{}\r\n", self.boundary).as_bytes());
            // The head too: a file name can hold a name.
            match v.get(i).and_then(|x| x.get(0)).and_then(Value::as_str) {
                Some(h) => out.extend_from_slice(h.as_bytes()),
                None => out.extend_from_slice(&p.head),
            }
            out.extend_from_slice(b"\r\n\r\n");
            match v.get(i).and_then(|x| x.get(1)).and_then(Value::as_str) {
                Some(s) => out.extend_from_slice(s.as_bytes()),
                None => out.extend_from_slice(&p.content),
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_round_trip() {
        let v = urlencoded_value("q=%E6%A3%AE%E5%B7%9D+%E9%99%BD%E8%8F%9C&n=1".as_bytes());
        assert_eq!(v[0][1], "森川 陽菜");
        assert_eq!(urlencoded_value(&urlencoded_body(&v)), v);
    }

    #[test]
    fn multipart_text_fields_and_files() {
        let b = "xYz";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n森川陽菜の電話は090-1234-5678\r\n--{b}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nメモ\r\n--{b}--\r\n"
        );
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary=\"{b}\"")).as_deref(),
            Some(b)
        );
        let m = Multipart::parse(body.as_bytes(), b).unwrap();
        let mut v = m.value();
        assert!(v[0][0].as_str().unwrap().contains("name=\"prompt\""));
        assert_eq!(v[1][1], "メモ");
        assert_eq!(m.body(&v), body.as_bytes());
        v[0][1] = Value::String("〔電話-X〕".into());
        let rebuilt = String::from_utf8(m.body(&v)).unwrap();
        assert!(
            rebuilt.contains("\r\n\r\n〔電話-X〕\r\n--xYz\r\n"),
            "{rebuilt}"
        );
        let png = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--{b}--\r\n"
        );
        assert_eq!(
            Multipart::parse(png.as_bytes(), b).unwrap_err(),
            FormError::BinaryPart
        );
        assert_eq!(
            Multipart::parse(b"junk", b).unwrap_err(),
            FormError::Malformed
        );
    }
}
