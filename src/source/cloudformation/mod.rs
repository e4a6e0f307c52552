//! CloudFormation, SAM and CDK output (YAML and JSON templates).
//!
//! A template is parsed to a spanned [`Node`] tree (YAML through [`yaml`], JSON through the strict JSON
//! parser: CloudFormation rejects duplicate keys), its intrinsic functions are evaluated statically
//! ([`eval`]) and it is lowered to one [`Unit`]: roles, instance profiles, identity policies, the passes
//! of the catalog's `[[cloudformation]]` entries, exports, and each resource's `Metadata`.

mod eval;
mod foreach;
mod hops;
mod identity;
mod nested;
mod policy_text;
mod pseudo;
mod targets;
mod worlds;
pub mod yaml;

/// `${AWS::Region}`: the region of the deployment, one value (see `pseudo`); Terraform's
/// `data.aws_region` reads as the same placeholder.
pub const REGION_PLACEHOLDER: &str = "${AWS::Region}";
mod yaml_indent;

use crate::iam::policy::{PolicyDocument, PolicyValue};
use crate::model::{
    Export, IdentityKind, IdentityPolicy, InstanceProfile, Pass, PolicyAttachment,
    ResourceMetadata, Role, RoleTarget, Unit, UnitKind,
};
use crate::resolve::catalog::{Catalog, RoleReference};
use crate::resolve::iam_resources::IamResources;
use crate::source::{ErrorKind, InputError, SourceMap, json};
use crate::value::{FileId, Key, Node, NodeKind, Span};
use eval::{RoleDef, Template, intrinsic, unknown};
use policy_text::merge_documents;
use std::cell::RefCell;
use std::collections::HashMap;

/// Parses a template file: JSON when it starts with `{`, YAML otherwise.
pub fn parse_template(file: FileId, sources: &SourceMap) -> Result<Node, InputError> {
    let Some(source) = sources.get(file) else {
        return Err(InputError {
            file: String::new(),
            kind: ErrorKind::Io,
            message: "the file is not in the scan".into(),
            position: None,
        });
    };
    let text = source.text.as_str();
    let at = |offset: usize, kind: ErrorKind, message: String| {
        InputError::at(sources, Span::new(file, offset, offset), kind, message)
    };
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        json::parse_last_wins(text, file, 0).map_err(|e| {
            let kind = match e.kind {
                json::JsonErrorKind::TooDeep => ErrorKind::Limit,
                _ => ErrorKind::Parse,
            };
            at(e.offset, kind, format!("invalid JSON template: {e}"))
        })
    } else {
        yaml::parse(text, file).map_err(|e| at(e.offset, e.kind, e.message))
    }
}

/// Lowers one template to a unit.
pub fn lower_template(
    file: FileId,
    sources: &SourceMap,
    catalog: &Catalog,
) -> (Option<Unit>, Vec<InputError>) {
    let root = match parse_template(file, sources) {
        Ok(root) => root,
        Err(e) => return (None, vec![e]),
    };
    if !matches!(root.kind, NodeKind::Map(_)) {
        let e = InputError::at(
            sources,
            root.span,
            ErrorKind::Parse,
            "not a CloudFormation template: the top level is not a mapping",
        );
        return (None, vec![e]);
    }
    let name = sources
        .get(file)
        .map(|f| f.display.clone())
        .unwrap_or_default();
    let (expanded, loop_errors) = foreach::expand(sources, &root);
    let root = expanded.unwrap_or(root);
    let template = template(sources, &root);
    template.errors.borrow_mut().extend(loop_errors);
    let mut unit = Unit::new(UnitKind::CloudFormation, name);
    roles(&template, &mut unit);
    profiles(&template, &mut unit);
    policies(&template, &mut unit);
    identity::permission_sets(&template, &mut unit);
    identity::identities(&template, &mut unit);
    attachments(&template, &mut unit);
    identity::memberships(&template, &mut unit);
    identity::managed_attachments(&template, &mut unit);
    nested::nested_stacks(&template, &mut unit);
    passes(&template, &mut unit, catalog);
    exports(&template, &mut unit);
    for r in &template.resources {
        if let Some(m) = r.metadata {
            unit.metadata.push(ResourceMetadata {
                address: r.address.clone(),
                span: r.key_span,
                metadata: m.clone(),
            });
        }
    }
    let errors = template.errors.take();
    (Some(unit), errors)
}

fn section<'a>(root: &'a Node, name: &str) -> Option<&'a Node> {
    root.get(name).map(|(_, v)| v)
}

fn literal_str(node: &Node) -> Option<String> {
    node.as_text().and_then(|t| t.as_literal())
}

