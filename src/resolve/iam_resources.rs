//! IAM resource knowledge (`rules/iam-resources.toml`, compiled in): which resource types define
//! identities, which can be given a policy, and how memberships are written. The sources keep how a
//! block is read; this says which types and attributes mean what, in one place.

mod cloudformation;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::IdentityKind;
pub use cloudformation::{
    CfnAttachment, CfnIdentityType, CfnSelfAttachment, CloudFormationResources, NestedStack,
    SamGeneratedRole,
};

const BUILTIN_TOML: &str = include_str!("../../rules/iam-resources.toml");

/// The knowledge of the data file, per format.
#[derive(Debug)]
pub struct IamResources {
    /// Terraform configurations and plans.
    pub terraform: TerraformResources,
    /// CloudFormation templates (with the SAM transform's types).
    pub cloudformation: CloudFormationResources,
}

/// The `[terraform]` section.
#[derive(Debug)]
pub struct TerraformResources {
    /// Resource types a policy can be given to.
    pub principal_types: Vec<String>,
    /// Resource types that define identities other than roles.
    pub identities: Vec<IdentityType>,
    /// Resources that put users in groups.
    pub memberships: Vec<Membership>,
    /// Attributes that hold identity policy documents.
    pub policy_holders: Vec<PolicyHolder>,
    /// Resources that give one policy to principals.
    pub attachments: Vec<Attachment>,
    /// Resources that set all the managed policies of one principal.
    pub exclusive_attachments: Vec<ExclusiveAttachment>,
    /// Principal resources that attach managed policies to themselves.
    pub self_attachments: Vec<SelfAttachment>,
}

/// An attribute holding an identity policy document: its path, the leading steps naming blocks.
#[derive(Debug)]
pub struct PolicyHolder {
    pub resource: String,
    pub path: Vec<String>,
}

/// A resource giving one policy to the principals its `principals` attributes name; the policy is
/// the resource itself when `policy_attribute` is `None`.
#[derive(Debug)]
pub struct Attachment {
    pub resource: String,
    pub principals: Vec<String>,
    pub policy_attribute: Option<String>,
}

/// A resource setting all the managed policies (`policies_attribute`) of one principal.
#[derive(Debug)]
pub struct ExclusiveAttachment {
    pub resource: String,
    pub principal: String,
    pub policies_attribute: String,
}

/// A principal resource attaching the managed policies of `policies_attribute` to itself.
#[derive(Debug)]
pub struct SelfAttachment {
    pub resource: String,
    pub policies_attribute: String,
}

/// A resource that attaches managed policies by ARN, whatever its shape: the attribute holding the
/// ARN(s) and the attributes naming the principals (none: the resource itself holds them).
#[derive(Debug, Clone, Copy)]
pub struct ManagedAttachment<'a> {
    pub resource: &'a str,
    pub policy_attribute: &'a str,
    pub principals: &'a [String],
}

/// A resource type that defines an identity other than a role.
#[derive(Debug)]
pub struct IdentityType {
    pub resource: String,
    pub kind: IdentityKind,
}

