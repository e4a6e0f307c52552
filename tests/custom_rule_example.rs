//! The example custom rule of `examples/rules/` (roles passed to Lambda live under `/lambda/`) runs
//! unchanged over the documented facts: each of its fixtures gives exactly its expected findings,
//! and its own `[example]` fails bad and passes good.

use passrole::rules::load_dir;
use passrole::scan::{ScanOptions, scan};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn findings(dir: &Path) -> Vec<(String, String, u64)> {
    let result = scan(&ScanOptions {
        paths: vec![dir.to_path_buf()],
        rule_dirs: vec![PathBuf::from("examples/rules")],
        ..Default::default()
    });
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let prefix = format!("{}/", dir.display());
    let mut out: Vec<_> = result
        .findings
        .iter()
        .map(|f| {
            let file = f
                .location
                .file
                .strip_prefix(&prefix)
                .unwrap_or(&f.location.file);
            (
                f.rule.clone(),
                file.to_string(),
                f.location.start.line as u64,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_example_custom_rule_gives_exactly_its_fixtures_findings() {
    for case in ["fail", "pass"] {
        let dir = Path::new("examples/rules/fixtures").join(case);
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let mut want: Vec<(String, String, u64)> = expected["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["file"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        want.sort();
        assert_eq!(findings(&dir), want, "{case}");
    }
}

#[test]
fn the_example_custom_rule_loads_cleanly_with_its_example() {
    let (rules, errors) = load_dir(Path::new("examples/rules"));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rules.len(), 1);
    let example = rules[0].meta.examples.first().expect("an example");
    for (text, fires) in [(&example.bad, true), (&example.good, false)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(&example.file), text).unwrap();
        let found = findings(dir.path());
        assert_eq!(found.iter().any(|f| f.0 == "ORG100"), fires, "{found:?}");
    }
}
