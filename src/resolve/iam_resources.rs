//! IAM resource knowledge (`rules/iam-resources.toml`, compiled in): which resource types define
//! identities, which can be given a policy, and how memberships are written. The sources keep how a
//! block is read; this says which types and attributes mean what, in one place.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::IdentityKind;

const BUILTIN_TOML: &str = include_str!("../../rules/iam-resources.toml");

/// The knowledge of the data file, per format.
#[derive(Debug)]
pub struct IamResources {
    /// Terraform configurations and plans.
    pub terraform: TerraformResources,
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerraform {
    principal_types: Vec<String>,
    identity: Vec<RawIdentity>,
    membership: Vec<RawMembership>,
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
    Ok(TerraformResources {
        principal_types: raw.principal_types,
        identities,
        memberships,
    })
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
    }
}