/// A membership resource: one principal (`holder_attribute`) and the others it is joined with
/// (`members_attribute`).
#[derive(Debug)]
pub struct Membership {
    pub resource: String,
    pub holder_attribute: String,
    pub holder_kind: IdentityKind,
    pub members_attribute: String,
    pub members_kind: IdentityKind,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    terraform: RawTerraform,
    cloudformation: cloudformation::RawCloudFormation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerraform {
    principal_types: Vec<String>,
    identity: Vec<RawIdentity>,
    membership: Vec<RawMembership>,
    policy_holder: Vec<RawPolicyHolder>,
    attachment: Vec<RawAttachment>,
    exclusive_attachment: Vec<RawExclusiveAttachment>,
    self_attachment: Vec<RawSelfAttachment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicyHolder {
    resource: String,
    attribute: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttachment {
    resource: String,
    principals: Vec<String>,
    policy_attribute: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusiveAttachment {
    resource: String,
    principal: String,
    policies_attribute: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelfAttachment {
    resource: String,
    policies_attribute: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    resource: String,
    kind: KindName,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMembership {
    resource: String,
    holder_attribute: String,
    holder_kind: KindName,
    members_attribute: String,
    members_kind: KindName,
}

/// An identity kind as the file spells it.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
    User,
    Group,
    PermissionSet,
}

impl From<KindName> for IdentityKind {
    fn from(kind: KindName) -> IdentityKind {
        match kind {
            KindName::User => IdentityKind::User,
            KindName::Group => IdentityKind::Group,
            KindName::PermissionSet => IdentityKind::PermissionSet,
        }
    }
}

impl IamResources {
    /// The built-in data file, read once.
    pub fn builtin() -> &'static IamResources {
        static BUILTIN: OnceLock<IamResources> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The file is compiled in and a test loads it: failing here is a bug, not an input error.
            IamResources::from_toml(BUILTIN_TOML)
                .unwrap_or_else(|e| panic!("the built-in rules/iam-resources.toml is invalid: {e}"))
        })
    }

    /// Reads and checks a data file; the error says which entry is wrong and why.
    pub fn from_toml(text: &str) -> Result<IamResources, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(IamResources {
            terraform: terraform_section(raw.terraform)?,
            cloudformation: cloudformation::cloudformation_section(raw.cloudformation)?,
        })
    }
}

impl TerraformResources {
    /// The resource type defining identities of `kind`.
    pub fn identity_type(&self, kind: IdentityKind) -> Option<&str> {
        self.identities
            .iter()
            .find(|i| i.kind == kind)
            .map(|i| i.resource.as_str())
    }

    /// The identity kind a resource type defines, if it defines one.
    pub fn identity_kind(&self, resource: &str) -> Option<IdentityKind> {
        self.identities
            .iter()
            .find(|i| i.resource == resource)
            .map(|i| i.kind)
    }

    /// Every resource that attaches managed policies by ARN: the attachments naming a policy
    /// attribute, then the self attachments, then the exclusive ones (the order plans report them).
    pub fn managed_attachments(&self) -> Vec<ManagedAttachment<'_>> {
        let single = self.attachments.iter().filter_map(|a| {
            Some(ManagedAttachment {
                resource: &a.resource,
                policy_attribute: a.policy_attribute.as_deref()?,
                principals: &a.principals,
            })
        });
        let to_itself = self.self_attachments.iter().map(|a| ManagedAttachment {
            resource: &a.resource,
            policy_attribute: &a.policies_attribute,
            principals: &[],
        });
        let exclusive = self
            .exclusive_attachments
            .iter()
            .map(|a| ManagedAttachment {
                resource: &a.resource,
                policy_attribute: &a.policies_attribute,
                principals: std::slice::from_ref(&a.principal),
            });
        single.chain(to_itself).chain(exclusive).collect()
    }

    /// The membership shape of a resource type, if it is a membership resource.
    pub fn membership(&self, resource: &str) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.resource == resource)
    }
}

