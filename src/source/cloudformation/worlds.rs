//! Parameters with `AllowedValues` take one value per deployment.
//!
//! Evaluating a value built from such a parameter gives every allowed value, which is right for the
//! value alone. It is wrong for two values built from the same parameter: with
//! `RoleName: !Sub ${Env}-worker` and a function passing `!Sub arn:…:role/${Env}-worker`, a deployment
//! with `Env=prod` creates `prod-worker` and passes `prod-worker`; it never passes `dev-worker` while
//! creating `prod-worker`. Each assignment of the parameters a passed value mentions is therefore one
//! world: the pass is resolved with those parameters fixed, and so are the names of the template's
//! roles it is matched against. A target found in several worlds is reported once.

use super::eval::{Template, intrinsic};
use crate::model::RoleTarget;
use crate::resolve::catalog::RoleReference;
use crate::value::{Node, NodeKind, Span};

/// More worlds than this (parameters × allowed values) are not enumerated: the value is resolved
/// with every parameter free, as without worlds.
const MAX_WORLDS: usize = 32;

/// Deeper values than this are not searched for parameters.
const MAX_DEPTH: usize = 48;

impl Template<'_> {
    /// [`Template::targets`] once per world of the parameters `node` mentions.
    pub fn targets_in_worlds(
        &self,
        node: &Node,
        reference: RoleReference,
    ) -> Vec<(RoleTarget, Span)> {
        let mut mentioned = Vec::new();
        self.mentioned_parameters(node, &mut mentioned, 0);
        let choices: Vec<(String, usize)> = mentioned
            .into_iter()
            .filter_map(|name| {
                let count = self.allowed_count(&name)?;
                (count > 1).then_some((name, count))
            })
            .collect();
        let worlds = choices
            .iter()
            .try_fold(1usize, |n, (_, count)| n.checked_mul(*count));
        let Some(worlds) = worlds.filter(|&n| n > 1 && n <= MAX_WORLDS) else {
            return self.targets(node, reference);
        };
        let mut out: Vec<(RoleTarget, Span)> = Vec::new();
        for world in 0..worlds {
            // World number → one allowed value per parameter (a mixed-radix number).
            let mut rest = world;
            let mut assignment = std::collections::HashMap::new();
            for (name, count) in &choices {
                assignment.insert(name.clone(), rest % count);
                rest /= count;
            }
            *self.world.borrow_mut() = assignment;
            for found in self.targets(node, reference) {
                if !out.contains(&found) {
                    out.push(found);
                }
            }
        }
        self.world.borrow_mut().clear();
        out
    }

    /// The number of `AllowedValues` of a parameter whose value is read from the template.
    fn allowed_count(&self, name: &str) -> Option<usize> {
        let param = self.parameters.get(name)?;
        let ty = param
            .get("Type")
            .and_then(|(_, t)| t.as_text()?.as_literal());
        if ty.is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value<")) {
            return None;
        }
        match param.get("AllowedValues").map(|(_, a)| &a.kind) {
            Some(NodeKind::List(items)) => Some(items.len()),
            _ => None,
        }
    }

    /// Parameters named by `Ref` or by `${Name}` in `Fn::Sub` anywhere in a value, in order, once each.
    pub(super) fn mentioned_parameters(&self, node: &Node, out: &mut Vec<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let mut add = |name: &str| {
            if self.parameters.contains_key(name) && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        };
        match intrinsic(node) {
            Some(("Ref", args)) => {
                if let Some(name) = args.as_text().and_then(|t| t.as_literal()) {
                    add(&name);
                }
                return;
            }
            Some(("Fn::Sub", args)) => {
                let template = match &args.kind {
                    NodeKind::List(items) => items.first(),
                    _ => Some(args),
                };
                if let Some(text) = template.and_then(|t| t.as_text()?.as_literal()) {
                    for name in sub_variables(&text) {
                        add(name);
                    }
                }
            }
            _ => {}
        }
        match &node.kind {
            NodeKind::List(items) => items
                .iter()
                .for_each(|n| self.mentioned_parameters(n, out, depth + 1)),
            NodeKind::Map(entries) => entries
                .iter()
                .for_each(|(_, v)| self.mentioned_parameters(v, out, depth + 1)),
            _ => {}
        }
    }
}

/// The variable names of an `Fn::Sub` template (`${Env}`, not `${!Literal}` or `${Res.Attr}`).
fn sub_variables(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("${") {
        let after = &rest[open + 2..];
        let Some(close) = after.find('}') else {
            break;
        };
        let name = after[..close].trim();
        if !name.starts_with('!') && !name.contains('.') {
            names.push(name);
        }
        rest = &after[close + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::sub_variables;

    #[test]
    fn sub_variables_are_the_plain_names() {
        assert_eq!(
            sub_variables("arn:${AWS::Partition}:iam::${!Literal}:role/${Env}-${Fn.Arn}-${ App }"),
            ["AWS::Partition", "Env", "App"]
        );
    }
}
