//! The facts contract: the checked-in JSON Schema and `docs/facts.md` are what the code generates,
//! and what `passrole model` prints for every fixture validates against that schema.
//! `UPDATE_FACTS_DOCS=1 cargo test --test facts_schema` rewrites both files.

use passrole::scan::{ScanOptions, scan};

const SCHEMA: &str = "schemas/passrole-facts.schema.json";
const DOCS: &str = "docs/facts.md";

fn check_current(path: &str, generated: String) {
    if std::env::var_os("UPDATE_FACTS_DOCS").is_some() {
        std::fs::write(path, &generated).expect("writable");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is stale: run `UPDATE_FACTS_DOCS=1 cargo test --test facts_schema` and commit it"
    );
}

fn schema() -> serde_json::Value {
    passrole::facts::schema()
}

#[test]
fn the_checked_in_schema_is_current() {
    let text = serde_json::to_string_pretty(&schema()).expect("serializes") + "\n";
    check_current(SCHEMA, text);
}

#[test]
fn the_facts_reference_is_current() {
    check_current(DOCS, passrole::facts::docs::markdown());
}

#[test]
fn model_output_validates_against_the_schema_for_every_fixture() {
    let validator = jsonschema::validator_for(&schema()).expect("a valid schema");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut cases: Vec<_> = std::fs::read_dir("testdata")
        .expect("testdata/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        let result = scan(&ScanOptions {
            paths: vec![case.clone()],
            ..Default::default()
        });
        let document = result.facts.document.to_value();
        let units = document["units"].as_array().map_or(0, Vec::len);
        checked += units;
        for error in validator.iter_errors(&document) {
            failures.push(format!(
                "{}: {} at {}",
                case.display(),
                error,
                error.instance_path()
            ));
        }
    }
    assert!(checked > 100, "only {checked} units were checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_document_with_an_unknown_field_does_not_validate() {
    let validator = jsonschema::validator_for(&schema()).expect("a valid schema");
    let result = scan(&ScanOptions {
        paths: vec!["rules/PR001/examples/terraform-fail".into()],
        ..Default::default()
    });
    let mut document = result.facts.document.to_value();
    assert!(validator.is_valid(&document));
    document["units"][0]["pass_edges"][0]["not_a_fact"] = serde_json::json!(true);
    assert!(!validator.is_valid(&document), "the schema is strict");
}