fn terraform_section(raw: RawTerraform) -> Result<TerraformResources, String> {
    let mut types_seen: Vec<&str> = Vec::new();
    let check_type = |section: &str, resource: &str| -> Result<(), String> {
        if resource.trim().is_empty() {
            return Err(format!("[[terraform.{section}]]: a resource type is empty"));
        }
        Ok(())
    };
    for ty in &raw.principal_types {
        check_type("principal_types", ty)?;
        if types_seen.contains(&ty.as_str()) {
            return Err(format!("terraform.principal_types lists {ty} twice"));
        }
        types_seen.push(ty);
    }
    let mut identities: Vec<IdentityType> = Vec::new();
    for i in raw.identity {
        check_type("identity", &i.resource)?;
        let kind = IdentityKind::from(i.kind);
        if identities
            .iter()
            .any(|o| o.kind == kind || o.resource == i.resource)
        {
            return Err(format!(
                "[[terraform.identity]] {}: its resource or kind ({}) is already listed",
                i.resource,
                kind.as_str()
            ));
        }
        identities.push(IdentityType {
            resource: i.resource,
            kind,
        });
    }
    let mut memberships: Vec<Membership> = Vec::new();
    for m in raw.membership {
        check_type("membership", &m.resource)?;
        let (holder_kind, members_kind) =
            (IdentityKind::from(m.holder_kind), m.members_kind.into());
        if holder_kind == members_kind {
            return Err(format!(
                "[[terraform.membership]] {}: holder_kind and members_kind are both {}",
                m.resource,
                holder_kind.as_str()
            ));
        }
        if m.holder_attribute.is_empty() || m.members_attribute.is_empty() {
            return Err(format!(
                "[[terraform.membership]] {}: an attribute is empty",
                m.resource
            ));
        }
        if memberships.iter().any(|o| o.resource == m.resource) {
            return Err(format!(
                "[[terraform.membership]] {} is listed twice",
                m.resource
            ));
        }
        memberships.push(Membership {
            resource: m.resource,
            holder_attribute: m.holder_attribute,
            holder_kind,
            members_attribute: m.members_attribute,
            members_kind,
        });
    }
    let shapes = attachment_shapes(
        raw.policy_holder,
        raw.attachment,
        raw.exclusive_attachment,
        raw.self_attachment,
    )?;
    Ok(TerraformResources {
        principal_types: raw.principal_types,
        identities,
        memberships,
        policy_holders: shapes.0,
        attachments: shapes.1,
        exclusive_attachments: shapes.2,
        self_attachments: shapes.3,
    })
}

type AttachmentShapes = (
    Vec<PolicyHolder>,
    Vec<Attachment>,
    Vec<ExclusiveAttachment>,
    Vec<SelfAttachment>,
);