fn template<'a>(sources: &'a SourceMap, root: &'a Node) -> Template<'a> {
    let mut resources = Vec::new();
    if let Some(NodeKind::Map(entries)) = section(root, "Resources").map(|n| &n.kind) {
        for (key, node) in entries {
            let Some(ty) = node.get("Type").and_then(|(_, t)| literal_str(t)) else {
                continue;
            };
            let metadata = node.get("Metadata").map(|(_, m)| m);
            let address = metadata
                .and_then(|m| m.get("aws:cdk:path"))
                .and_then(|(_, p)| literal_str(p))
                .unwrap_or_else(|| key.name.clone());
            resources.push(eval::Resource {
                id: key.name.clone(),
                key_span: key.span,
                ty,
                props: node.get("Properties").map(|(_, p)| p),
                metadata,
                address,
            });
        }
    }
    let mut parameters = HashMap::new();
    if let Some(NodeKind::Map(entries)) = section(root, "Parameters").map(|n| &n.kind) {
        for (key, node) in entries {
            parameters.insert(key.name.clone(), node);
        }
    }
    let mut roles = Vec::new();
    let mut profiles = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        if r.ty == "AWS::IAM::Role" {
            roles.push(RoleDef {
                logical: r.id.clone(),
                resource: i,
                generated: false,
            });
        } else if r.ty == "AWS::IAM::InstanceProfile" {
            profiles.push(i);
        }
    }
    for (i, r) in resources.iter().enumerate() {
        // `Role: null` (as the AWS .NET Lambda tooling writes it) gives no role: SAM makes one.
        let role = r.props.and_then(|p| p.get("Role"));
        let generates = IamResources::builtin()
            .cloudformation
            .sam_generated_role(&r.ty)
            .is_some()
            && role.is_none_or(|(_, v)| matches!(v.kind, NodeKind::Null));
        if generates {
            roles.push(RoleDef {
                logical: format!("{}Role", r.id),
                resource: i,
                generated: true,
            });
        }
    }
    Template {
        sources,
        root,
        resources,
        parameters,
        mappings: section(root, "Mappings"),
        roles,
        profiles,
        errors: RefCell::new(Vec::new()),
        resolving: RefCell::new(Vec::new()),
        budget: std::cell::Cell::new(eval::EVAL_BUDGET),
        world: RefCell::new(HashMap::new()),
    }
}

/// Reads a policy value (every `Fn::If` branch, JSON strings parsed) as one document.
fn read_policy(t: &Template, node: &Node) -> PolicyValue {
    let errors = t.errors.borrow().len();
    let value = read_policy_node(t, node);
    value.invalid_if(t.errors.borrow().len() > errors)
}

fn read_policy_node(t: &Template, node: &Node) -> PolicyValue {
    let mut docs = t.policy_nodes(node);
    let doc = match docs.len() {
        0 => unknown("the policy is AWS::NoValue", node.span),
        1 => docs.remove(0),
        _ => merge_documents(docs, node.span),
    };
    match PolicyDocument::from_node(&doc) {
        Ok(v) => v,
        Err(e) => {
            let (value, error) = crate::source::invalid_policy(t.sources, e);
            t.errors.borrow_mut().push(error);
            value
        }
    }
}

/// The items of a list property, through `Fn::If` on the list and on each item: every possible item.
fn list_items<'n>(t: &Template, list: &'n Node) -> Vec<&'n Node> {
    let mut lists = Vec::new();
    t.branches(list, &mut lists, 0);
    let mut out = Vec::new();
    for l in lists {
        for item in l.as_list() {
            t.branches(item, &mut out, 0);
        }
    }
    out
}

fn prop<'a>(r: &eval::Resource<'a>, key: &str) -> Option<&'a Node> {
    r.props.and_then(|p| p.get(key)).map(|(_, v)| v)
}

/// The trust policy SAM writes for a role it generates: the resource's `AssumeRolePolicyDocument` when
/// given, else trust in the service, spanned at the resource's logical id.
fn generated_trust(t: &Template, r: &eval::Resource, principal: &str) -> PolicyValue {
    if let Some(doc) = prop(r, "AssumeRolePolicyDocument") {
        return read_policy(t, doc);
    }
    let span = r.key_span;
    let key = |name: &str| Key {
        name: name.into(),
        span,
    };
    let map = |entries: Vec<(Key, Node)>| Node::new(NodeKind::Map(entries), span);
    let statement = map(vec![
        (key("Effect"), Node::str("Allow", span)),
        (
            key("Principal"),
            map(vec![(key("Service"), Node::str(principal, span))]),
        ),
        (key("Action"), Node::str("sts:AssumeRole", span)),
    ]);
    let doc = map(vec![(
        key("Statement"),
        Node::new(NodeKind::List(vec![statement]), span),
    )]);
    PolicyDocument::from_node(&doc).unwrap_or_else(|e| PolicyValue::Unknown {
        reason: e.message,
        span,
    })
}

