//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! One run: `tool.driver.rules` describes every loaded rule (with help text and GitHub's
//! `security-severity`), `results` holds the findings in report order, and input errors are
//! `invocations[0].toolExecutionNotifications`. `automationDetails.id` names the analysis (GitHub's
//! category: several passrole runs on one commit, one per directory, do not replace each other's
//! alerts). A finding in a module fetched by `terraform init` is located at the module call in the
//! repository ([`super::repository`]): GitHub rejects results outside it. Locations are relative to `%SRCROOT%` (the current
//! directory) and columns count Unicode code points, as the JSON report does
//! (`columnKind: unicodeCodePoints`). Objects are written with sorted keys, so the output is
//! deterministic.

use crate::findings::{Finding, Location};
use crate::rules::{self, Rule, RuleMeta, Severity};
use crate::scan::ScanResult;
use crate::source::{InputError, Position};
use serde_json::{Map, Value, json};

/// The URI base every relative artifact location is resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of `partialFingerprints`; bump the version if the fingerprint scheme changes.
pub const FINGERPRINT_KEY: &str = "passrole/v2";

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF report with the default category (`passrole/`).
pub fn render(result: &ScanResult) -> Value {
    render_with(result, None)
}

/// The category of a scan of `paths` when `--sarif-category` is not given: `passrole/` and the
/// scanned paths as shown (`passrole/infra/prod`, `passrole/a+b`); just `passrole` for the current
/// directory.
pub fn default_category(paths: &[std::path::PathBuf]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .map(|p| crate::source::display_path(p))
        .map(|p| p.trim_end_matches('/').to_string())
        .filter(|p| !p.is_empty() && p != ".")
        .collect();
    if shown.is_empty() {
        "passrole".to_string()
    } else {
        format!("passrole/{}", shown.join("+"))
    }
}

/// `automationDetails.id` of a category. GitHub reads the id as `category/run-id`, the category being
/// everything up to the last `/`; an id ending in `/` is all category, as the `upload-sarif` action
/// writes its `category` input (which it sets only on runs without an id: passrole's is kept).
pub fn automation_id(category: Option<&str>) -> String {
    let category = category.unwrap_or("passrole");
    if category.ends_with('/') {
        category.to_string()
    } else {
        format!("{category}/")
    }
}

/// The SARIF report; `category`: the analysis' category (None: `passrole`).
pub fn render_with(result: &ScanResult, category: Option<&str>) -> Value {
    let rules = unique_rules(&result.rules);
    let results: Vec<Value> = result
        .findings
        .iter()
        .map(|f| {
            finding(
                &super::repository::in_repository(&result.sources, f),
                &rules,
            )
        })
        .collect();
    let notifications: Vec<Value> = result.errors.iter().map(notification).collect();
    let mut invocation = Map::new();
    invocation.insert(
        "executionSuccessful".into(),
        json!(result.errors.is_empty()),
    );
    if !notifications.is_empty() {
        invocation.insert("toolExecutionNotifications".into(), json!(notifications));
    }
    let mut run = Map::new();
    run.insert("tool".into(), json!({ "driver": driver(&rules) }));
    run.insert(
        "automationDetails".into(),
        json!({ "id": automation_id(category) }),
    );
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    if let Some(root) = std::env::current_dir()
        .ok()
        .and_then(|d| directory_uri(&d.to_string_lossy()))
    {
        run.insert(
            "originalUriBaseIds".into(),
            json!({ SRCROOT: { "uri": root } }),
        );
    }
    run.insert("invocations".into(), json!([invocation]));
    run.insert("results".into(), json!(results));
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// The SARIF level of a severity (`error`, `warning`, `note`: the same words).
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score: 8.0 shows as high, 5.0 medium, 2.0 low).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// The rules of the driver: the loaded rules in load order, the first of each ID (SARIF rules must
/// be unique, and a result refers to its rule by ID and index).
fn unique_rules(rules: &[Rule]) -> Vec<&RuleMeta> {
    let mut out: Vec<&RuleMeta> = Vec::new();
    for r in rules {
        if !out.iter().any(|m| m.id == r.meta.id) {
            out.push(&r.meta);
        }
    }
    out
}

fn driver(rules: &[&RuleMeta]) -> Value {
    let mut d = Map::new();
    d.insert("name".into(), json!("passrole"));
    d.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    d.insert("semanticVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    if let Some(uri) = information_uri() {
        d.insert("informationUri".into(), json!(uri));
    }
    d.insert(
        "rules".into(),
        Value::Array(rules.iter().map(|m| rule(m)).collect()),
    );
    Value::Object(d)
}