/// Checks the policy holders and attachments: every name non-empty, every resource once per
/// section, and an attachment that holds its policy listed among the policy holders.
fn attachment_shapes(
    holders: Vec<RawPolicyHolder>,
    attachments: Vec<RawAttachment>,
    exclusive: Vec<RawExclusiveAttachment>,
    to_itself: Vec<RawSelfAttachment>,
) -> Result<AttachmentShapes, String> {
    let nonempty = |section: &str, resource: &str, names: &[&str]| -> Result<(), String> {
        if resource.trim().is_empty() || names.iter().any(|n| n.trim().is_empty()) {
            return Err(format!(
                "[[terraform.{section}]] {resource}: a resource type or attribute is empty"
            ));
        }
        Ok(())
    };
    let mut policy_holders: Vec<PolicyHolder> = Vec::new();
    for h in holders {
        let path: Vec<String> = h.attribute.split('.').map(String::from).collect();
        let steps: Vec<&str> = path.iter().map(String::as_str).collect();
        nonempty("policy_holder", &h.resource, &steps)?;
        if policy_holders.iter().any(|o| o.resource == h.resource) {
            return Err(format!(
                "[[terraform.policy_holder]] {} is listed twice",
                h.resource
            ));
        }
        policy_holders.push(PolicyHolder {
            resource: h.resource,
            path,
        });
    }
    let mut out: Vec<Attachment> = Vec::new();
    for a in attachments {
        let mut names: Vec<&str> = a.principals.iter().map(String::as_str).collect();
        names.extend(a.policy_attribute.as_deref());
        nonempty("attachment", &a.resource, &names)?;
        if a.principals.is_empty() {
            return Err(format!(
                "[[terraform.attachment]] {}: principals is empty",
                a.resource
            ));
        }
        if out.iter().any(|o| o.resource == a.resource) {
            return Err(format!(
                "[[terraform.attachment]] {} is listed twice",
                a.resource
            ));
        }
        if a.policy_attribute.is_none() && !policy_holders.iter().any(|h| h.resource == a.resource)
        {
            return Err(format!(
                "[[terraform.attachment]] {} holds its policy (no policy_attribute) but is not a \
                 [[terraform.policy_holder]]",
                a.resource
            ));
        }
        out.push(Attachment {
            resource: a.resource,
            principals: a.principals,
            policy_attribute: a.policy_attribute,
        });
    }
    let mut exclusive_out: Vec<ExclusiveAttachment> = Vec::new();
    for e in exclusive {
        nonempty(
            "exclusive_attachment",
            &e.resource,
            &[&e.principal, &e.policies_attribute],
        )?;
        if exclusive_out.iter().any(|o| o.resource == e.resource) {
            return Err(format!(
                "[[terraform.exclusive_attachment]] {} is listed twice",
                e.resource
            ));
        }
        exclusive_out.push(ExclusiveAttachment {
            resource: e.resource,
            principal: e.principal,
            policies_attribute: e.policies_attribute,
        });
    }
    let mut self_out: Vec<SelfAttachment> = Vec::new();
    for a in to_itself {
        nonempty("self_attachment", &a.resource, &[&a.policies_attribute])?;
        self_out.push(SelfAttachment {
            resource: a.resource,
            policies_attribute: a.policies_attribute,
        });
    }
    Ok((policy_holders, out, exclusive_out, self_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_file_loads() {
        let tf = &IamResources::builtin().terraform;
        assert_eq!(tf.identity_type(IdentityKind::Group), Some("aws_iam_group"));
        assert_eq!(
            tf.identity_kind("aws_ssoadmin_permission_set"),
            Some(IdentityKind::PermissionSet)
        );
        assert_eq!(tf.identity_kind("aws_iam_role"), None);
        let m = tf.membership("aws_iam_group_membership").unwrap();
        assert_eq!(
            (m.holder_attribute.as_str(), m.members_kind),
            ("group", IdentityKind::User)
        );
        assert!(tf.principal_types.iter().any(|t| t == "aws_iam_role"));
        let inline = tf
            .policy_holders
            .iter()
            .find(|h| h.resource == "aws_iam_role")
            .unwrap();
        assert_eq!(inline.path, ["inline_policy", "policy"]);
        let managed = tf.managed_attachments();
        let shown: Vec<(&str, &str, usize)> = managed
            .iter()
            .map(|m| (m.resource, m.policy_attribute, m.principals.len()))
            .collect();
        assert!(shown.contains(&("aws_iam_policy_attachment", "policy_arn", 3)));
        assert!(shown.contains(&("aws_iam_role", "managed_policy_arns", 0)));
        assert!(shown.contains(&(
            "aws_iam_user_policy_attachments_exclusive",
            "policy_arns",
            1
        )));
        // Attachments holding their policy inline attach nothing by ARN.
        assert!(!shown.iter().any(|(r, ..)| *r == "aws_iam_role_policy"));
        let cfn = &IamResources::builtin().cloudformation;
        assert_eq!(
            cfn.identity("AWS::SSO::PermissionSet")
                .map(|i| i.name_property.as_str()),
            Some("Name")
        );
        assert!(
            cfn.attachment("AWS::IAM::RolePolicy")
                .is_some_and(|a| !a.list)
        );
        assert_eq!(
            cfn.sam_generated_role("AWS::Serverless::StateMachine")
                .map(|s| s.principal.as_str()),
            Some("states.amazonaws.com")
        );
        assert!(cfn.nested_stack("AWS::CloudFormation::StackSet").is_some());
        assert!(cfn.self_attachment("AWS::SSO::PermissionSet").is_some());
    }

    #[test]
    fn malformed_cloudformation_entries_are_refused() {
        refused(
            &VALID.replace(
                "inline_policy_resources = [\"AWS::IAM::Role\"]",
                "inline_policy_resources = [\"\"]",
            ),
            "empty",
        );
        refused(
            &VALID.replace("properties = [\"Roles\"]", "properties = []"),
            "properties is empty",
        );
        refused(
            &VALID.replace(
                "principal = \"lambda.amazonaws.com\"",
                "principal = \"lambda\"",
            ),
            "not a service principal",
        );
        refused(
            &VALID.replace(
                "properties = [\"TemplateURL\"]",
                "properties = [\"TemplateURL\", \"TemplateURL\"]",
            ),
            "twice",
        );
        refused(&VALID.replace("list = true", "list = \"yes\""), "list");
        refused(
            &VALID.replace("property = \"ManagedPolicyArns\"", "property = \"\""),
            "the property is empty",
        );
        refused(
            &format!(
                "{VALID}[[cloudformation.identity]]\nresource = \"AWS::IAM::Group\"\nkind = \"user\"\nname_property = \"GroupName\"\n"
            ),
            "already listed",
        );
    }

    const VALID: &str = r#"
[terraform]
principal_types = ["aws_iam_role"]
[[terraform.identity]]
resource = "aws_iam_user"
kind = "user"
[[terraform.membership]]
resource = "m"
holder_attribute = "group"
holder_kind = "group"
members_attribute = "users"
members_kind = "user"
[[terraform.policy_holder]]
resource = "aws_iam_role_policy"
attribute = "policy"
[[terraform.attachment]]
resource = "aws_iam_role_policy"
principals = ["role"]
[[terraform.attachment]]
resource = "aws_iam_role_policy_attachment"
principals = ["role"]
policy_attribute = "policy_arn"
[[terraform.exclusive_attachment]]
resource = "x"
principal = "role_name"
policies_attribute = "policy_arns"
[[terraform.self_attachment]]
resource = "aws_iam_role"
policies_attribute = "managed_policy_arns"
[cloudformation]
policy_resources = ["AWS::IAM::Policy"]
inline_policy_resources = ["AWS::IAM::Role"]
[[cloudformation.identity]]
resource = "AWS::IAM::User"
kind = "user"
name_property = "UserName"
[[cloudformation.attachment]]
resource = "AWS::IAM::Policy"
properties = ["Roles"]
list = true
[[cloudformation.self_attachment]]
resource = "AWS::IAM::Role"
property = "ManagedPolicyArns"
[[cloudformation.sam_generated_role]]
resource = "AWS::Serverless::Function"
principal = "lambda.amazonaws.com"
[[cloudformation.nested_stack]]
resource = "AWS::CloudFormation::Stack"
properties = ["TemplateURL"]
"#;

    fn refused(text: &str, says: &str) {
        match IamResources::from_toml(text) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => assert!(e.contains(says), "{e} does not say {says}"),
        }
    }

    #[test]
    fn a_valid_file_loads() {
        assert!(IamResources::from_toml(VALID).is_ok());
    }

    #[test]
    fn malformed_entries_are_refused() {
        refused(
            &VALID.replace("kind = \"user\"", "kind = \"robot\""),
            "robot",
        );
        refused(
            &VALID.replace("kind = \"user\"", "kind = \"user\"\nextra = 1"),
            "extra",
        );
        refused(
            &VALID.replace("members_kind = \"user\"", "members_kind = \"group\""),
            "both group",
        );
        refused(
            &VALID.replace("holder_attribute = \"group\"", "holder_attribute = \"\""),
            "attribute is empty",
        );
        refused(
            &VALID.replace("[\"aws_iam_role\"]", "[\"aws_iam_role\", \"aws_iam_role\"]"),
            "twice",
        );
        refused(
            &VALID.replace("resource = \"aws_iam_user\"", "resource = \"\""),
            "empty",
        );
        refused(
            &format!(
                "{VALID}[[terraform.identity]]\nresource = \"aws_iam_group\"\nkind = \"user\"\n"
            ),
            "already listed",
        );
        refused(
            &VALID.replace("attribute = \"policy\"", "attribute = \"inline_policy.\""),
            "empty",
        );
        refused(
            &VALID.replace(
                "resource = \"aws_iam_role_policy\"\nattribute",
                "resource = \"other\"\nattribute",
            ),
            "not a [[terraform.policy_holder]]",
        );
        refused(
            &VALID.replace(
                "principals = [\"role\"]\npolicy_attribute",
                "principals = []\npolicy_attribute",
            ),
            "principals is empty",
        );
        refused(
            &VALID.replace("principal = \"role_name\"", "principal = \"\""),
            "empty",
        );
        refused(
            &VALID.replace(
                "policies_attribute = \"policy_arns\"",
                "policies = \"policy_arns\"",
            ),
            "policies",
        );
    }
}
