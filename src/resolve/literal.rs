//! How a role written as a string is read, the same for every source: the value a passer's attribute
//! holds (a role ARN, a role name, an instance profile name or ARN) becomes a [`RoleTarget`] that
//! `resolve` later links to the roles of the scan.
//!
//! The sources keep what is format-specific: reading the node (a null, an unknown, an empty string
//! mean different things in Terraform, a plan and a template) and linking to their own resources
//! first (a template's role by its `RoleName`). What a string names is decided here only.

use crate::model::RoleTarget;
use crate::resolve::catalog::RoleReference;
use crate::value::{Text, TextPart};

/// Whether a string is written as an ARN: its first piece is literal and starts with `arn:` (the
/// partition, region or account after it may be unknown).
pub fn starts_with_arn(text: &Text) -> bool {
    matches!(text.parts.first(), Some(TextPart::Lit(s)) if s.starts_with("arn:"))
}

/// The target a string names under `reference`.
///
/// An instance profile reference is a profile name or ARN whatever it looks like (EC2 accepts both);
/// any other reference is a role ARN when the string is written as one, else a role name. A service
/// that only takes ARNs given a name is not judged here: the name still identifies the role meant.
pub fn literal_target(text: &Text, reference: RoleReference) -> RoleTarget {
    match reference {
        RoleReference::InstanceProfile => RoleTarget::ProfileName(text.clone()),
        _ if starts_with_arn(text) => RoleTarget::Arn(text.clone()),
        _ => RoleTarget::Name(text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE_REFERENCES: [RoleReference; 3] = [
        RoleReference::RoleArn,
        RoleReference::RoleName,
        RoleReference::RoleArnOrName,
    ];

    fn partly_unknown(prefix: &str, unknown: &str, suffix: &str) -> Text {
        Text {
            parts: vec![
                TextPart::Lit(prefix.into()),
                TextPart::Unknown(unknown.into()),
                TextPart::Lit(suffix.into()),
            ],
        }
    }

    #[test]
    fn role_arns_are_arns_for_every_role_reference() {
        let arn = Text::lit("arn:aws:iam::123456789012:role/app");
        for reference in ROLE_REFERENCES {
            assert_eq!(
                literal_target(&arn, reference),
                RoleTarget::Arn(arn.clone())
            );
        }
    }

    #[test]
    fn plain_strings_are_role_names_for_every_role_reference() {
        let name = Text::lit("app");
        for reference in ROLE_REFERENCES {
            assert_eq!(
                literal_target(&name, reference),
                RoleTarget::Name(name.clone())
            );
        }
    }

    #[test]
    fn instance_profile_references_are_profiles_whether_name_or_arn() {
        for written in [
            "arn:aws:iam::123456789012:instance-profile/web",
            "web",
            "arn:aws:iam::123456789012:role/app",
        ] {
            let text = Text::lit(written);
            assert_eq!(
                literal_target(&text, RoleReference::InstanceProfile),
                RoleTarget::ProfileName(text.clone())
            );
        }
    }

    #[test]
    fn an_arn_with_an_unknown_account_is_still_an_arn() {
        let arn = partly_unknown("arn:aws:iam::", "var.account", ":role/app");
        assert!(starts_with_arn(&arn));
        assert_eq!(
            literal_target(&arn, RoleReference::RoleArn),
            RoleTarget::Arn(arn.clone())
        );
    }

    #[test]
    fn a_string_starting_with_an_unknown_part_is_a_name() {
        // `${var.prefix}arn:...` is not known to be an ARN: the unknown part could be anything.
        let text = Text {
            parts: vec![
                TextPart::Unknown("var.prefix".into()),
                TextPart::Lit("arn:aws:iam::123456789012:role/app".into()),
            ],
        };
        assert!(!starts_with_arn(&text));
        assert_eq!(
            literal_target(&text, RoleReference::RoleArnOrName),
            RoleTarget::Name(text.clone())
        );
        let named = partly_unknown("app-", "var.env", "-role");
        assert_eq!(
            literal_target(&named, RoleReference::RoleName),
            RoleTarget::Name(named.clone())
        );
    }

    #[test]
    fn empty_strings_are_left_to_the_source() {
        // Whether an empty string passes nothing is the source's reading (Terraform's empty
        // attribute is unset); here it is only what it is written as.
        let empty = Text::lit("");
        assert!(!starts_with_arn(&empty));
        assert_eq!(
            literal_target(&empty, RoleReference::RoleName),
            RoleTarget::Name(empty.clone())
        );
        assert_eq!(
            literal_target(&Text { parts: vec![] }, RoleReference::RoleArn),
            RoleTarget::Name(Text { parts: vec![] })
        );
    }
}
