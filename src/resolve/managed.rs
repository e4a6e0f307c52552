//! AWS managed policies that grant `iam:PassRole` (`rules/managed-policies.toml`, compiled in).
//!
//! An AWS managed policy attached by ARN is a grant the scan cannot read: its text is AWS's. The data
//! file holds the statements of each such policy that grant PassRole, and the sources turn an
//! attachment of one of them into an identity policy whose every element is spanned at the ARN
//! expression of the attachment, so that PR010-PR016 point there. A policy the file does not list is
//! taken to grant no PassRole (the file says it lists them all).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::iam::policy::{PolicyDocument, PolicyValue};
use crate::model::{AWS_MANAGED_POLICY_MARK, IdentityPolicy, Unit};
use crate::value::{Key, Node, NodeKind, Span, Text, TextPart};

const BUILTIN_TOML: &str = include_str!("../../rules/managed-policies.toml");

/// The partitions an AWS managed policy ARN may be written in.
const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"];

/// The ARN prefix after the partition: AWS managed policies belong to the account `aws`.
const MANAGED_PREFIX: &str = ":iam::aws:policy/";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    policy: Vec<ManagedPolicy>,
}

/// One AWS managed policy of the data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    pub name: String,
    /// The ARN in the `aws` partition.
    pub arn: String,
    /// The AWS page the statements were read from.
    pub source: String,
    /// The default policy version the statements were read from.
    pub version: Option<String>,
    /// The statements that grant `iam:PassRole`, in IAM JSON shape.
    #[serde(default)]
    pub statements: Vec<toml::Table>,
    /// For a policy known to grant `iam:PassRole` whose statements are not recorded yet: why it is
    /// listed. Its attachments are a coverage note (PR016) rather than silent.
    pub unchecked: Option<String>,
}

/// The managed policies of the data file.
#[derive(Debug)]
pub struct ManagedPolicies {
    pub policies: Vec<ManagedPolicy>,
}

impl ManagedPolicies {
    /// The built-in data file, parsed once.
    pub fn builtin() -> &'static ManagedPolicies {
        static BUILTIN: OnceLock<ManagedPolicies> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The file is compiled in and a test loads it: failing here is a bug, not an input error.
            ManagedPolicies::from_toml(BUILTIN_TOML)
                .expect("the built-in rules/managed-policies.toml is invalid")
        })
    }

    /// Parses the data file and checks that every ARN is an AWS managed policy ARN.
    pub fn from_toml(text: &str) -> Result<ManagedPolicies, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for p in &raw.policy {
            let Some(tail) = p.arn.strip_prefix("arn:aws:iam::aws:policy/") else {
                return Err(format!(
                    "{}: the ARN is not an AWS managed policy ARN",
                    p.name
                ));
            };
            if tail.rsplit('/').next() != Some(p.name.as_str()) {
                return Err(format!("{}: the ARN does not end in the name", p.name));
            }
            if p.statements.is_empty() == p.unchecked.is_none() {
                return Err(format!(
                    "{}: give either the statements or why they are unchecked",
                    p.name
                ));
            }
            if !p.statements.is_empty() && p.version.is_none() {
                return Err(format!("{}: the policy version read is missing", p.name));
            }
            if !p.source.starts_with("https://docs.aws.amazon.com/") {
                return Err(format!(
                    "{}: the source is not an AWS documentation page",
                    p.name
                ));
            }
        }
        Ok(ManagedPolicies {
            policies: raw.policy,
        })
    }

    /// The policy an ARN names, when the ARN is an AWS managed policy of the file: the partition may
    /// be a literal or a value that cannot be known statically (`${AWS::Partition}`,
    /// `data.aws_partition.current.partition`); the path and name must be literal.
    pub fn by_arn(&self, arn: &Text) -> Option<&ManagedPolicy> {
        let tail = managed_tail(arn)?;
        self.policies
            .iter()
            .find(|p| p.arn.strip_prefix("arn:aws:iam::aws:policy/") == Some(tail.as_str()))
    }
}

/// `path/name` of an AWS managed policy ARN, when the text is one.
fn managed_tail(arn: &Text) -> Option<String> {
    let mut parts = arn.parts.iter();
    let (partition, rest) = match parts.next()? {
        TextPart::Lit(first) => {
            let after = first.strip_prefix("arn:")?;
            if after.is_empty() {
                // `arn:${partition}...`: the partition is the next, unknown, part.
                match parts.next()? {
                    TextPart::Unknown(_) => (None, String::new()),
                    TextPart::Lit(_) => return None,
                }
            } else {
                let (p, rest) = after.split_once(':')?;
                (Some(p.to_string()), format!(":{rest}"))
            }
        }
        TextPart::Unknown(_) => return None,
    };
    if partition
        .as_deref()
        .is_some_and(|p| !PARTITIONS.contains(&p))
    {
        return None;
    }
    // The rest must be literal.
    let mut rest = rest;
    for p in parts {
        match p {
            TextPart::Lit(s) => rest.push_str(s),
            TextPart::Unknown(_) => return None,
        }
    }
    rest.strip_prefix(MANAGED_PREFIX).map(str::to_string)
}

