//! How many roles a `Resource` value lets a principal pass.
//!
//! A PassRole grant is only as dangerous as the set of roles it covers, so every `Resource` is sorted into
//! a [`RoleScope`]: one named role, a path, a name prefix, every role, and so on. Values may be partly
//! unknown statically (`arn:aws:iam::${var.account}:role/app/*`); those are classified as precisely as the
//! known parts allow, and [`RoleScope::Unknown`] is kept for values whose scope really cannot be told.
//!
//! IAM matches resource ARNs one colon-separated field at a time (a wildcard never spans a `:`), so the
//! value is split into `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` before anything is matched.
//! Unknown parts are assumed not to contain a `:` of their own: a variable that fills the account field
//! yields an account, not half an ARN.

use crate::iam::action::{wildcard_match, wildcard_match_case_sensitive, wildcard_may_start_with};
use crate::value::{Text, TextPart};

/// Every role ARN's resource part starts with this; IAM resource types are lowercase and compared exactly.
const ROLE_PREFIX: &str = "role/";

/// The number of colon-separated fields in an ARN; the last one may contain further colons.
const ARN_FIELDS: usize = 6;

/// The set of roles a PassRole `Resource` covers, from narrowest to broadest and then the odd cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoleScope {
    /// `role/lambda_role`, `role/service-role/MyFn`.
    Exact,
    /// `role/app/*`, `role/app/Dev*`: every role under one path.
    Path,
    /// `role/Dev*`: every role whose name starts with a prefix, whatever its path.
    NamePrefix,
    /// `role/*`, `role*`: every role in the matched account(s).
    AccountRoles,
    /// `*`, `arn:aws:iam::123456789012:*`: every resource.
    All,
    /// `role/*-admin`, `role/app/*/x`: a wildcard that is not a trailing `*`, hard to reason about.
    InnerWildcard,
    /// The scope depends on a value that is unknown statically.
    Unknown,
    /// The value cannot name an IAM role (another service, another IAM resource type, not an ARN).
    NotRole,
}

impl RoleScope {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleScope::Exact => "exact",
            RoleScope::Path => "path",
            RoleScope::NamePrefix => "name_prefix",
            RoleScope::AccountRoles => "account_roles",
            RoleScope::All => "all",
            RoleScope::InnerWildcard => "inner_wildcard",
            RoleScope::Unknown => "unknown",
            RoleScope::NotRole => "not_role",
        }
    }

    /// A short phrase for messages: "lets the principal pass {describe}".
    pub fn describe(self) -> &'static str {
        match self {
            RoleScope::Exact => "one named role",
            RoleScope::Path => "the roles under one path",
            RoleScope::NamePrefix => "every role whose name starts with a prefix",
            RoleScope::AccountRoles => "every role in the account",
            RoleScope::All => "every resource",
            RoleScope::InnerWildcard => "roles matched by a wildcard that is not at the end",
            RoleScope::Unknown => "a value that cannot be evaluated statically",
            RoleScope::NotRole => "not an IAM role",
        }
    }
}

/// One character of a partly unknown value, or a stretch of it that is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    Char(char),
    Unknown,
}

/// Whether the service field can be `iam`, which decides whether the resource part means anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ServiceFit {
    Iam,
    Maybe,
    No,
}

/// Classifies a `Resource` value of a statement that grants `iam:PassRole`.
///
/// Refinements of the plain rules, each chosen so that the scope reported is the set of roles that can
/// actually be passed:
/// * A wildcard service field (`arn:aws:*::*:role/x`) does not make the value [`RoleScope::All`] by
///   itself: only IAM roles can be passed, so the resource part decides (`role/x` is still one role).
/// * Wildcards made only of `?` cover strings of a fixed length, not everything; they are
///   [`RoleScope::InnerWildcard`] when they could match a role and [`RoleScope::NotRole`] otherwise.
/// * `role/` with nothing after it names no role and is [`RoleScope::NotRole`].
/// * A rest that starts with `*` but is not only `*` (`role/*/admin`, `role/*-admin`) is
///   [`RoleScope::InnerWildcard`], even where it happens to cover every path.
pub fn classify_passrole_resource(resource: &Text) -> RoleScope {
    let pieces = pieces_of(resource);
    if is_star_wildcard(&pieces) {
        return RoleScope::All;
    }
    if !starts_with_literal(&pieces, "arn:") {
        return classify_non_arn(&pieces);
    }
    let fields = split_arn_fields(&pieces);
    let [_, _, service, _, _, resource_part] = fields.as_slice() else {
        // Too few fields: malformed, unless an unknown part might supply the missing ones.
        return unknown_or_not_role(&pieces);
    };
    match service_fit(service) {
        ServiceFit::No => RoleScope::NotRole,
        ServiceFit::Iam => classify_resource_part(resource_part),
        ServiceFit::Maybe => match classify_resource_part(resource_part) {
            RoleScope::NotRole => RoleScope::NotRole,
            _ => RoleScope::Unknown,
        },
    }
}

