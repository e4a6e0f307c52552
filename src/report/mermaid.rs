//! The Mermaid diagram of the job summary: for the findings about roles passed to services
//! (PR001 to PR004), each role involved, the services it is passed to (the edge labelled with the
//! resource and attribute that pass it) and the principals its trust policy trusts. Everything
//! comes from the facts document (`passrole model`): the reports never re-derive facts.
//!
//! Node ids are generated (`u0r1`, `u0s2`, `u0p3`), never taken from the input, and every label is
//! quoted with Mermaid's entity codes for the characters that end a label or a Markdown fence
//! (`"`, `#`, `&`, `<`, `>`, `` ` ``, `|`) and for `%` (Mermaid reads `%%{init: …}%%` as a
//! configuration directive even inside a label), so hostile names cannot break the diagram out of
//! its block or reconfigure it.

use crate::facts::Document;
use crate::findings::Finding;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The rules whose findings are about a role passed to a service.
pub const DIAGRAM_RULES: [&str; 4] = ["PR001", "PR002", "PR003", "PR004"];

/// Roles drawn at most; the rest are counted.
pub const MAX_ROLES: usize = 30;

/// The diagram's size at most: Mermaid refuses a diagram over 50,000 characters by default
/// (`maxTextSize`).
pub const MAX_BYTES: usize = 40_000;

/// A diagram and what it leaves out.
#[derive(Debug, PartialEq, Eq)]
pub struct Diagram {
    /// The `flowchart LR` text, without the Markdown fence.
    pub text: String,
    pub roles_shown: usize,
    pub roles_total: usize,
}

/// A role of a unit, by its resource address.
type RoleKey = (usize, String);

/// What the findings are about: the pass edges of each role involved, and the edges and trusted
/// principals that findings point at (drawn in red).
#[derive(Default)]
struct Involved {
    edges: BTreeMap<RoleKey, BTreeSet<usize>>,
    /// (unit, pass edge).
    flagged_edges: BTreeSet<(usize, usize)>,
    /// (unit, role, principal of its trust policy).
    flagged_principals: BTreeSet<(usize, usize, usize)>,
}

/// The diagram of the pass edges involved in `findings`, or None when none is about a passed role.
pub fn pass_diagram<'a>(
    document: &Document,
    findings: impl Iterator<Item = &'a Finding>,
    max_bytes: usize,
) -> Option<Diagram> {
    let mut involved = Involved::default();
    let mut edges_of_unit: BTreeMap<usize, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for f in findings.filter(|f| DIAGRAM_RULES.contains(&f.rule.as_str())) {
        let Some((unit, collection, index, rest)) = element_of(&f.pointer) else {
            continue;
        };
        let base = format!("/units/{unit}/{collection}/{index}");
        match collection {
            "pass_edges" => {
                if let Some(role) = text(document.field(&base, "role")) {
                    involved
                        .edges
                        .entry((unit, role))
                        .or_default()
                        .insert(index);
                    involved.flagged_edges.insert((unit, index));
                }
            }
            "roles" => {
                let Some(role) = text(document.field(&base, "resource")) else {
                    continue;
                };
                let by_role = edges_of_unit
                    .entry(unit)
                    .or_insert_with(|| pass_edges_by_role(document, unit));
                let entry = involved.edges.entry((unit, role.clone())).or_default();
                entry.extend(by_role.get(&role).into_iter().flatten().copied());
                if let ["principals", k, ..] = rest.as_slice()
                    && let Ok(k) = k.parse()
                {
                    involved.flagged_principals.insert((unit, index, k));
                }
            }
            _ => {}
        }
    }
    if involved.edges.is_empty() {
        return None;
    }
    Some(draw(document, &involved, max_bytes))
}

/// `/units/0/roles/3/principals/1/kind` as (0, "roles", 3, ["principals", "1", "kind"]).
fn element_of(pointer: &str) -> Option<(usize, &str, usize, Vec<&str>)> {
    let mut parts = pointer.split('/').skip(1);
    if parts.next()? != "units" {
        return None;
    }
    let unit = parts.next()?.parse().ok()?;
    let collection = parts.next()?;
    let index = parts.next()?.parse().ok()?;
    Some((unit, collection, index, parts.collect()))
}

fn text(v: Option<Value>) -> Option<String> {
    v.and_then(|v| v.as_str().map(str::to_string))
}

/// The pass edges of a unit, by the role they pass.
fn pass_edges_by_role(document: &Document, unit: usize) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..document.len(unit, "pass_edges") {
        if let Some(role) = text(document.field(&format!("/units/{unit}/pass_edges/{i}"), "role")) {
            out.entry(role).or_default().push(i);
        }
    }
    out
}

/// The index of a role of a unit, by its resource address.
fn role_index(document: &Document, unit: usize, resource: &str) -> Option<usize> {
    (0..document.len(unit, "roles")).find(|i| {
        text(document.field(&format!("/units/{unit}/roles/{i}"), "resource")).as_deref()
            == Some(resource)
    })
}

/// Node ids of one unit's subgraph: one node per service and per principal, shared by its roles.
#[derive(Clone, Default)]
struct Nodes {
    services: BTreeMap<String, String>,
    principals: BTreeMap<String, String>,
}

/// The lines of one role, and what of it is drawn in red.
struct RoleBlock {
    text: String,
    red_nodes: Vec<String>,
    /// Indexes of links (Mermaid numbers them in the order they are written).
    red_links: Vec<usize>,
    links: usize,
}

