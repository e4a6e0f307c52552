//! What role or instance profile a value names, and the property paths that lead to it.

use super::eval::{MAX_DEPTH, MAX_POSSIBILITIES, RoleDef, Template, intrinsic, literal_of};
use super::pseudo;
use crate::model::RoleTarget;
use crate::resolve::catalog::RoleReference;
use crate::resolve::literal::{self, starts_with_arn};
use crate::value::{Node, NodeKind, Span, Text, TextPart};

impl Template<'_> {
    /// The possible values of a node after following `Fn::If` branches only (nothing else is
    /// evaluated), without `AWS::NoValue`: the raw nodes, each with its own span.
    pub fn branches<'n>(&self, node: &'n Node, out: &mut Vec<&'n Node>, depth: usize) {
        if depth > MAX_DEPTH || out.len() >= MAX_POSSIBILITIES {
            return;
        }
        match intrinsic(node) {
            Some(("Fn::If", args)) => match &args.kind {
                NodeKind::List(items) if items.len() == 3 => {
                    self.branches(&items[1], out, depth + 1);
                    self.branches(&items[2], out, depth + 1);
                }
                _ => out.push(node),
            },
            Some(("Ref", r)) if literal_of(r).as_deref() == Some("AWS::NoValue") => {}
            _ => out.push(node),
        }
    }

    /// The values at a property path of a node: `[]` steps take every element of a list,
    /// `[Key=value,...]` steps the elements whose keys have those literal values. A value reached
    /// through an element whose selector keys are not literals comes with the reason it may not be
    /// a pass at all.
    pub fn walk<'n>(
        &self,
        node: &'n Node,
        steps: &[crate::resolve::catalog::PathStep],
        out: &mut Vec<(&'n Node, Option<String>)>,
    ) {
        self.walk_from(node, steps, None, out);
    }

    fn walk_from<'n>(
        &self,
        node: &'n Node,
        steps: &[crate::resolve::catalog::PathStep],
        undecided: Option<&str>,
        out: &mut Vec<(&'n Node, Option<String>)>,
    ) {
        let mut here = Vec::new();
        self.branches(node, &mut here, 0);
        for b in here {
            let Some((first, rest)) = steps.split_first() else {
                out.push((b, undecided.map(str::to_owned)));
                continue;
            };
            // `*[]` iterates the object itself; any other step reads its key.
            let v = if first.name == crate::resolve::catalog::ANY_KEY {
                b
            } else {
                match b.get(&first.name) {
                    Some((_, v)) => v,
                    None => continue,
                }
            };
            if !first.each {
                self.walk_from(v, rest, undecided, out);
                continue;
            }
            let mut lists = Vec::new();
            self.branches(v, &mut lists, 0);
            for l in lists {
                let items: Vec<&Node> = match &l.kind {
                    NodeKind::List(items) => items.iter().collect(),
                    // A map of named objects (SAM `Auth.Authorizers`): each value.
                    NodeKind::Map(entries) if intrinsic(l).is_none() => {
                        entries.iter().map(|(_, item)| item).collect()
                    }
                    _ => Vec::new(),
                };
                for item in items {
                    match selected(item, &first.select) {
                        Ok(true) => self.walk_from(item, rest, undecided, out),
                        Ok(false) => {}
                        Err(reason) => self.walk_from(item, rest, Some(&reason), out),
                    }
                }
            }
        }
    }

    /// What role or instance profile a value names, for each of its possibilities, with the span of
    /// each possibility (an `Fn::If` branch is its own pass site).
    pub fn targets(&self, node: &Node, reference: RoleReference) -> Vec<(RoleTarget, Span)> {
        let mut leaves = Vec::new();
        self.branches(node, &mut leaves, 0);
        let mut out = Vec::new();
        for leaf in leaves {
            if matches!(leaf.kind, NodeKind::Null) {
                continue;
            }
            for t in self.leaf_targets(leaf, reference) {
                // `null` or an empty string sets no role (templates use `Default: ""` with a
                // condition; SAM then makes one), and
                // SAM's `NONE` / `CALLER_CREDENTIALS` (API authorizer and method invoke roles) say
                // that no role is assumed.
                let empty = matches!(
                    &t,
                    RoleTarget::Arn(x) | RoleTarget::Name(x) | RoleTarget::ProfileName(x)
                        if x.as_literal().is_some_and(|s| {
                            s.is_empty() || s == "NONE" || s == "CALLER_CREDENTIALS"
                                // "Use the caller's credentials" (OpenAPI integrations, SAM
                                // `InvokeRole`), in any partition: `arn:aws-cn:iam::*:user/*`.
                                || (s.starts_with("arn:") && s.ends_with(":iam::*:user/*"))
                        })
                );
                if !empty {
                    out.push((t, leaf.span));
                }
            }
        }
        out
    }

    fn leaf_targets(&self, node: &Node, reference: RoleReference) -> Vec<RoleTarget> {
        match intrinsic(node) {
            Some(("Ref", r)) => {
                let Some(name) = literal_of(r) else {
                    return vec![RoleTarget::Unresolved(
                        "Ref with a name that is unknown".into(),
                    )];
                };
                if let Some(i) = self.role_index(&name) {
                    return vec![RoleTarget::Role(i)];
                }
                if let Some(i) = self.profile_index(&name) {
                    return vec![RoleTarget::Profile(i)];
                }
                if let Some(r) = self.resource(&name) {
                    return vec![RoleTarget::Unresolved(format!(
                        "{name} is a {}, not a role defined in the scan",
                        r.ty
                    ))];
                }
            }
            Some(("Fn::GetAtt", args)) => {
                if let Some((res, attr)) = self.getatt_parts(args, 0) {
                    if let Some(i) = self.role_index(&res) {
                        return vec![if attr == "Arn" {
                            RoleTarget::Role(i)
                        } else {
                            RoleTarget::Unresolved(format!("{res}.{attr} is not the role's ARN"))
                        }];
                    }
                    if let Some(i) = self.profile_index(&res) {
                        return vec![RoleTarget::Profile(i)];
                    }
                    return vec![RoleTarget::Unresolved(match self.resource(&res) {
                        Some(r) => {
                            format!("{res}.{attr} is an attribute of a {}, not a role", r.ty)
                        }
                        None => {
                            format!("Fn::GetAtt {res}.{attr}: no resource {res} in the template")
                        }
                    })];
                }
            }
            Some(("Fn::ImportValue", args)) => {
                return match self
                    .eval(args, 0)
                    .iter()
                    .map(literal_of)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    [Some(name)] => vec![RoleTarget::Import(name.clone())],
                    _ => vec![RoleTarget::Unresolved(
                        "Fn::ImportValue of a name that cannot be evaluated statically".into(),
                    )],
                };
            }
            _ => {}
        }
        self.eval(node, 0)
            .iter()
            .map(|n| self.literal_target(n, reference))
            .collect()
    }

    /// A role or instance profile written as a string (an ARN, a name).
    fn literal_target(&self, node: &Node, reference: RoleReference) -> RoleTarget {
        // A role named without an ARN: its stack constants are part of the name (an ARN's were
        // made placeholders when it was built, its account field left unknown).
        let named = pseudo::name_node(node);
        let text = match (&node.kind, &named.kind) {
            (NodeKind::Str(t), _) if starts_with_arn(t) => t,
            (_, NodeKind::Str(n)) => n,
            (NodeKind::Unknown(reason), _) => return RoleTarget::Unresolved(reason.clone()),
            _ => return RoleTarget::Unresolved("the value is not a string".into()),
        };
        let starts_arn = starts_with_arn(text);
        if reference == RoleReference::InstanceProfile {
            if let Some(name) = literal_tail(text, ":instance-profile/")
                .or_else(|| (!starts_arn).then(|| text.as_literal()).flatten())
            {
                let name = name.rsplit('/').next().unwrap_or(&name).to_string();
                if let Some(i) = self.profiles.iter().position(|&r| {
                    self.resources.get(r).is_some_and(|res| {
                        self.resource_name(&res.id, "InstanceProfileName", 0).0 == name
                    })
                }) {
                    return RoleTarget::Profile(i);
                }
                return RoleTarget::ProfileName(Text::lit(name));
            }
            return literal::literal_target(text, reference);
        }
        // A role of this template, by name (its literal name or its stand-in).
        let name = if starts_arn {
            literal_tail(text, ":role/").map(|s| s.rsplit('/').next().unwrap_or(&s).to_string())
        } else {
            text.as_literal()
        };
        if let Some(name) = name {
            if let Some(i) = self.roles.iter().position(|r| self.role_name(r).0 == name) {
                return RoleTarget::Role(i);
            }
            if pseudo::names_this_stack(&name) {
                return RoleTarget::Unresolved(format!(
                    "the role {name} is named after this stack (AWS::StackName), and the template \
                     defines no role of that name"
                ));
            }
            if starts_arn && !text.is_known() {
                // The account is unknown but the role name is not: link by name.
                return RoleTarget::Name(Text::lit(name));
            }
        }
        literal::literal_target(text, reference)
    }

    /// The name of a role of the template, and whether it is literal.
    pub fn role_name(&self, role: &RoleDef) -> (String, bool) {
        if role.generated {
            (format!("{{{}}}", role.logical), false)
        } else {
            self.resource_name(&role.logical, "RoleName", 0)
        }
    }
}

/// The literal text after the last `marker` (`:role/`) when everything after it is literal.
fn literal_tail(text: &Text, marker: &str) -> Option<String> {
    let mut tail = String::new();
    for part in text.parts.iter().rev() {
        match part {
            TextPart::Lit(s) => {
                if let Some(i) = s.rfind(marker) {
                    let mut out = s[i + marker.len()..].to_string();
                    out.push_str(&tail);
                    return (!out.is_empty()).then_some(out);
                }
                tail.insert_str(0, s);
            }
            TextPart::Unknown(_) => return None,
        }
    }
    None
}

/// Whether a list element has the selector's literal key values; the reason when a key is not a
/// literal (a `Ref` to a parameter), so that whether the element passes a role is not known.
fn selected(item: &Node, select: &[(String, String)]) -> Result<bool, String> {
    for (key, want) in select {
        let Some((_, v)) = item.get(key) else {
            return Ok(false);
        };
        match literal_of(v) {
            Some(value) if value == *want => {}
            Some(_) => return Ok(false),
            None => {
                return Err(format!(
                    "the element's {key} is not a literal, so whether it passes a role (when {key} is {want}) is not known"
                ));
            }
        }
    }
    Ok(true)
}