fn roles(t: &Template, unit: &mut Unit) {
    for def in &t.roles {
        let Some(r) = t.resources.get(def.resource) else {
            continue;
        };
        if def.generated {
            let principal = IamResources::builtin()
                .cloudformation
                .sam_generated_role(&r.ty)
                .map_or("lambda.amazonaws.com", |s| s.principal.as_str());
            unit.roles.push(Role {
                address: format!("{}Role", r.address),
                span: r.key_span,
                name: None,
                path: None,
                trust: generated_trust(t, r, principal),
            });
            continue;
        }
        let trust = match prop(r, "AssumeRolePolicyDocument") {
            Some(doc) => read_policy(t, doc),
            None => PolicyValue::Unknown {
                reason: "the role has no AssumeRolePolicyDocument".into(),
                span: r.key_span,
            },
        };
        let (name, literal) = t.resource_name(&r.id, "RoleName", 0);
        unit.roles.push(Role {
            address: r.address.clone(),
            span: r.key_span,
            name: literal.then_some(name),
            path: prop(r, "Path").and_then(|p| t.literal(p)),
            trust,
        });
    }
}

fn profiles(t: &Template, unit: &mut Unit) {
    for &i in &t.profiles {
        let Some(r) = t.resources.get(i) else {
            continue;
        };
        let mut found = Vec::new();
        if let Some(roles) = prop(r, "Roles") {
            let mut lists = Vec::new();
            t.branches(roles, &mut lists, 0);
            for l in lists {
                for item in l.as_list() {
                    found.extend(t.targets(item, RoleReference::RoleName));
                }
            }
        }
        let (role, role_span) = found.into_iter().next().unwrap_or_else(|| {
            (
                RoleTarget::Unresolved("the instance profile has no role".into()),
                prop(r, "Roles").map(|n| n.span).unwrap_or(r.key_span),
            )
        });
        let (name, literal) = t.resource_name(&r.id, "InstanceProfileName", 0);
        unit.profiles.push(InstanceProfile {
            address: r.address.clone(),
            span: r.key_span,
            name: literal.then_some(name),
            role,
            role_span,
            role_attribute: "Roles",
        });
    }
}

fn policies(t: &Template, unit: &mut Unit) {
    let cfn = &IamResources::builtin().cloudformation;
    for r in &t.resources {
        if cfn.policy_resources.contains(&r.ty)
            && let Some(doc) = prop(r, "PolicyDocument")
        {
            unit.policies.push(IdentityPolicy {
                partial: None,
                origin: crate::model::PolicyOrigin::Written,
                address: r.address.clone(),
                attribute: "PolicyDocument".into(),
                document: read_policy(t, doc),
            });
        }
        if cfn.inline_policy_resources.contains(&r.ty) {
            let docs = prop(r, "Policies")
                .map(|list| list_items(t, list))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|item| item.get("PolicyDocument").map(|(_, doc)| doc));
            for doc in docs {
                unit.policies.push(IdentityPolicy {
                    partial: None,
                    origin: crate::model::PolicyOrigin::Written,
                    address: r.address.clone(),
                    attribute: "Policies.PolicyDocument".into(),
                    document: read_policy(t, doc),
                });
            }
        }
        // SAM: the inline statements of a generated role's `Policies` (strings are managed policy
        // names and one-key maps are SAM policy templates; neither is read here).
        let sam_generated = t.roles.iter().any(|d| {
            d.generated
                && t.resources
                    .get(d.resource)
                    .is_some_and(|x| std::ptr::eq(x, r))
        });
        if sam_generated && let Some(list) = prop(r, "Policies") {
            for item in list_items(t, list) {
                if item.get("Statement").is_some() {
                    unit.policies.push(IdentityPolicy {
                        partial: None,
                        origin: crate::model::PolicyOrigin::Written,
                        address: r.address.clone(),
                        attribute: "Policies".into(),
                        document: read_policy(t, item),
                    });
                }
            }
        }
    }
}