/// The value flattened to characters, each unknown part kept as a single marker.
fn pieces_of(text: &Text) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for part in &text.parts {
        match part {
            TextPart::Lit(s) => pieces.extend(s.chars().map(Piece::Char)),
            TextPart::Unknown(_) => pieces.push(Piece::Unknown),
        }
    }
    pieces
}

fn is_wildcard_char(c: char) -> bool {
    c == '*' || c == '?'
}

/// A known value made only of `*` and `?` with at least one `*`: it matches every long enough string,
/// which every ARN is.
fn is_star_wildcard(pieces: &[Piece]) -> bool {
    let all_wild = pieces
        .iter()
        .all(|p| matches!(p, Piece::Char(c) if is_wildcard_char(*c)));
    all_wild && pieces.contains(&Piece::Char('*'))
}

fn starts_with_literal(pieces: &[Piece], prefix: &str) -> bool {
    let mut chars = pieces.iter();
    prefix
        .chars()
        .all(|want| chars.next() == Some(&Piece::Char(want)))
}

fn has_unknown(pieces: &[Piece]) -> bool {
    pieces.contains(&Piece::Unknown)
}

/// The known characters before the first unknown part.
fn literal_prefix(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map_while(|p| match p {
            Piece::Char(c) => Some(*c),
            Piece::Unknown => None,
        })
        .collect()
}

/// The value as a glob in which unknown parts are `*`.
fn glob_of(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Char(c) => *c,
            Piece::Unknown => '*',
        })
        .collect()
}

/// A value that is not an ARN: IAM rejects it unless it is all wildcards (handled before), so a known
/// one names no role. With unknown parts it is unknown only while it could still become an ARN or `*`.
fn classify_non_arn(pieces: &[Piece]) -> RoleScope {
    if !has_unknown(pieces) {
        return RoleScope::NotRole;
    }
    let known_start = literal_prefix(pieces);
    let may_become_arn = "arn:".starts_with(known_start.as_str());
    let may_become_star = known_start.chars().all(is_wildcard_char);
    if may_become_arn || may_become_star {
        RoleScope::Unknown
    } else {
        RoleScope::NotRole
    }
}

fn unknown_or_not_role(pieces: &[Piece]) -> RoleScope {
    if has_unknown(pieces) {
        RoleScope::Unknown
    } else {
        RoleScope::NotRole
    }
}

/// Splits on the first five known colons; the sixth field keeps any further colons.
fn split_arn_fields(pieces: &[Piece]) -> Vec<&[Piece]> {
    let mut fields = Vec::with_capacity(ARN_FIELDS);
    let mut rest = pieces;
    while fields.len() + 1 < ARN_FIELDS {
        let Some(colon) = rest.iter().position(|p| *p == Piece::Char(':')) else {
            break;
        };
        let (field, after) = rest.split_at(colon);
        fields.push(field);
        rest = after.get(1..).unwrap_or_default();
    }
    fields.push(rest);
    fields
}

/// Service names compare without case, like the action prefix `iam:`.
fn service_fit(service: &[Piece]) -> ServiceFit {
    let can_be_iam = wildcard_match(&glob_of(service), "iam");
    match (can_be_iam, has_unknown(service)) {
        (false, _) => ServiceFit::No,
        (true, false) => ServiceFit::Iam,
        (true, true) => ServiceFit::Maybe,
    }
}

/// The RESOURCE field of an IAM ARN (`role/app/*`).
fn classify_resource_part(resource: &[Piece]) -> RoleScope {
    if has_unknown(resource) {
        classify_partly_unknown_resource(resource)
    } else {
        classify_known_resource(&glob_of(resource))
    }
}

fn classify_known_resource(resource: &str) -> RoleScope {
    if resource.contains('*') && resource.chars().all(is_wildcard_char) {
        return RoleScope::All;
    }
    if let Some(rest) = resource.strip_prefix(ROLE_PREFIX) {
        return classify_role_rest(rest);
    }
    if covers_every_role_type(resource) {
        return RoleScope::AccountRoles;
    }
    if wildcard_may_start_with(resource, ROLE_PREFIX) {
        RoleScope::InnerWildcard
    } else {
        RoleScope::NotRole
    }
}

/// `r*`, `rol*`, `role*`: a start of `role/` followed only by stars, which matches every role (and, at
/// most, resource types that do not exist in IAM).
fn covers_every_role_type(resource: &str) -> bool {
    let stem = resource.trim_end_matches('*');
    stem.len() < resource.len() && !stem.is_empty() && ROLE_PREFIX.starts_with(stem)
}

/// What follows `role/` in a known resource: the role's path and name, possibly with wildcards.
fn classify_role_rest(rest: &str) -> RoleScope {
    if rest.is_empty() {
        return RoleScope::NotRole;
    }
    if !rest.contains(is_wildcard_char) {
        return RoleScope::Exact;
    }
    let stem = rest.trim_end_matches('*');
    if stem.is_empty() {
        return RoleScope::AccountRoles;
    }
    if stem.contains(is_wildcard_char) {
        return RoleScope::InnerWildcard;
    }
    if stem.contains('/') {
        RoleScope::Path
    } else {
        RoleScope::NamePrefix
    }
}