fn draw(document: &Document, involved: &Involved, max_bytes: usize) -> Diagram {
    let mut text = String::from("flowchart LR\n");
    let (mut red_nodes, mut red_links) = (Vec::new(), Vec::new());
    let (mut shown, mut links) = (0, 0);
    let mut open_unit: Option<usize> = None;
    let mut nodes = Nodes::default();
    for ((unit, role), passes) in involved.edges.iter().take(MAX_ROLES) {
        let mut head = String::new();
        let mut unit_nodes = nodes.clone();
        if open_unit != Some(*unit) {
            if open_unit.is_some() {
                head.push_str("  end\n");
            }
            let name = text_of(document.field(&format!("/units/{unit}"), "name"));
            let _ = writeln!(head, "  subgraph u{unit}[{}]", label(&name));
            unit_nodes = Nodes::default();
        }
        let id = format!("u{unit}r{shown}");
        let block = draw_role(
            document,
            involved,
            (*unit, role, &id),
            passes,
            &mut unit_nodes,
            links,
        );
        // Room for the closing `end` and the style lines.
        if text.len() + head.len() + block.text.len() + 300 > max_bytes {
            break;
        }
        text.push_str(&head);
        text.push_str(&block.text);
        red_nodes.extend(block.red_nodes);
        red_links.extend(block.red_links);
        links += block.links;
        nodes = unit_nodes;
        open_unit = Some(*unit);
        shown += 1;
    }
    if open_unit.is_some() {
        text.push_str("  end\n");
    }
    red_nodes.sort();
    red_nodes.dedup();
    if !red_nodes.is_empty() {
        text.push_str("  classDef finding stroke:#cf222e,stroke-width:3px\n");
        let _ = writeln!(text, "  class {} finding", red_nodes.join(","));
    }
    if !red_links.is_empty() {
        let list: Vec<String> = red_links.iter().map(usize::to_string).collect();
        let _ = writeln!(
            text,
            "  linkStyle {} stroke:#cf222e,stroke-width:3px",
            list.join(",")
        );
    }
    Diagram {
        text,
        roles_shown: shown,
        roles_total: involved.edges.len(),
    }
}

/// A role's node, its passes to services and its trusted principals. `links`: the links written
/// before it.
fn draw_role(
    document: &Document,
    involved: &Involved,
    (unit, role, r): (usize, &str, &str),
    passes: &BTreeSet<usize>,
    nodes: &mut Nodes,
    links: usize,
) -> RoleBlock {
    let mut b = RoleBlock {
        text: format!("    {r}[{}]\n", label(role)),
        red_nodes: Vec::new(),
        red_links: Vec::new(),
        links: 0,
    };
    for &e in passes {
        let base = format!("/units/{unit}/pass_edges/{e}");
        let service = text_of(document.field(&base, "service"));
        let principals = strings(document.field(&base, "principals")).join(", ");
        let next = format!("u{unit}s{}", nodes.services.len());
        let s = nodes
            .services
            .entry(format!("{service}\u{0}{principals}"))
            .or_insert_with(|| {
                let shown_as = format!("{service} ({principals})");
                let _ = writeln!(b.text, "    {next}[{}]", label(&shown_as));
                next.clone()
            })
            .clone();
        let by = format!(
            "{}.{}",
            text_of(document.field(&base, "resource")),
            text_of(document.field(&base, "attribute"))
        );
        let _ = writeln!(b.text, "    {r} -->|{}| {s}", label(&by));
        if involved.flagged_edges.contains(&(unit, e)) {
            b.red_nodes.push(s);
            b.red_links.push(links + b.links);
        }
        b.links += 1;
    }
    let Some(i) = role_index(document, unit, role) else {
        return b;
    };
    let trusted = document.field(&format!("/units/{unit}/roles/{i}"), "principals");
    for (k, p) in trusted
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let kind = p.get("kind").and_then(Value::as_str).unwrap_or("");
        let value = p.get("value").and_then(Value::as_str).unwrap_or("");
        let shown_as = if kind == "service" {
            value.to_string()
        } else {
            format!("{kind}: {value}")
        };
        let next = format!("u{unit}p{}", nodes.principals.len());
        let id = nodes
            .principals
            .entry(shown_as.clone())
            .or_insert_with(|| {
                let _ = writeln!(b.text, "    {next}[{}]", label(&shown_as));
                next.clone()
            })
            .clone();
        let _ = writeln!(b.text, "    {r} -.->|trusts| {id}");
        if involved.flagged_principals.contains(&(unit, i, k)) {
            b.red_nodes.push(id);
            b.red_links.push(links + b.links);
        }
        b.links += 1;
    }
    b
}

fn text_of(v: Option<Value>) -> String {
    text(v).unwrap_or_default()
}

fn strings(v: Option<Value>) -> Vec<String> {
    v.as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// A quoted Mermaid label: the characters that end a label, start an entity or a Markdown fence
/// as entity codes, line breaks as spaces.
pub fn label(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("#34;"),
            '#' => out.push_str("#35;"),
            // `%%{init: ...}%%` is a directive wherever it appears, even inside a label.
            '%' => out.push_str("#37;"),
            '&' => out.push_str("#38;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_end_early() {
        assert_eq!(label("a\"b]c"), "\"a#34;b]c\"");
        assert_eq!(label("%%{init: {}}%%"), "\"#37;#37;{init: {}}#37;#37;\"");
        assert_eq!(
            label("x|y`z<br>#1&\n"),
            "\"x#124;y#96;z#60;br#62;#35;1#38; \""
        );
    }

    #[test]
    fn pointers_name_their_element() {
        assert_eq!(
            element_of("/units/2/pass_edges/13/trusts_service"),
            Some((2, "pass_edges", 13, vec!["trusts_service"]))
        );
        assert_eq!(
            element_of("/units/0/roles/1"),
            Some((0, "roles", 1, vec![]))
        );
        assert_eq!(element_of("/units/x"), None);
    }
}
