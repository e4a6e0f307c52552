//! CloudFormation resource `Metadata: {passrole: {ignore: [{rule: PR010, reason: "..."}]}}`.

use super::{Directive, Scope};
use crate::findings::{Location, SuppressionKind};
use crate::model::Unit;
use crate::source::SourceMap;
use crate::value::{Node, NodeKind};

/// One directive per `ignore` entry of every resource's `Metadata.passrole`, covering that
/// resource. An entry that is not `{rule, reason}` is a directive without a rule (reported as
/// PR090), so a malformed suppression is never silently ignored.
pub fn metadata_directives(units: &[Unit], sources: &SourceMap) -> Vec<Directive> {
    let mut out = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        for m in &unit.metadata {
            let Some((_, passrole)) = m.metadata.get("passrole") else {
                continue;
            };
            let entries: Vec<&Node> = match passrole.get("ignore") {
                Some((_, list)) => match &list.kind {
                    NodeKind::List(items) => items.iter().collect(),
                    _ => vec![list],
                },
                // `passrole:` with something else than `ignore` in it.
                None => vec![passrole],
            };
            for entry in entries {
                let reason = entry
                    .get("reason")
                    .and_then(|(_, v)| literal(v))
                    .unwrap_or_default();
                out.push(Directive {
                    kind: SuppressionKind::Metadata,
                    rules: rules_of(entry),
                    reason,
                    location: Location::of(sources, entry.span),
                    scope: Scope::Resource {
                        unit: u,
                        address: m.address.clone(),
                    },
                    resource: m.address.clone(),
                    text: sources.snippet(entry.span).to_string(),
                });
            }
        }
    }
    out
}

/// The rule ids of an entry: `rule: PR010` or `rule: [PR010, PR015]`; none when the entry is not a
/// mapping or an id is not a plain string.
fn rules_of(entry: &Node) -> Vec<String> {
    let Some((_, rule)) = entry.get("rule") else {
        return Vec::new();
    };
    let ids: Option<Vec<String>> = rule.as_list().into_iter().map(literal).collect();
    ids.unwrap_or_default()
        .into_iter()
        .filter(|id| !id.is_empty())
        .collect()
}

fn literal(node: &Node) -> Option<String> {
    node.as_text()
        .and_then(|t| t.as_literal())
        .map(|s| s.trim().to_string())
}