/// A resource part with unknown pieces. The scope is still known when a literal path sits in front of the
/// first unknown (`role/app/${var.name}`): whatever the unknown is, the role lives under `/app/`.
fn classify_partly_unknown_resource(resource: &[Piece]) -> RoleScope {
    if !wildcard_may_start_with(&glob_of(resource), ROLE_PREFIX) {
        return RoleScope::NotRole;
    }
    let known_start = literal_prefix(resource);
    if has_literal_path(&known_start) {
        RoleScope::Path
    } else {
        RoleScope::Unknown
    }
}

/// `role/app/...` with no wildcard before the end of the path's first segment.
fn has_literal_path(known_start: &str) -> bool {
    let Some(rest) = known_start.strip_prefix(ROLE_PREFIX) else {
        return false;
    };
    !known_start.contains(is_wildcard_char) && rest.find('/').is_some_and(|slash| slash > 0)
}

/// A role named by a literal ARN, split the way IAM stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleArn {
    pub partition: String,
    /// `None` when the ARN leaves the account empty.
    pub account: Option<String>,
    /// Always starts and ends with `/`; `/` for roles without a path.
    pub path: String,
    pub name: String,
}

/// Parses a literal role ARN (`arn:aws:iam::123456789012:role/service-role/MyFn`).
///
/// Returns `None` for anything else, including patterns: a wildcard ARN does not name one role. The
/// region field is not checked (IAM ARNs leave it empty, but a stray one does not change the role).
pub fn parse_role_arn(arn: &str) -> Option<RoleArn> {
    if arn.contains(is_wildcard_char) {
        return None;
    }
    let fields: Vec<&str> = arn.splitn(ARN_FIELDS, ':').collect();
    let [prefix, partition, service, _region, account, resource] = fields.as_slice() else {
        return None;
    };
    if *prefix != "arn" || partition.is_empty() || !service.eq_ignore_ascii_case("iam") {
        return None;
    }
    let (path, name) = split_path_and_name(resource.strip_prefix(ROLE_PREFIX)?)?;
    Some(RoleArn {
        partition: partition.to_string(),
        account: (!account.is_empty()).then(|| account.to_string()),
        path,
        name,
    })
}

/// `service-role/MyFn` → (`/service-role/`, `MyFn`); `MyFn` → (`/`, `MyFn`).
fn split_path_and_name(rest: &str) -> Option<(String, String)> {
    let (path, name) = match rest.rsplit_once('/') {
        Some((dirs, name)) => (format!("/{dirs}/"), name),
        None => ("/".to_string(), rest),
    };
    (!name.is_empty()).then(|| (path, name.to_string()))
}

/// Whether a literal resource pattern (`arn:aws:iam::*:role/app/*`, `*`) covers the role with this path
/// and name, in whatever account and partition the pattern names.
///
/// The resource part is compared case-sensitively: IAM keeps role names unique without regard to case,
/// but evaluates `Resource` patterns exactly, so `role/App*` does not grant `role/app-x`. The service
/// field, like action prefixes, ignores case and may be a wildcard. Values that are not ARNs only match
/// when they are all wildcards with a `*`.
pub fn role_arn_pattern_matches(pattern: &str, path: &str, name: &str) -> bool {
    if pattern.contains('*') && pattern.chars().all(is_wildcard_char) {
        return true;
    }
    let fields: Vec<&str> = pattern.splitn(ARN_FIELDS, ':').collect();
    let [prefix, _, service, _, _, resource] = fields.as_slice() else {
        return false;
    };
    *prefix == "arn"
        && wildcard_match(service, "iam")
        && wildcard_match_case_sensitive(resource, &role_resource(path, name))
}

/// `role{path}{name}`, with the path given its slashes if the caller left them off (`app` → `/app/`).
fn role_resource(path: &str, name: &str) -> String {
    let inner = path.strip_prefix('/').unwrap_or(path);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.is_empty() {
        format!("{ROLE_PREFIX}{name}")
    } else {
        format!("{ROLE_PREFIX}{inner}/{name}")
    }
}

/// The unknown part that keeps a role or profile ARN from naming a role: the first one after
/// `:role/` or `:instance-profile/` (an unknown account alone would not), else the first one.
pub fn name_unknown(text: &Text) -> Option<&str> {
    let mut in_name = false;
    for part in &text.parts {
        match part {
            TextPart::Lit(s) if s.contains(":role/") || s.contains(":instance-profile/") => {
                in_name = true
            }
            TextPart::Unknown(w) if in_name => return Some(w),
            _ => {}
        }
    }
    text.first_unknown()
}

/// Twelve digits: an AWS account id, not a placeholder or an expression.
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
#[path = "arn_tests.rs"]
mod tests;
