//! `docs/facts.md`, generated from the facts' JSON Schema (itself generated from [`super::types`]), so
//! that the reference rule authors read cannot drift from what `passrole model` prints.

use serde_json::Value;

/// The Markdown reference of the facts document.
pub fn markdown() -> String {
    let schema = super::schema();
    let mut out = String::from(HEADER);
    section(&mut out, "The document", &schema);
    let defs = schema.get("$defs").and_then(Value::as_object);
    for (name, def) in defs.into_iter().flatten() {
        section(&mut out, name, def);
    }
    out
}

const HEADER: &str = "<!-- Generated from src/facts/types.rs by `cargo test --test facts_schema` \
(UPDATE_FACTS_DOCS=1 writes it): do not edit. -->

# The facts document

Rule files (CloudFormation Guard) are evaluated against this document; `passrole model PATH` prints it
for a scan and `passrole model --schema` prints its JSON Schema (`schemas/passrole-facts.schema.json`).
Rust computes the facts (which principals a role trusts, whether a statement's actions include
`iam:PassRole`, which roles a resource pattern covers); rules decide what is wrong. A failing
comparison on any field below is reported at the source location of the object that holds the field.

A rule usually starts from one collection of every unit (a complete example, with its fixtures and
its test, is `examples/rules/ORG100.guard`: roles passed to Lambda live under `/lambda/`):

```
let passes = units[*].pass_edges[ role_resolved == true ]
rule ORG001 when %passes !empty {
    %passes.trusts_service == true
}
```
";

fn section(out: &mut String, name: &str, schema: &Value) {
    out.push_str(&format!("\n## {name}\n\n"));
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        out.push_str(&one_line(d));
        out.push_str("\n\n");
    }
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    out.push_str("| field | type | meaning |\n|---|---|---|\n");
    for (field, p) in props {
        let meaning = p
            .get("description")
            .and_then(Value::as_str)
            .map(one_line)
            .unwrap_or_default();
        out.push_str(&format!(
            "| `{field}` | {} | {} |\n",
            type_of(p),
            meaning.replace('|', "\\|")
        ));
    }
}

/// A schema's type as a reader says it: `string`, `string or null`, `list of PassEdge`.
fn type_of(p: &Value) -> String {
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        return format!("[{0}](#{1})", name_of(r), name_of(r).to_ascii_lowercase());
    }
    let types: Vec<String> = match p.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => vec!["any".into()],
    };
    types
        .iter()
        .map(|t| match t.as_str() {
            "array" => format!("list of {}", p.get("items").map_or("any".into(), type_of)),
            "object" => "object".into(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn name_of(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
