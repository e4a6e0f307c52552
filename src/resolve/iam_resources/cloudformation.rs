//! The `[cloudformation]` section of `rules/iam-resources.toml`.

use serde::Deserialize;

use super::KindName;
use crate::model::IdentityKind;

/// CloudFormation (and SAM) resource knowledge.
#[derive(Debug)]
pub struct CloudFormationResources {
    /// Resource types whose `PolicyDocument` is an identity policy.
    pub policy_resources: Vec<String>,
    /// Resource types with `Policies: [{PolicyName, PolicyDocument}]`.
    pub inline_policy_resources: Vec<String>,
    pub identities: Vec<CfnIdentityType>,
    pub attachments: Vec<CfnAttachment>,
    pub self_attachments: Vec<CfnSelfAttachment>,
    pub sam_generated_roles: Vec<SamGeneratedRole>,
    pub nested_stacks: Vec<NestedStack>,
}

/// A resource type defining an identity other than a role, and the property holding its name.
#[derive(Debug)]
pub struct CfnIdentityType {
    pub resource: String,
    pub kind: IdentityKind,
    pub name_property: String,
}

/// A policy resource's properties naming principals; `list` when each holds several.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CfnAttachment {
    pub resource: String,
    pub properties: Vec<String>,
    pub list: bool,
}

/// A principal resource attaching the managed policies of `property` to itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CfnSelfAttachment {
    pub resource: String,
    pub property: String,
}

/// A SAM resource type that gets a generated role trusting `principal` when `Role` is absent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamGeneratedRole {
    pub resource: String,
    pub principal: String,
}

/// A resource type deploying another template, and the properties naming or holding it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NestedStack {
    pub resource: String,
    pub properties: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCloudFormation {
    policy_resources: Vec<String>,
    inline_policy_resources: Vec<String>,
    identity: Vec<RawCfnIdentity>,
    attachment: Vec<CfnAttachment>,
    self_attachment: Vec<CfnSelfAttachment>,
    sam_generated_role: Vec<SamGeneratedRole>,
    nested_stack: Vec<NestedStack>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCfnIdentity {
    resource: String,
    kind: KindName,
    name_property: String,
}

impl CloudFormationResources {
    /// The identity type a resource type defines, if it defines one.
    pub fn identity(&self, resource: &str) -> Option<&CfnIdentityType> {
        self.identities.iter().find(|i| i.resource == resource)
    }

    /// The identity type defining identities of `kind`.
    pub fn identity_of_kind(&self, kind: IdentityKind) -> Option<&CfnIdentityType> {
        self.identities.iter().find(|i| i.kind == kind)
    }

    pub fn attachment(&self, resource: &str) -> Option<&CfnAttachment> {
        self.attachments.iter().find(|a| a.resource == resource)
    }

    pub fn self_attachment(&self, resource: &str) -> Option<&CfnSelfAttachment> {
        self.self_attachments
            .iter()
            .find(|a| a.resource == resource)
    }

    pub fn sam_generated_role(&self, resource: &str) -> Option<&SamGeneratedRole> {
        self.sam_generated_roles
            .iter()
            .find(|s| s.resource == resource)
    }

    pub fn nested_stack(&self, resource: &str) -> Option<&NestedStack> {
        self.nested_stacks.iter().find(|n| n.resource == resource)
    }
}

/// Refuses a name list with an empty or repeated entry.
fn distinct_names<'n>(
    section: &str,
    names: impl IntoIterator<Item = &'n str>,
) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    for name in names {
        if name.trim().is_empty() {
            return Err(format!("[cloudformation] {section}: a name is empty"));
        }
        if seen.contains(&name) {
            return Err(format!(
                "[cloudformation] {section}: {name} is listed twice"
            ));
        }
        seen.push(name);
    }
    Ok(())
}

/// Checks every entry of the section: names non-empty, each resource type once per table, each
/// identity kind once, every property list non-empty.
pub(super) fn cloudformation_section(
    raw: RawCloudFormation,
) -> Result<CloudFormationResources, String> {
    distinct_names(
        "policy_resources",
        raw.policy_resources.iter().map(String::as_str),
    )?;
    distinct_names(
        "inline_policy_resources",
        raw.inline_policy_resources.iter().map(String::as_str),
    )?;
    distinct_names("identity", raw.identity.iter().map(|i| i.resource.as_str()))?;
    distinct_names(
        "identity name_property",
        raw.identity.iter().map(|i| i.name_property.as_str()),
    )?;
    let mut identities: Vec<CfnIdentityType> = Vec::new();
    for i in raw.identity {
        let kind = IdentityKind::from(i.kind);
        if identities.iter().any(|o| o.kind == kind) {
            return Err(format!(
                "[[cloudformation.identity]] {}: the kind {} is already listed",
                i.resource,
                kind.as_str()
            ));
        }
        identities.push(CfnIdentityType {
            resource: i.resource,
            kind,
            name_property: i.name_property,
        });
    }
    distinct_names(
        "attachment",
        raw.attachment.iter().map(|a| a.resource.as_str()),
    )?;
    for a in &raw.attachment {
        if a.properties.is_empty() {
            return Err(format!(
                "[[cloudformation.attachment]] {}: properties is empty",
                a.resource
            ));
        }
        distinct_names(
            "attachment properties",
            a.properties.iter().map(String::as_str),
        )?;
    }
    distinct_names(
        "self_attachment",
        raw.self_attachment.iter().map(|a| a.resource.as_str()),
    )?;
    // Several types share one property name (`ManagedPolicyArns`): only emptiness is refused.
    if let Some(a) = raw
        .self_attachment
        .iter()
        .find(|a| a.property.trim().is_empty())
    {
        return Err(format!(
            "[[cloudformation.self_attachment]] {}: the property is empty",
            a.resource
        ));
    }
    distinct_names(
        "sam_generated_role",
        raw.sam_generated_role.iter().map(|s| s.resource.as_str()),
    )?;
    for s in &raw.sam_generated_role {
        if !s.principal.ends_with(".amazonaws.com") {
            return Err(format!(
                "[[cloudformation.sam_generated_role]] {}: {} is not a service principal",
                s.resource, s.principal
            ));
        }
    }
    distinct_names(
        "nested_stack",
        raw.nested_stack.iter().map(|n| n.resource.as_str()),
    )?;
    for n in &raw.nested_stack {
        if n.properties.is_empty() {
            return Err(format!(
                "[[cloudformation.nested_stack]] {}: properties is empty",
                n.resource
            ));
        }
        distinct_names(
            "nested_stack properties",
            n.properties.iter().map(String::as_str),
        )?;
    }
    Ok(CloudFormationResources {
        policy_resources: raw.policy_resources,
        inline_policy_resources: raw.inline_policy_resources,
        identities,
        attachments: raw.attachment,
        self_attachments: raw.self_attachment,
        sam_generated_roles: raw.sam_generated_role,
        nested_stacks: raw.nested_stack,
    })
}
