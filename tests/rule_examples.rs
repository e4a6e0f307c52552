//! Each rule's documented example is run as its test (as trivy-checks and tfsec do): the bad example
//! must produce the rule, the good one must not, so `passrole rules explain` cannot drift from the
//! behaviour.

use passrole::rules;
use passrole::scan::{ScanOptions, scan};

fn rules_in(text: &str, file: &str) -> (Vec<String>, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(file), text).expect("write example");
    let result = scan(&ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    });
    (
        result.findings.iter().map(|f| f.rule.clone()).collect(),
        result.errors.len(),
    )
}

#[test]
fn every_builtin_rule_has_complete_metadata() {
    for rule in rules::builtin() {
        let m = &rule.meta;
        for (what, text) in [
            ("title", &m.title),
            ("message", &m.message),
            ("why", &m.why),
            ("fix", &m.fix),
        ] {
            assert!(
                !text.trim().is_empty() && !text.contains("TODO"),
                "{}: {what} is missing",
                m.id
            );
        }
        assert!(m.example.is_some(), "{}: no example", m.id);
        assert!(
            rule.guard.contains(&format!("rule {}", m.id)),
            "{}: the guard file does not define rule {}",
            m.id,
            m.id
        );
    }
}

#[test]
fn every_rule_example_fails_bad_and_passes_good() {
    let mut problems = Vec::new();
    for rule in rules::builtin() {
        let id = &rule.meta.id;
        let Some(example) = &rule.meta.example else {
            continue;
        };
        let (bad, bad_errors) = rules_in(&example.bad, &example.file);
        if !bad.contains(id) || bad_errors > 0 {
            problems.push(format!(
                "{id}: the bad example gives {bad:?} and {bad_errors} input errors"
            ));
        }
        let (good, good_errors) = rules_in(&example.good, &example.file);
        if good.contains(id) || good_errors > 0 {
            problems.push(format!(
                "{id}: the good example gives {good:?} and {good_errors} input errors"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn explain_page_is_generated_from_metadata() {
    for rule in rules::builtin() {
        let page = rules::explain(&rule.meta);
        assert!(page.starts_with(&rule.meta.id));
        assert!(page.contains(rule.meta.why.trim()));
        assert!(page.contains(rule.meta.fix.trim()));
    }
}
