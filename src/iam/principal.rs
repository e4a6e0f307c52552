//! Service principals and the kinds of principal a policy can name.
//!
//! The same service is written many ways: `lambda.amazonaws.com`, `LAMBDA.amazonaws.com`,
//! `states.eu-west-1.amazonaws.com`, `ec2.amazonaws.com.cn`. Comparing a role's trust policy with an
//! `iam:PassedToService` condition only works once these spellings are reduced to one name.

/// Domain suffixes of service principals, longest first so that `.amazonaws.com.cn` is not mistaken for
/// a name ending in `.amazonaws.com`.
const SERVICE_SUFFIXES: [&str; 3] = [".amazonaws.com.cn", ".amazonaws.com", ".api.aws"];

/// Region labels may carry a partition qualifier: `us-gov-west-1`, `us-iso-east-1`, `us-isob-east-1`.
const PARTITION_QUALIFIERS: [&str; 5] = ["gov", "iso", "isob", "isof", "isoe"];

/// The canonical name of a service principal (`states.eu-west-1.amazonaws.com` → `states`), or `None`
/// when the value is not written as a service principal (an ARN, `*`, a bare domain).
///
/// The name is lowercased, the AWS domain suffix removed, and a trailing region label dropped when a
/// service name remains in front of it (regional endpoints name the same service). Every remaining
/// label must be a DNS label (`a-z`, `0-9`, `-`), so wildcards and ARNs are never taken for services.
pub fn service_principal_name(principal: &str) -> Option<String> {
    let lower = principal.to_ascii_lowercase();
    let name = strip_service_suffix(&lower)?;
    // A regional principal whose region is not known statically (`states.${AWS::Region}.amazonaws.com`).
    let name = match name.rsplit_once(".${") {
        Some((front, rest)) if !front.is_empty() && rest.ends_with('}') => front,
        _ => name,
    };
    let labels: Vec<&str> = name.split('.').collect();
    if !labels.iter().all(|label| is_dns_label(label)) {
        return None;
    }
    let service_labels = match labels.split_last() {
        Some((last, front)) if !front.is_empty() && is_region(last) => front,
        _ => labels.as_slice(),
    };
    Some(service_labels.join("."))
}

/// The principal as IAM writes it in trust policies: `lambda.amazonaws.com`.
pub fn canonical_service_principal(principal: &str) -> Option<String> {
    service_principal_name(principal).map(|name| format!("{name}.amazonaws.com"))
}