impl ManagedPolicy {
    /// The policy's PassRole statements as a policy document, every element spanned at `span` (the
    /// attachment's ARN expression: the only place in the scan that stands for the policy).
    pub fn document(&self, span: Span) -> Node {
        if let Some(why) = &self.unchecked {
            let reason = format!(
                "the AWS managed policy {} is not recorded in rules/managed-policies.toml ({why})",
                self.name
            );
            return Node::new(NodeKind::Unknown(reason), span);
        }
        let statements = self
            .statements
            .iter()
            .map(|t| table_node(t, span))
            .collect();
        let key = Key {
            name: "Statement".into(),
            span,
        };
        Node::new(
            NodeKind::Map(vec![
                (
                    Key {
                        name: "Version".into(),
                        span,
                    },
                    Node::str("2012-10-17", span),
                ),
                (key, Node::new(NodeKind::List(statements), span)),
            ]),
            span,
        )
    }

    /// How findings name the policy held through an attachment.
    pub fn shown(&self, via: &str) -> String {
        format!("{via}{AWS_MANAGED_POLICY_MARK}{})", self.name)
    }

    /// Adds the policy's statements to `unit` as an identity policy held through `via` (once: two
    /// attachments of one policy by one resource are one grant) and returns its address.
    pub fn add_to(&self, unit: &mut Unit, via: &str, attribute: &str, span: Span) -> String {
        let address = self.shown(via);
        if !unit.policies.iter().any(|p| p.address == address) {
            let document = PolicyDocument::from_node(&self.document(span)).unwrap_or_else(|e| {
                PolicyValue::Unknown {
                    reason: e.message,
                    span,
                }
            });
            unit.policies.push(IdentityPolicy {
                partial: None,
                address: address.clone(),
                attribute: attribute.to_string(),
                document,
            });
        }
        address
    }
}

fn table_node(table: &toml::Table, span: Span) -> Node {
    let entries = table
        .iter()
        .map(|(k, v)| {
            (
                Key {
                    name: k.clone(),
                    span,
                },
                value_node(v, span),
            )
        })
        .collect();
    Node::new(NodeKind::Map(entries), span)
}

fn value_node(value: &toml::Value, span: Span) -> Node {
    match value {
        toml::Value::String(s) => Node::str(s.clone(), span),
        toml::Value::Integer(i) => Node::new(NodeKind::Number(i.to_string()), span),
        toml::Value::Float(f) => Node::new(NodeKind::Number(f.to_string()), span),
        toml::Value::Boolean(b) => Node::new(NodeKind::Bool(*b), span),
        toml::Value::Datetime(d) => Node::str(d.to_string(), span),
        toml::Value::Array(items) => Node::new(
            NodeKind::List(items.iter().map(|v| value_node(v, span)).collect()),
            span,
        ),
        toml::Value::Table(t) => table_node(t, span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::{PolicyDocument, PolicyValue};
    use crate::value::FileId;

    fn text(parts: &[(bool, &str)]) -> Text {
        Text {
            parts: parts
                .iter()
                .map(|(lit, s)| {
                    if *lit {
                        TextPart::Lit(s.to_string())
                    } else {
                        TextPart::Unknown(s.to_string())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn builtin_file_loads_and_every_policy_is_a_readable_document() {
        let all = ManagedPolicies::builtin();
        assert!(all.policies.iter().any(|p| p.name == "AdministratorAccess"));
        let span = Span::new(FileId(0), 0, 0);
        for p in &all.policies {
            match PolicyDocument::from_node(&p.document(span)) {
                Ok(PolicyValue::Known(doc)) => assert!(!doc.statements.is_empty(), "{}", p.name),
                Ok(PolicyValue::Unknown { .. }) if p.unchecked.is_some() => {}
                other => panic!("{}: {other:?}", p.name),
            }
        }
    }

    #[test]
    fn power_user_access_is_not_listed_as_granting_passrole() {
        let arn = Text::lit("arn:aws:iam::aws:policy/PowerUserAccess");
        assert!(ManagedPolicies::builtin().by_arn(&arn).is_none());
    }

    #[test]
    fn arns_match_in_any_partition_but_not_customer_policies() {
        let all = ManagedPolicies::builtin();
        let admin = |t: &Text| all.by_arn(t).map(|p| p.name.as_str());
        assert_eq!(
            admin(&Text::lit("arn:aws-cn:iam::aws:policy/AdministratorAccess")),
            Some("AdministratorAccess")
        );
        let sub = text(&[
            (true, "arn:"),
            (false, "AWS::Partition"),
            (true, ":iam::aws:policy/IAMFullAccess"),
        ]);
        assert_eq!(admin(&sub), Some("IAMFullAccess"));
        assert_eq!(
            admin(&Text::lit(
                "arn:aws:iam::123456789012:policy/AdministratorAccess"
            )),
            None
        );
        assert_eq!(
            admin(&Text::lit("arn:other:iam::aws:policy/AdministratorAccess")),
            None
        );
        let unknown_name = text(&[(true, "arn:aws:iam::aws:policy/"), (false, "var.name")]);
        assert_eq!(admin(&unknown_name), None);
    }

    #[test]
    fn entries_that_cannot_be_checked_are_refused() {
        let bad = "[[policy]]\nname = \"X\"\narn = \"arn:aws:iam::aws:policy/Y\"\n\
                   source = \"https://docs.aws.amazon.com/x\"\nversion = \"v1\"\n\
                   [[policy.statements]]\nEffect = \"Allow\"\n";
        assert!(ManagedPolicies::from_toml(bad).is_err());
        let neither = "[[policy]]\nname = \"Y\"\narn = \"arn:aws:iam::aws:policy/Y\"\n\
                       source = \"https://docs.aws.amazon.com/x\"\n";
        assert!(ManagedPolicies::from_toml(neither).is_err());
        let unchecked = format!("{neither}unchecked = \"documented to allow iam:PassRole\"\n");
        assert!(ManagedPolicies::from_toml(&unchecked).is_ok());
    }
}
