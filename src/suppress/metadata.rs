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
                let text = |key: &str| {
                    entry
                        .get(key)
                        .and_then(|(_, v)| v.as_text())
                        .and_then(|t| t.as_literal())
                        .map(|s| s.trim().to_string())
                };
                let rules = match text("rule") {
                    Some(rule) if !rule.is_empty() && matches!(entry.kind, NodeKind::Map(_)) => {
                        vec![rule]
                    }
                    _ => Vec::new(),
                };
                out.push(Directive {
                    kind: SuppressionKind::Metadata,
                    rules,
                    reason: text("reason").unwrap_or_default(),
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