/// The project's page: `homepage`, else `repository` of Cargo.toml (none while both are unset).
pub fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

fn rule(meta: &RuleMeta) -> Value {
    let full = if meta.why.trim().is_empty() {
        meta.title.trim()
    } else {
        meta.why.trim()
    };
    let mut r = Map::new();
    r.insert("id".into(), json!(meta.id));
    r.insert("name".into(), json!(pascal_case(&meta.title, &meta.id)));
    r.insert(
        "shortDescription".into(),
        json!({ "text": meta.title.trim() }),
    );
    r.insert("fullDescription".into(), json!({ "text": full }));
    r.insert(
        "help".into(),
        json!({ "text": rules::explain(meta), "markdown": rules::markdown(meta) }),
    );
    if let Some(link) = meta.links.first() {
        r.insert("helpUri".into(), json!(link));
    }
    r.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(meta.severity) }),
    );
    r.insert(
        "properties".into(),
        json!({
            "tags": ["security"],
            "security-severity": security_severity(meta.severity),
        }),
    );
    Value::Object(r)
}

/// A SARIF rule name from a title: `Passed role does not trust ...` → `PassedRoleDoesNotTrust...`.
fn pascal_case(title: &str, fallback: &str) -> String {
    let name: String = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(cs).collect::<String>()
        })
        .collect();
    if name.is_empty() {
        fallback.to_string()
    } else {
        name
    }
}

fn finding(f: &Finding, rules: &[&RuleMeta]) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.rule));
    if let Some(i) = rules.iter().position(|m| m.id == f.rule) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({ "text": f.message }));
    if let Some(p) = physical_location(&f.location) {
        r.insert("locations".into(), json!([{ "physicalLocation": p }]));
    }
    let related: Vec<Value> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, rel)| {
            let mut o = Map::new();
            o.insert("id".into(), json!(i + 1));
            o.insert("message".into(), json!({ "text": rel.message }));
            if let Some(p) = physical_location(&rel.location) {
                o.insert("physicalLocation".into(), p);
            }
            Value::Object(o)
        })
        .collect();
    if !related.is_empty() {
        r.insert("relatedLocations".into(), json!(related));
    }
    r.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: f.fingerprint }),
    );
    r.insert("properties".into(), json!({ "resource": f.resource }));
    if let Some(s) = &f.suppression {
        let mut o = Map::new();
        let kind = if s.kind.in_source() {
            "inSource"
        } else {
            "external"
        };
        o.insert("kind".into(), json!(kind));
        o.insert("status".into(), json!("accepted"));
        o.insert("justification".into(), json!(s.reason));
        if let Some(p) = s.location.as_ref().and_then(physical_location) {
            o.insert("location".into(), json!({ "physicalLocation": p }));
        }
        o.insert(
            "properties".into(),
            json!({ "passroleKind": s.kind.as_str() }),
        );
        r.insert("suppressions".into(), json!([Value::Object(o)]));
    }
    Value::Object(r)
}

fn physical_location(loc: &Location) -> Option<Value> {
    let artifact = artifact_location(&loc.file)?;
    let end = loc.end.max(loc.start);
    Some(json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": loc.start.line.max(1),
            "startColumn": loc.start.column.max(1),
            "endLine": end.line.max(1),
            "endColumn": end.column.max(1),
        },
    }))
}

fn notification(e: &InputError) -> Value {
    let mut n = Map::new();
    n.insert("level".into(), json!("error"));
    n.insert("message".into(), json!({ "text": e.message }));
    if let Some(artifact) = artifact_location(&e.file) {
        let mut p = Map::new();
        p.insert("artifactLocation".into(), artifact);
        if let Some(Position { line, column }) = e.position {
            p.insert(
                "region".into(),
                json!({ "startLine": line.max(1), "startColumn": column.max(1) }),
            );
        }
        n.insert("locations".into(), json!([{ "physicalLocation": p }]));
    }
    n.insert("properties".into(), json!({ "kind": e.kind.as_str() }));
    Value::Object(n)
}

/// An `artifactLocation` for a file as reports show it: a relative path becomes a relative URI
/// against `%SRCROOT%`, an absolute one a `file:` URI; None for no file.
pub fn artifact_location(file: &str) -> Option<Value> {
    let (uri, base) = uri(file)?;
    Some(match base {
        Some(base) => json!({ "uri": uri, "uriBaseId": base }),
        None => json!({ "uri": uri }),
    })
}

