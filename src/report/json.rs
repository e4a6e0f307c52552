//! `--format json`: the machine contract (`passrole-report.schema.json`, version 1).

use crate::rules::Severity;
use crate::scan::ScanResult;
use serde_json::{Value, json};

pub fn render(result: &ScanResult) -> Value {
    let mut per_severity = serde_json::Map::new();
    for s in [Severity::Error, Severity::Warning, Severity::Note] {
        let n = super::reported(result).filter(|f| f.severity == s).count();
        per_severity.insert(s.as_str().into(), json!(n));
    }
    let errors: Vec<Value> = result
        .errors
        .iter()
        .map(|e| {
            let mut o = serde_json::Map::new();
            o.insert("file".into(), json!(e.file));
            o.insert("kind".into(), json!(e.kind.as_str()));
            o.insert("message".into(), json!(e.message));
            if let Some(p) = e.position {
                o.insert("line".into(), json!(p.line));
                o.insert("column".into(), json!(p.column));
            }
            Value::Object(o)
        })
        .collect();
    let mut report = json!({
        "version": 1,
        "tool": {"name": "passrole", "version": env!("CARGO_PKG_VERSION")},
        "findings": result.findings,
        "errors": errors,
        "summary": {
            "files": result.files,
            "findings": per_severity,
            "errors": result.errors.len(),
            "suppressed": super::suppressed(result),
        },
    });
    if let (Some(b), Some(o)) = (&result.baseline, report.as_object_mut()) {
        o.insert("baseline".into(), json!(b));
    }
    report
}