/// Who gets each policy resource (`Roles`, `RoleName`, …), and the managed policies a role lists in
/// `ManagedPolicyArns`, for the findings on the policy's grants.
fn attachments(t: &Template, unit: &mut Unit) {
    let cfn = &IamResources::builtin().cloudformation;
    for r in &t.resources {
        if let Some(attachment) = cfn.attachment(&r.ty) {
            let properties = attachment.properties.iter().map(String::as_str);
            for (name, property) in properties.filter_map(|p| Some((p, prop(r, p)?))) {
                let items = if attachment.list {
                    list_items(t, property)
                } else {
                    let mut values = Vec::new();
                    t.branches(property, &mut values, 0);
                    values
                };
                let kind = identity::kind_of_property(name);
                for item in items {
                    unit.attachments.push(PolicyAttachment {
                        policy: r.address.clone(),
                        principal: principal_shown(t, item, kind),
                        via: r.address.clone(),
                        span: item.span,
                    });
                }
            }
        }
        // A role's, user's or group's customer managed policies of the template (`!Ref Policy`).
        if cfn.inline_policy_resources.contains(&r.ty)
            && let Some(arns) = prop(r, "ManagedPolicyArns")
        {
            for item in list_items(t, arns) {
                if let Some(policy) = referenced(t, item) {
                    unit.attachments.push(PolicyAttachment {
                        policy: policy.address.clone(),
                        principal: r.address.clone(),
                        via: r.address.clone(),
                        span: item.span,
                    });
                }
            }
        }
    }
}

/// The resource of the template that a `Ref` names.
fn referenced<'t, 'a>(t: &'t Template<'a>, node: &Node) -> Option<&'t eval::Resource<'a>> {
    match intrinsic(node) {
        Some(("Ref", args)) => {
            let NodeKind::Str(id) = &args.kind else {
                return None;
            };
            t.resource(&id.as_literal()?)
        }
        _ => None,
    }
}

/// A principal as a finding shows it: the resource's address, else its name as written. A user or
/// group (`kind`) named by the literal name of a user or group of the template is shown by that
/// one's address; roles keep the name.
fn principal_shown(t: &Template, node: &Node, kind: Option<IdentityKind>) -> String {
    if let Some(r) = referenced(t, node) {
        return r.address.clone();
    }
    match &node.kind {
        NodeKind::Str(text) => match text.as_literal() {
            Some(name) => kind
                .and_then(|k| identity::named(t, k, &name))
                .unwrap_or_else(|| format!("\"{name}\"")),
            None => "a principal that cannot be evaluated statically".into(),
        },
        _ => "a principal that cannot be evaluated statically".into(),
    }
}

fn passes(t: &Template, unit: &mut Unit, catalog: &Catalog) {
    for r in &t.resources {
        let Some(props) = r.props else {
            continue;
        };
        for passer in catalog.cloudformation.iter().filter(|p| p.resource == r.ty) {
            let mut leaves = Vec::new();
            t.walk(props, &passer.path, &mut leaves);
            let attribute = passer.path_string();
            for (leaf, undecided) in leaves {
                let values: Vec<&Node> = match (&leaf.kind, passer.list) {
                    (NodeKind::List(items), _) => items.iter().collect(),
                    _ => vec![leaf],
                };
                for value in values {
                    let hops = t.parameter_hops(value);
                    let targets = match &undecided {
                        Some(reason) => vec![(RoleTarget::Unresolved(reason.clone()), value.span)],
                        None => t.targets_in_worlds(value, passer.reference),
                    };
                    for (target, span) in targets {
                        unit.passes.push(Pass {
                            passer: r.address.clone(),
                            attribute: attribute.clone(),
                            span,
                            service: passer.service.clone(),
                            principals: passer.principals.clone(),
                            target,
                            hops: hops.clone(),
                            ambiguity: None,
                            exists_when: None,
                        });
                    }
                }
            }
        }
    }
    // SAM hands the role it generates to the function or state machine.
    for (i, def) in t.roles.iter().enumerate() {
        if !def.generated {
            continue;
        }
        let Some(r) = t.resources.get(def.resource) else {
            continue;
        };
        let Some(passer) = catalog
            .cloudformation
            .iter()
            .find(|p| p.resource == r.ty && p.path.len() == 1 && p.path[0].name == "Role")
        else {
            continue;
        };
        unit.passes.push(Pass {
            passer: r.address.clone(),
            attribute: "Role".into(),
            span: r.key_span,
            service: passer.service.clone(),
            principals: passer.principals.clone(),
            target: RoleTarget::Role(i),
            hops: Vec::new(),
            ambiguity: None,
            exists_when: None,
        });
    }
}

fn exports(t: &Template, unit: &mut Unit) {
    let Some(NodeKind::Map(outputs)) = section(t.root, "Outputs").map(|n| &n.kind) else {
        return;
    };
    for (_, output) in outputs {
        let (Some((_, value)), Some((_, export))) = (output.get("Value"), output.get("Export"))
        else {
            continue;
        };
        let Some(name) = export.get("Name").and_then(|(_, n)| t.literal(n)) else {
            continue;
        };
        if let Some((target, span)) = t
            .targets(value, RoleReference::RoleArnOrName)
            .into_iter()
            .next()
        {
            unit.exports.push(Export { name, target, span });
        }
    }
}