/// The URI of a report path and its base ID: `modules/fn/main.tf` → (`modules/fn/main.tf`,
/// `%SRCROOT%`); `/abs/x.tf` → (`file:///abs/x.tf`, none); `C:\x.tf` → (`file:///C:/x.tf`, none).
/// Backslashes become slashes and characters a URI cannot hold are percent-encoded.
pub fn uri(file: &str) -> Option<(String, Option<&'static str>)> {
    if file.is_empty() {
        return None;
    }
    let path = file.replace('\\', "/");
    if let Some(abs) = absolute_file_uri(&path) {
        return Some((abs, None));
    }
    let relative = path.strip_prefix("./").unwrap_or(&path);
    Some((percent_encode(relative, false), Some(SRCROOT)))
}

/// `file:` URI of an absolute path (with forward slashes), None for a relative one.
fn absolute_file_uri(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    if path.starts_with('/') {
        Some(format!("file://{}", percent_encode(path, false)))
    } else if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":/" {
        Some(format!("file:///{}", percent_encode(path, true)))
    } else {
        None
    }
}

/// The `file:` URI of a directory, ending in `/` (a base URI must).
fn directory_uri(dir: &str) -> Option<String> {
    let mut uri = absolute_file_uri(&dir.replace('\\', "/"))?;
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

/// Percent-encodes all but unreserved characters and `/` (and the `:` of a drive letter).
fn percent_encode(path: &str, drive: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, b) in path.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (drive && i == 1 && b == b':');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_severity() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Note), "note");
        assert_eq!(security_severity(Severity::Error), "8.0");
        assert_eq!(security_severity(Severity::Warning), "5.0");
        assert_eq!(security_severity(Severity::Note), "2.0");
    }

    #[test]
    fn relative_paths_are_relative_uris_against_srcroot() {
        assert_eq!(
            uri("modules/fn/main.tf"),
            Some(("modules/fn/main.tf".into(), Some(SRCROOT)))
        );
        assert_eq!(
            uri("modules\\fn\\main.tf"),
            Some(("modules/fn/main.tf".into(), Some(SRCROOT)))
        );
        assert_eq!(uri("./main.tf"), Some(("main.tf".into(), Some(SRCROOT))));
        assert_eq!(
            uri("../other/main.tf"),
            Some(("../other/main.tf".into(), Some(SRCROOT)))
        );
    }

    #[test]
    fn uris_percent_encode_what_a_uri_cannot_hold() {
        assert_eq!(
            uri("my stack/tëmplate#1.yaml").unwrap().0,
            "my%20stack/t%C3%ABmplate%231.yaml"
        );
        // A colon in a relative path would read as a URI scheme.
        assert_eq!(uri("a:b.tf").unwrap().0, "a%3Ab.tf");
    }

    #[test]
    fn absolute_paths_are_file_uris_without_a_base() {
        assert_eq!(
            uri("/tmp/x y/main.tf"),
            Some(("file:///tmp/x%20y/main.tf".into(), None))
        );
        assert_eq!(
            uri("C:\\infra\\main.tf"),
            Some(("file:///C:/infra/main.tf".into(), None))
        );
        assert_eq!(uri(""), None);
        assert_eq!(
            directory_uri("/work/repo"),
            Some("file:///work/repo/".into())
        );
    }

    #[test]
    fn categories_name_the_scanned_paths_and_end_in_a_slash() {
        use std::path::PathBuf;
        assert_eq!(default_category(&[]), "passrole");
        assert_eq!(default_category(&[PathBuf::from(".")]), "passrole");
        assert_eq!(
            default_category(&[PathBuf::from("infra/prod/"), PathBuf::from("./cfn")]),
            "passrole/infra/prod+cfn"
        );
        assert_eq!(automation_id(None), "passrole/");
        assert_eq!(automation_id(Some("passrole/infra")), "passrole/infra/");
        assert_eq!(automation_id(Some("prod/")), "prod/");
    }

    #[test]
    fn rule_names_are_pascal_case_titles() {
        assert_eq!(
            pascal_case(
                "Passed role does not trust the service it is passed to",
                "PR001"
            ),
            "PassedRoleDoesNotTrustTheServiceItIsPassedTo"
        );
        assert_eq!(pascal_case("iam:PassRole on `*`", "PR002"), "IamPassRoleOn");
        assert_eq!(pascal_case("", "X1"), "X1");
    }

    #[test]
    fn every_builtin_rule_has_help_and_a_github_severity() {
        for r in rules::builtin() {
            let v = rule(&r.meta);
            assert_eq!(v["id"], r.meta.id.as_str());
            assert!(!v["help"]["markdown"].as_str().unwrap().is_empty());
            assert!(
                v["help"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("How to fix it")
            );
            assert_eq!(v["properties"]["tags"][0], "security");
            assert_eq!(v["defaultConfiguration"]["level"], level(r.meta.severity));
        }
    }
}
