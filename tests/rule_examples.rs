//! Each rule's documented examples are run as its tests (as trivy-checks and tfsec do): the bad
//! example must produce the rule, the good one must not, so `passrole rules explain`, the SARIF help
//! and `docs/rules/ID.md` cannot drift from the behaviour. (Every example folder under
//! `rules/ID/examples/` is also a fixture with exact expectations: tests/fixtures.rs.)

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
        let formats: Vec<&str> = m.examples.iter().map(|e| e.format.as_str()).collect();
        assert!(
            formats.contains(&"Terraform") && formats.contains(&"CloudFormation"),
            "{}: examples in {formats:?}; every rule has a Terraform and a CloudFormation one",
            m.id
        );
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
        for example in &rule.meta.examples {
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

/// `docs/rules/ID.md` is the rule's generated page (the SARIF help): `UPDATE_RULE_DOCS=1 cargo test
/// --test rule_examples` rewrites them.
#[test]
fn rule_pages_are_current() {
    let mut stale = Vec::new();
    for rule in rules::builtin().into_iter().chain(rules::decided()) {
        let path = format!("docs/rules/{}.md", rule.meta.id);
        let page = format!(
            "<!-- Generated from rules/{0}/ by `UPDATE_RULE_DOCS=1 cargo test --test rule_examples`: do not edit. -->\n\n{1}",
            rule.meta.id,
            rules::markdown(&rule.meta)
        );
        if std::env::var_os("UPDATE_RULE_DOCS").is_some() {
            std::fs::create_dir_all("docs/rules").expect("docs/rules");
            std::fs::write(&path, &page).expect("writable");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule pages (run `UPDATE_RULE_DOCS=1 cargo test --test rule_examples`): {stale:?}"
    );
}