/// Whether two principals name the same service. Values that are not service principals are never the
/// same service, even when equal: `*` is not a service.
pub fn same_service(a: &str, b: &str) -> bool {
    match (service_principal_name(a), service_principal_name(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn strip_service_suffix(principal: &str) -> Option<&str> {
    SERVICE_SUFFIXES
        .iter()
        .find_map(|suffix| principal.strip_suffix(suffix))
}

fn is_dns_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `^[a-z]{2}(-(gov|iso|isob|isof|isoe))?-[a-z]+-[0-9]+$`, by hand: the crate has no regex engine.
fn is_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    match parts.as_slice() {
        [country, area, number] => is_country(country) && is_letters(area) && is_digits(number),
        [country, qualifier, area, number] => {
            is_country(country)
                && PARTITION_QUALIFIERS.contains(qualifier)
                && is_letters(area)
                && is_digits(number)
        }
        _ => false,
    }
}

fn is_country(part: &str) -> bool {
    part.len() == 2 && is_letters(part)
}

fn is_letters(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_digits(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

/// The kind of principal a `Principal` entry names; only service principals can be handed a role by
/// `iam:PassRole`, but the others still matter for reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    Service,
    Aws,
    Federated,
    CanonicalUser,
    /// `"Principal": "*"` or `{"AWS": "*"}`: anyone.
    Any,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Service => "service",
            PrincipalKind::Aws => "aws",
            PrincipalKind::Federated => "federated",
            PrincipalKind::CanonicalUser => "canonical_user",
            PrincipalKind::Any => "any",
        }
    }
}

/// The kind named by a key of a `Principal` map. Keys are matched exactly as IAM spells them, since IAM
/// rejects other spellings; `None` lets the caller decide what to do with an unknown key. The string form
/// `"Principal": "*"` has no key and is the caller's to map to [`PrincipalKind::Any`].
pub fn principal_kind(policy_key: &str) -> Option<PrincipalKind> {
    match policy_key {
        "Service" => Some(PrincipalKind::Service),
        "AWS" => Some(PrincipalKind::Aws),
        "Federated" => Some(PrincipalKind::Federated),
        "CanonicalUser" => Some(PrincipalKind::CanonicalUser),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str) -> Option<String> {
        service_principal_name(p)
    }

    #[test]
    fn global_service_principals() {
        assert_eq!(name("lambda.amazonaws.com").as_deref(), Some("lambda"));
        assert_eq!(
            name("ecs-tasks.amazonaws.com").as_deref(),
            Some("ecs-tasks")
        );
        assert_eq!(
            name("monitoring.rds.amazonaws.com").as_deref(),
            Some("monitoring.rds")
        );
    }

    #[test]
    fn case_is_ignored() {
        assert_eq!(name("LAMBDA.amazonaws.com").as_deref(), Some("lambda"));
        assert_eq!(name("Lambda.AmazonAWS.COM").as_deref(), Some("lambda"));
    }

    #[test]
    fn regional_principals_drop_the_region() {
        assert_eq!(
            name("states.eu-west-1.amazonaws.com").as_deref(),
            Some("states")
        );
        assert_eq!(
            name("logs.us-east-1.amazonaws.com").as_deref(),
            Some("logs")
        );
        assert_eq!(
            name("logs.us-gov-west-1.amazonaws.com").as_deref(),
            Some("logs")
        );
        assert_eq!(
            name("logs.us-isob-east-1.amazonaws.com").as_deref(),
            Some("logs")
        );
        assert_eq!(
            name("logs.cn-north-1.amazonaws.com.cn").as_deref(),
            Some("logs")
        );
    }

    #[test]
    fn other_suffixes() {
        assert_eq!(name("ec2.amazonaws.com.cn").as_deref(), Some("ec2"));
        assert_eq!(name("pods.eks.api.aws").as_deref(), Some("pods.eks"));
    }

    #[test]
    fn a_lone_region_label_is_kept() {
        assert_eq!(
            name("us-east-1.amazonaws.com").as_deref(),
            Some("us-east-1")
        );
    }

    #[test]
    fn not_service_principals() {
        for p in [
            "arn:aws:iam::1:root",
            "*",
            "amazonaws.com",
            ".amazonaws.com",
            "*.amazonaws.com",
            "lambda..amazonaws.com",
            "lambda.amazonaws.org",
            " lambda.amazonaws.com",
            "lambda.amazonaws.com ",
            "123456789012",
            "",
            "lämbda.amazonaws.com",
        ] {
            assert_eq!(name(p), None, "{p:?}");
        }
    }

    #[test]
    fn regions() {
        for r in [
            "us-east-1",
            "eu-west-3",
            "ap-southeast-2",
            "us-gov-west-1",
            "cn-north-1",
            "il-central-1",
            "ca-west-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "us-isof-south-1",
        ] {
            assert!(is_region(r), "{r}");
        }
        for r in [
            "rds",
            "us-east",
            "use-east-1",
            "us-foo-east-1",
            "us-east-1a",
            "us--1",
            "u-east-1",
        ] {
            assert!(!is_region(r), "{r}");
        }
    }

    #[test]
    fn canonical_form() {
        assert_eq!(
            canonical_service_principal("states.eu-west-1.amazonaws.com").as_deref(),
            Some("states.amazonaws.com")
        );
        assert_eq!(
            canonical_service_principal("ec2.amazonaws.com.cn").as_deref(),
            Some("ec2.amazonaws.com")
        );
        assert_eq!(canonical_service_principal("*"), None);
        assert_eq!(
            canonical_service_principal("states.${AWS::Region}.amazonaws.com").as_deref(),
            Some("states.amazonaws.com")
        );
    }

    #[test]
    fn same_service_compares_canonical_names() {
        assert!(same_service("lambda.amazonaws.com", "LAMBDA.amazonaws.com"));
        assert!(same_service(
            "states.eu-west-1.amazonaws.com",
            "states.amazonaws.com"
        ));
        assert!(same_service("ec2.amazonaws.com.cn", "ec2.amazonaws.com"));
        assert!(!same_service("lambda.amazonaws.com", "ec2.amazonaws.com"));
        assert!(!same_service("*", "*"));
        assert!(!same_service(
            "rds.amazonaws.com",
            "monitoring.rds.amazonaws.com"
        ));
    }

    #[test]
    fn principal_kinds() {
        assert_eq!(principal_kind("Service"), Some(PrincipalKind::Service));
        assert_eq!(principal_kind("AWS"), Some(PrincipalKind::Aws));
        assert_eq!(principal_kind("Federated"), Some(PrincipalKind::Federated));
        assert_eq!(
            principal_kind("CanonicalUser"),
            Some(PrincipalKind::CanonicalUser)
        );
        assert_eq!(principal_kind("service"), None);
        assert_eq!(principal_kind("Aws"), None);
        assert_eq!(principal_kind(""), None);
    }

    #[test]
    fn kind_names() {
        assert_eq!(PrincipalKind::Service.as_str(), "service");
        assert_eq!(PrincipalKind::Aws.as_str(), "aws");
        assert_eq!(PrincipalKind::Federated.as_str(), "federated");
        assert_eq!(PrincipalKind::CanonicalUser.as_str(), "canonical_user");
        assert_eq!(PrincipalKind::Any.as_str(), "any");
    }
}
