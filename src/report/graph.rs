//! The pass graph (`passrole graph`): principals → the roles they can pass → the services that
//! trust those roles and that the principal can make use them, with escalation edges (the role
//! allows more than the principal) marked and labelled with the difference. As Mermaid (renders in
//! GitHub Markdown), Graphviz DOT, or JSON. Read from the facts document's `escalations`: the
//! report never re-derives facts.
//!
//! Node ids are generated (`p0`, `r1`, `s2`), never taken from the input; labels are quoted for
//! each format (Mermaid: [`super::mermaid::label`]; DOT: backslash escapes), so hostile names
//! cannot break out of the graph.

use crate::facts::Document;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Edges drawn at most; the rest are counted.
pub const MAX_EDGES: usize = 200;

/// A graph format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

/// One edge principal → role, with the services the principal can make use the role.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PassPath {
    /// The unit the grant is in (`u0`) and its name.
    pub unit: String,
    pub principal: String,
    pub principal_kind: String,
    pub role: String,
    /// The grant's resource item that matches the role.
    pub grant_resource: String,
    /// The services that trust the role and that the principal can make use it.
    pub services: Vec<String>,
    /// The role allows more than the principal (rule PR020's condition).
    pub escalation: bool,
    /// What the role allows that the principal is not allowed.
    pub difference: String,
    /// Whether the comparison could be decided (PR021 when not).
    pub decided: bool,
}

/// Every principal → role edge of the facts (only the escalations when `escalations_only`).
pub fn paths(document: &Document, escalations_only: bool) -> Vec<PassPath> {
    (0..document.unit_count())
        .flat_map(|u| (0..document.len(u, "escalations")).map(move |e| (u, e)))
        .map(|(u, e)| path_at(document, u, e))
        .filter(|p| !escalations_only || p.escalation)
        .collect()
}

/// The paths that findings point at (`/units/U/escalations/E`), each once, in order.
pub fn paths_of_findings<'a>(
    document: &Document,
    findings: impl Iterator<Item = &'a crate::findings::Finding>,
) -> Vec<PassPath> {
    let mut seen = std::collections::BTreeSet::new();
    findings
        .filter_map(|f| {
            let mut parts = f.pointer.split('/').skip(1);
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some("units"), Some(u), Some("escalations"), Some(e)) => {
                    Some((u.parse().ok()?, e.parse().ok()?))
                }
                _ => None,
            }
        })
        .filter(|key: &(usize, usize)| seen.insert(*key))
        .map(|(u, e)| path_at(document, u, e))
        .collect()
}

/// The path of escalation fact `e` of unit `u`.
fn path_at(document: &Document, u: usize, e: usize) -> PassPath {
    let unit_name = document
        .field(&format!("/units/{u}"), "name")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let base = format!("/units/{u}/escalations/{e}");
    let get = |k: &str| document.field(&base, k);
    let text = |k: &str| get(k).and_then(|v| v.as_str().map(str::to_string));
    let flag = |k: &str| get(k).and_then(|v| v.as_bool()).unwrap_or(false);
    PassPath {
        unit: format!("u{u} {unit_name}"),
        principal: text("principal").unwrap_or_default(),
        principal_kind: text("principal_kind").unwrap_or_default(),
        role: text("role").unwrap_or_default(),
        grant_resource: text("grant_resource").unwrap_or_default(),
        services: strings(get("services")),
        escalation: flag("exceeds")
            && flag("decided")
            && flag("trusts_service")
            && flag("can_pass")
            && flag("can_use_service"),
        difference: text("difference").unwrap_or_default(),
        decided: flag("decided"),
    }
}

