//! Running Guard: one rule over one document, and the data paths its failing checks are about.
//!
//! Each rule runs through cfn-guard's structured validation, which writes a summary naming, for
//! every failing check, the data path it failed on: all a finding needs. The verbose record of
//! every clause and filter evaluated (what `cfn_guard::run_checks` gives) is never made nor read
//! back, which halved the rules phase. Rules run one by one, each over a document trimmed to what
//! its text names: joining rules into one run costs more than it saves, since the joined document
//! is larger and cfn-guard copies it for every rule anyway (see BENCHMARKS.md).

use super::{Failure, Rule};
use crate::source::{ErrorKind, InputError};
use cfn_guard::CommandBuilder;
use cfn_guard::commands::Executable;
use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::utils::reader::{ReadBuffer, Reader};
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use serde_json::Value;
use std::collections::BTreeSet;

/// The data paths (pointers into `data`) of the failing checks of `rule`, or why it cannot be
/// evaluated.
pub(super) fn evaluate_rule(rule: &Rule, data: &str) -> Result<BTreeSet<String>, InputError> {
    // A bug met in the engine costs this rule, not the report.
    let what = format!("running rule {}", rule.meta.id);
    let report = crate::isolate::isolate(&rule.origin, &what, || guard_report(&rule.guard, data))
        .map_err(|e| e.message)
        .and_then(|r| r)
        .map_err(|message| InputError {
            file: rule.origin.clone(),
            kind: ErrorKind::Rule,
            message: format!("rule {} cannot be evaluated: {message}", rule.meta.id),
            position: None,
        })?;
    Ok(failing_pointers(&report))
}

/// One structured Guard run of a rule file over `data`: the summary report.
fn guard_report(guard: &str, data: &str) -> Result<Value, String> {
    let payload = serde_json::json!({ "rules": [guard], "data": [data] }).to_string();
    let validate = cfn_guard::ValidateBuilder::default()
        .payload(true)
        .structured(true)
        .output_format(OutputFormatType::JSON)
        .show_summary(vec![ShowSummaryType::None])
        .try_build()
        .map_err(|e| e.to_string())?;
    let mut writer = Writer::new(WriteBuffer::Vec(Vec::new())).map_err(|e| e.to_string())?;
    let mut reader = Reader::new(ReadBuffer::Cursor(std::io::Cursor::new(
        payload.into_bytes(),
    )));
    let status = validate
        .execute(&mut writer, &mut reader)
        .map_err(|e| e.to_string())?;
    // A rule file that does not parse is left out of the run with this status (rules are checked
    // when they load, so this would be a Guard version difference): an error, not a silent pass.
    if status == cfn_guard::commands::ERROR_STATUS_CODE {
        return Err("a rule file of the run cannot be parsed".into());
    }
    let out = writer.into_string().map_err(|e| e.to_string())?;
    serde_json::from_str(&out).map_err(|e| format!("unexpected output of the rule engine: {e}"))
}

/// The failing data paths in a summary report: a list of one file report whose `not_compliant`
/// rules hold their failing clauses (`{"Clause": {KIND: {"check": {VARIANT: {...}}}}}`), nested
/// inside named-rule and disjunction checks; a rule that its `when` condition skipped is not there.
fn failing_pointers(report: &Value) -> BTreeSet<String> {
    fn walk(node: &Value, out: &mut BTreeSet<String>) {
        match node {
            Value::Object(map) => {
                if let Some(clause) = map.get("Clause") {
                    if let Some(p) = failing_check_pointer(clause) {
                        out.insert(p);
                    }
                    return;
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for file in report.as_array().into_iter().flatten() {
        if let Some(rules) = file.get("not_compliant") {
            walk(rules, &mut out);
        }
    }
    out
}

/// The data path a failing clause is about: comparisons (`Binary`) say it in `from`, unary checks
/// (`exists`, `empty`) in `value`; a query that could not be resolved says where it stopped.
fn failing_check_pointer(clause: &Value) -> Option<String> {
    let kind = clause.as_object()?.values().next()?;
    let variant = kind.get("check")?.as_object()?.values().next()?;
    let path = [
        "/from/path",
        "/value/path",
        "/from/traversed_to/path",
        "/value/traversed_to/path",
        "/traversed_to/path",
    ]
    .iter()
    .find_map(|p| variant.pointer(p).and_then(Value::as_str))?;
    (!path.is_empty()).then(|| path.to_string())
}

/// Failures from a run's pointers: mapped from the evaluated slice to the facts, kept when they
/// land on a fact with a location.
pub(super) fn to_failures(
    rule: usize,
    pointers: BTreeSet<String>,
    map: impl Fn(&str) -> Option<String>,
    facts: &crate::facts::Facts,
) -> Vec<Failure> {
    pointers
        .into_iter()
        .filter_map(|p| map(&p))
        .filter_map(|p| facts.locations.lookup(&p).map(|(k, _)| k.to_string()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|pointer| Failure { rule, pointer })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(guard: &str) -> Rule {
        Rule {
            meta: toml::from_str(
                "id = \"T1\"\nseverity = \"warning\"\ntitle = \"t\"\nmessage = \"m\"\nwhy = \"w\"\nfix = \"f\"\n",
            )
            .expect("metadata"),
            guard: guard.to_string(),
            origin: "test.guard".into(),
        }
    }

    const DATA: &str = r#"{"units": [{"roles": [
        {"name": "a", "path": "/app/", "tags": {"team": "x"}},
        {"name": "b", "path": "/"},
        {"name": "c", "path": "/app/"}
    ]}]}"#;

    #[test]
    fn comparisons_name_the_failing_value() {
        let r = rule("let roles = units[*].roles[*]\nrule T1 { %roles.path == \"/app/\" }");
        let found = evaluate_rule(&r, DATA).expect("runs");
        assert_eq!(found, BTreeSet::from(["/units/0/roles/1/path".to_string()]));
    }

    #[test]
    fn unary_checks_and_unresolved_queries_name_where_they_failed() {
        let r = rule("let roles = units[*].roles[*]\nrule T1 { %roles.tags exists }");
        let found = evaluate_rule(&r, DATA).expect("runs");
        assert_eq!(
            found,
            BTreeSet::from([
                "/units/0/roles/1".to_string(),
                "/units/0/roles/2".to_string()
            ]),
            "the roles without tags"
        );
        let r = rule("let roles = units[*].roles[*]\nrule T1 { %roles.tags.team == \"x\" }");
        let found = evaluate_rule(&r, DATA).expect("runs");
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_rule_skipped_by_its_condition_fails_nothing() {
        let r = rule(
            "let roles = units[*].roles[ name == \"zz\" ]\nrule T1 when %roles !empty { %roles.path == \"/x/\" }",
        );
        assert!(evaluate_rule(&r, DATA).expect("runs").is_empty());
    }

    #[test]
    fn a_large_report_is_read_whole() {
        // The plain summary of `run_checks` came back cut after 8 KiB; the structured one does not.
        let roles: Vec<String> = (0..500)
            .map(|i| format!("{{\"name\": \"r{i}\", \"path\": \"/\"}}"))
            .collect();
        let data = format!("{{\"units\": [{{\"roles\": [{}]}}]}}", roles.join(","));
        let r = rule("let roles = units[*].roles[*]\nrule T1 { %roles.path == \"/app/\" }");
        assert_eq!(evaluate_rule(&r, &data).expect("runs").len(), 500);
    }
}
