//! Prometheus metrics, written in the text exposition format by hand.
//!
//! Label values are category names, upstream names, department names and outcomes —
//! configuration vocabulary, never request content. Label sets are bounded by the
//! configuration; in addition at most [`MAX_SERIES`] series per metric are kept.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Maximum label combinations per counter.
pub const MAX_SERIES: usize = 10_000;

/// Histogram bucket upper bounds, seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, String, String), u64>,
    findings: BTreeMap<(String, String, String), u64>,
    inspection: Histogram,
    upstream: BTreeMap<String, Histogram>,
    reloads: BTreeMap<&'static str, u64>,
}

/// The gateway's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

fn bump<K: Ord>(map: &mut BTreeMap<K, u64>, key: K, by: u64) {
    if map.len() < MAX_SERIES || map.contains_key(&key) {
        *map.entry(key).or_insert(0) += by;
    }
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a finished request.
    pub fn request(&self, outcome: &str, status: u16, upstream: &str, department: &str) {
        bump(
            &mut self.lock().requests,
            (
                outcome.to_string(),
                status.to_string(),
                upstream.to_string(),
                department.to_string(),
            ),
            1,
        );
    }

    /// Counts findings of a category and the action taken.
    pub fn finding(&self, category: &str, action: &str, department: &str, n: u64) {
        bump(
            &mut self.lock().findings,
            (
                category.to_string(),
                action.to_string(),
                department.to_string(),
            ),
            n,
        );
    }

    /// Records how long inspection took.
    pub fn inspection(&self, d: Duration) {
        self.lock().inspection.observe(d.as_secs_f64());
    }

    /// Records upstream latency (time to response head).
    pub fn upstream(&self, upstream: &str, d: Duration) {
        let mut g = self.lock();
        if g.upstream.len() < MAX_SERIES || g.upstream.contains_key(upstream) {
            g.upstream
                .entry(upstream.to_string())
                .or_default()
                .observe(d.as_secs_f64());
        }
    }

    /// Counts a reload attempt (`ok` or `error`).
    pub fn reload(&self, result: &'static str) {
        bump(&mut self.lock().reloads, result, 1);
    }

    /// Renders the text exposition format.
    pub fn render(&self) -> String {
        let g = self.lock();
        let mut s = String::new();
        s.push_str("# HELP sekimori_requests_total Requests by outcome, status, upstream and department.\n# TYPE sekimori_requests_total counter\n");
        for ((o, st, u, d), n) in &g.requests {
            let _ = writeln!(
                s,
                "sekimori_requests_total{{outcome=\"{}\",status=\"{}\",upstream=\"{}\",department=\"{}\"}} {n}",
                esc(o),
                esc(st),
                esc(u),
                esc(d)
            );
        }
        s.push_str("# HELP sekimori_findings_total Findings by category, action and department.\n# TYPE sekimori_findings_total counter\n");
        for ((c, a, d), n) in &g.findings {
            let _ = writeln!(
                s,
                "sekimori_findings_total{{category=\"{}\",action=\"{}\",department=\"{}\"}} {n}",
                esc(c),
                esc(a),
                esc(d)
            );
        }
        s.push_str("# HELP sekimori_inspection_seconds Time spent inspecting a request body.\n# TYPE sekimori_inspection_seconds histogram\n");
        hist(&mut s, "sekimori_inspection_seconds", "", &g.inspection);
        s.push_str("# HELP sekimori_upstream_seconds Upstream time to response head.\n# TYPE sekimori_upstream_seconds histogram\n");
        for (u, h) in &g.upstream {
            hist(
                &mut s,
                "sekimori_upstream_seconds",
                &format!("upstream=\"{}\"", esc(u)),
                h,
            );
        }
        s.push_str("# HELP sekimori_config_reloads_total Configuration reloads by result.\n# TYPE sekimori_config_reloads_total counter\n");
        for (r, n) in &g.reloads {
            let _ = writeln!(s, "sekimori_config_reloads_total{{result=\"{r}\"}} {n}");
        }
        s
    }
}

fn hist(s: &mut String, name: &str, labels: &str, h: &Histogram) {
    let sep = if labels.is_empty() { "" } else { "," };
    for (i, b) in BUCKETS.iter().enumerate() {
        let _ = writeln!(
            s,
            "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {}",
            h.counts[i]
        );
    }
    let _ = writeln!(s, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", h.count);
    let braces = if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    };
    let _ = writeln!(s, "{name}_sum{braces} {}", h.sum);
    let _ = writeln!(s, "{name}_count{braces} {}", h.count);
}

fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