fn strings(v: Option<Value>) -> Vec<String> {
    v.and_then(|v| v.as_array().cloned())
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// Node ids of the drawn graph, by kind and name.
#[derive(Default)]
struct Nodes {
    ids: BTreeMap<(char, String), String>,
    order: Vec<(String, char, String)>,
}

impl Nodes {
    fn id(&mut self, kind: char, name: &str) -> String {
        let next = self.ids.len();
        self.ids
            .entry((kind, name.to_string()))
            .or_insert_with(|| {
                let id = format!("{kind}{next}");
                self.order.push((id.clone(), kind, name.to_string()));
                id
            })
            .clone()
    }
}

/// An edge of the drawn graph.
struct Edge {
    from: String,
    to: String,
    label: String,
    escalation: bool,
}

/// Nodes and edges of `paths` (principals and roles qualified by their unit), at most
/// [`MAX_EDGES`] edges; and how many paths were left out.
fn layout(paths: &[PassPath]) -> (Nodes, Vec<Edge>, usize) {
    let mut nodes = Nodes::default();
    let mut edges: Vec<Edge> = Vec::new();
    let mut seen_trust = std::collections::BTreeSet::new();
    let mut left_out = 0;
    for p in paths {
        if edges.len() >= MAX_EDGES {
            left_out += 1;
            continue;
        }
        let from = nodes.id('p', &format!("{} ({})", p.principal, p.principal_kind));
        let to = nodes.id('r', &p.role);
        let label = if p.escalation {
            format!("can pass ({}); gains {}", p.grant_resource, p.difference)
        } else {
            format!("can pass ({})", p.grant_resource)
        };
        edges.push(Edge {
            from,
            to: to.clone(),
            label,
            escalation: p.escalation,
        });
        for s in &p.services {
            let sid = nodes.id('s', s);
            if seen_trust.insert((to.clone(), sid.clone())) {
                edges.push(Edge {
                    from: to.clone(),
                    to: sid,
                    label: "trusts".into(),
                    escalation: false,
                });
            }
        }
    }
    (nodes, edges, left_out)
}

/// The graph as Mermaid `flowchart LR` text (without a Markdown fence).
pub fn mermaid(paths: &[PassPath]) -> String {
    let (nodes, edges, left_out) = layout(paths);
    let mut out = String::from("flowchart LR\n");
    for (id, kind, name) in &nodes.order {
        let shape = match kind {
            'p' => ("([", "])"),
            'r' => ("[", "]"),
            _ => ("{{", "}}"),
        };
        let _ = writeln!(
            out,
            "  {id}{}{}{}",
            shape.0,
            super::mermaid::label(name),
            shape.1
        );
    }
    let mut red = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        let arrow = if e.escalation { "==>" } else { "-->" };
        let _ = writeln!(
            out,
            "  {} {arrow}|{}| {}",
            e.from,
            super::mermaid::label(&e.label),
            e.to
        );
        if e.escalation {
            red.push(i.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d00,stroke-width:3px",
            red.join(",")
        );
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "  more{}",
            super::mermaid::label(&format!("… and {left_out} more paths"))
        );
    }
    out
}

/// The graph as Graphviz DOT.
pub fn dot(paths: &[PassPath]) -> String {
    let (nodes, edges, left_out) = layout(paths);
    let mut out = String::from("digraph passrole {\n  rankdir=LR;\n");
    for (id, kind, name) in &nodes.order {
        let shape = match kind {
            'p' => "ellipse",
            'r' => "box",
            _ => "hexagon",
        };
        let _ = writeln!(out, "  {id} [label={}, shape={shape}];", dot_label(name));
    }
    for e in &edges {
        let style = if e.escalation {
            ", color=red, penwidth=3"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            e.from,
            e.to,
            dot_label(&e.label)
        );
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "  more [label={}, shape=plaintext];",
            dot_label(&format!("… and {left_out} more paths"))
        );
    }
    out.push_str("}\n");
    out
}

/// A quoted DOT string: backslashes and quotes escaped, line breaks as spaces.
fn dot_label(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The graph in a format.
pub fn render(document: &Document, format: GraphFormat, escalations_only: bool) -> String {
    let paths = paths(document, escalations_only);
    match format {
        GraphFormat::Mermaid => mermaid(&paths),
        GraphFormat::Dot => dot(&paths),
        GraphFormat::Json => {
            let mut s = serde_json::to_string_pretty(&serde_json::json!({ "paths": paths }))
                .unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(principal: &str, role: &str, escalation: bool) -> PassPath {
        PassPath {
            unit: "u0 .".into(),
            principal: principal.into(),
            principal_kind: "user".into(),
            role: role.into(),
            grant_resource: "arn:aws:iam::1:role/app/*".into(),
            services: vec!["AWS Lambda".into()],
            escalation,
            difference: "every action (`*`) on `*`".into(),
            decided: true,
        }
    }

    #[test]
    fn escalations_are_marked_in_both_formats() {
        let paths = [path("u", "admin", true), path("u", "reader", false)];
        let m = mermaid(&paths);
        assert!(m.contains("==>"), "{m}");
        assert!(m.contains("linkStyle 0 stroke:#d00"), "{m}");
        // The second pass and the two roles' trust edges.
        assert_eq!(m.matches("-->").count(), 3, "{m}");
        let d = dot(&paths);
        assert_eq!(d.matches("color=red").count(), 1, "{d}");
    }

    #[test]
    fn hostile_names_stay_in_their_labels() {
        let paths = [path("x\"]) --> evil\n%%{init}%%", "r\"; a -> b [", true)];
        let m = mermaid(&paths);
        assert!(!m.contains("%%{"), "{m}");
        // Every quote inside a label is an entity: each line has its two label quotes at most.
        assert!(m.lines().all(|l| l.matches('"').count() <= 4), "{m}");
        assert!(!m.contains("x\""), "{m}");
        let d = dot(&paths);
        assert!(d.contains("r\\\"; a -> b ["), "{d}");
        // Two header lines, three nodes, two edges, the closing brace: nothing broke out.
        assert_eq!(d.lines().count(), 8, "{d}");
    }

    #[test]
    fn large_graphs_are_bounded() {
        let paths: Vec<PassPath> = (0..500)
            .map(|i| path(&format!("u{i}"), &format!("r{i}"), false))
            .collect();
        let m = mermaid(&paths);
        assert!(m.contains("more paths"), "{m}");
        assert!(m.lines().count() < 3 * MAX_EDGES, "{}", m.lines().count());
    }
}
