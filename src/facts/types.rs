//! The facts rule files are written against, as types: what `passrole model` prints and every Guard
//! rule reads. The JSON Schema in `schemas/passrole-facts.schema.json` and `docs/facts.md` are
//! generated from these definitions and their comments (`passrole model --schema`); a test fails
//! when either is stale.
//!
//! Fields are declared in the order `passrole model` has always printed them (identity first, then
//! what is checked, then what Rust computed from the rest), so its output stays stable for the
//! people who diff it.
//! Locations are not part of the document: each fact carries its own ([`At`]), and the pointers
//! that map a Guard failure back to a span are made from the document's shape in one place
//! (`facts::register`).

use super::FactLocation;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The version of the facts document: it changes when a field is removed or changes meaning.
pub const VERSION: u64 = 1;

/// Where a fact is in the sources, and its related locations: kept beside the fact, never
/// serialized.
pub type At = Option<FactLocation>;

/// The facts of a scan: `{"units": [...], "version": 1}`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "passrole facts")]
#[serde(deny_unknown_fields)]
pub struct FactsDocument {
    /// One entry per unit: a Terraform module tree, a CloudFormation template or a plan.
    pub units: Vec<UnitFacts>,
    /// The document's version (`1`).
    pub version: u64,
}

/// One unit and its facts.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitFacts {
    /// `u0`, `u1`, …: the unit's index.
    pub id: String,
    /// What the unit was read from: `terraform`, `cloudformation` or `plan`.
    pub kind: String,
    /// The directory or file the unit was read from.
    pub name: String,
    /// The IAM roles the unit defines.
    pub roles: Vec<RoleFact>,
    /// Every place a role is handed to an AWS service.
    pub pass_edges: Vec<PassEdge>,
    /// Statements of identity policies that grant (or deny) `iam:PassRole`, and policies or
    /// statements that cannot be read (which may grant it).
    pub grants: Vec<Grant>,
    /// Every role, user, group and permission set of the unit with the policies it holds and
    /// whether its permissions are fully known.
    pub identities: Vec<IdentityFact>,
    /// Every role a principal of the unit can pass (through a PassRole grant it holds), with the
    /// services the principal can make use the role and whether the role allows more than the
    /// principal: the escalation paths.
    pub escalations: Vec<Escalation>,
    /// Each resource's `Metadata` as written (CloudFormation), by logical id.
    pub metadata: BTreeMap<String, serde_json::Value>,
}

/// An IAM role defined in the unit.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleFact {
    /// `u0.role.3`.
    pub id: String,
    /// The role's address: Terraform address, CloudFormation logical id or plan address.
    pub resource: String,
    /// The role name, when known statically.
    pub name: Option<String>,
    /// The role path (`/app/`); `/` when not set.
    pub path: String,
    /// Some resource of the scan passes this role to a service.
    pub passed: bool,
    /// The service principals the passes of this role need (each pass: one of its list).
    pub passed_to: BTreeSet<String>,
    /// The trust policy could be read.
    pub trust_known: bool,
    /// Why the trust policy cannot be read, when it cannot.
    pub trust_unknown_reason: Option<String>,
    /// The service principals the trust policy trusts, in their global form, sorted.
    pub trusted_services: Vec<String>,
    /// The role trusts more than one service principal and they are not an approved set.
    pub multiple_services: bool,
    /// The catalog's name of the set of service principals the role trusts, when that set is one
    /// that legitimately appears together (Lambda@Edge); `null` otherwise.
    pub approved_set: Option<String>,
    /// Every principal an Allow statement of the trust policy trusts.
    pub principals: Vec<TrustedPrincipal>,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
}

/// A principal a role's trust policy trusts.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustedPrincipal {
    /// `service`, `aws`, `federated`, `canonical_user`, `any` (`*`), or `not_principal` (an Allow
    /// with `NotPrincipal`, which trusts everyone but the listed).
    pub kind: String,
    /// The principal as written, unknown parts shown as `${…}`.
    pub value: String,
    /// The service principal in its global form, for a `service` principal.
    pub service: Option<String>,
    /// A pass of the role needs this service principal, or one it forms an approved set with.
    pub accepted_by_pass: bool,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
}

/// A resource attribute that hands a role to a service.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassEdge {
    /// The pass can be checked: its role is resolved and its trust policy read.
    pub checkable: bool,
    /// Why the pass cannot be checked, when it cannot.
    pub gap: Option<String>,
    /// `u0.pass.2`.
    pub id: String,
    /// The passing resource's address.
    pub resource: String,
    /// The attribute or property path (`role`, `iam_instance_profile.arn`, `Targets[].RoleArn`).
    pub attribute: String,
    /// The service's name (`AWS Lambda`).
    pub service: String,
    /// The service principals the passed role must trust (at least one).
    pub principals: Vec<String>,
    /// The passed role's address (with the unit it is in when several roles matched its name).
    pub role: Option<String>,
    /// The passed role was found in the scan.
    pub role_resolved: bool,
    /// Why the role could not be found, when it could not.
    pub unresolved_reason: Option<String>,
    /// The instance profile the role is passed through (EC2), if any.
    pub via_instance_profile: Option<String>,
    /// The passed role's trust policy could be read.
    pub trust_known: bool,
    /// Why the passed role's trust policy cannot be read, when it cannot.
    pub trust_unknown_reason: Option<String>,
    /// The passed role trusts one of `principals` (or everyone).
    pub trusts_service: bool,
    /// The principals the passed role trusts.
    pub trusted: Vec<String>,
    /// How many different services the role is passed to across the scan.
    pub role_service_count: usize,
    /// The passed role's path (`/app/`; `/` when not set), when the role is resolved.
    pub role_path: Option<String>,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
}

/// A statement of an identity policy that allows or denies `iam:PassRole` (directly, through a
/// wildcard or through `NotAction`), or a policy or statement that cannot be read.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// `units.0.grants.4`.
    pub id: String,
    /// The address of the resource that holds the policy.
    pub resource: String,
    /// The attribute or property that holds the policy.
    pub attribute: String,
    /// The roles, users, groups and permission sets the policy is given to, as far as the scan
    /// shows.
    pub attached_to: Vec<String>,
    /// The statement's index in its policy; `null` for a policy that cannot be read.
    pub statement: Option<usize>,
    /// The statement's `Sid`.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// How the actions include `iam:PassRole`: `exact`, `wildcard`, `not_action`, or `unknown`
    /// when that cannot be evaluated statically.
    pub action_match: String,
    /// The action item that includes `iam:PassRole` (`iam:*`), or the `NotAction` list.
    pub matched_by: Option<String>,
    /// The statement also allows actions other than `iam:PassRole`.
    pub other_actions: bool,
    /// The policy is an AWS managed policy attached by ARN (`rules/managed-policies.toml`): its
    /// statements are AWS's, and nothing in the scan can split them.
    pub aws_managed: bool,
    /// The statement uses `NotResource`.
    pub uses_not_resource: bool,
    /// The statement's resources, one entry each (one unknown entry for a statement or policy
    /// that cannot be read).
    pub resources: Vec<GrantResource>,
    /// The statement's condition keys.
    pub conditions: Vec<GrantCondition>,
    /// Deny statements that apply deny every role this Allow allows: it grants nothing.
    pub denied: bool,
    /// The statement uses `NotResource` and what the Denies leave of it is still broad.
    pub effective_not_resource: bool,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
    /// Locations of single fields (`other_actions`: the action list; `uses_not_resource` and
    /// `effective_not_resource`: the `NotResource` key).
    #[serde(skip)]
    #[schemars(skip)]
    pub field_at: Vec<(&'static str, FactLocation)>,
}

/// One `Resource` item of a grant.
#[derive(Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantResource {
    /// The item as written, unknown parts shown as `${…}`.
    pub value: String,
    /// Which roles the item lets be passed: `exact`, `path`, `name_prefix`, `account_roles`, `all`,
    /// `inner_wildcard`, `unknown` or `not_role`.
    pub scope: String,
    /// The scope as a phrase ("every role under one path").
    pub scope_description: String,
    /// The first part of the item that cannot be evaluated statically, when one matters.
    pub unknown_part: Option<String>,
    /// Why the item cannot be evaluated, when it cannot (the coverage note's text).
    pub gap: Option<String>,
    /// The `scope` of what the Denies leave, or `denied` when they leave nothing.
    pub effective_scope: String,
    /// What the Denies leave, as written.
    pub effective_value: String,
    /// The `scope_description` of what the Denies leave.
    pub effective_description: String,
    /// How a Deny narrows the item, for messages (`, which a Deny narrows to "…"`); empty when
    /// none does.
    pub deny_note: String,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
}

/// A condition key of a grant.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantCondition {
    /// The operator (`StringEquals`).
    pub operator: String,
    /// The condition key (`iam:PassedToService`).
    pub key: String,
    /// The key tests a resource tag (`iam:ResourceTag/…`, `aws:ResourceTag/…`).
    pub resource_tag: bool,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
}

/// A principal that holds identity policies: a role, user, group or permission set.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityFact {
    /// `u0.identity.2`.
    pub id: String,
    /// `role`, `user`, `group` or `permission_set`.
    pub kind: String,
    /// The principal's address.
    pub resource: String,
    /// Its name, when known statically.
    pub name: Option<String>,
    /// The groups a user is a member of, as the scan names them.
    pub groups: Vec<String>,
    /// The policies it holds (inline, attached, and a user's groups'), as `address.attribute`.
    pub policies: Vec<String>,
    /// How many statements those policies have (that the scan can read).
    pub statements: usize,
    /// Every policy it holds could be read whole: its permissions are known.
    pub permissions_known: bool,
    /// Why its permissions are only partially known (a policy that is not in the scan, an AWS
    /// managed policy `rules/managed-policies.toml` does not list whole, a statement that cannot be
    /// evaluated).
    pub unknown_reasons: Vec<String>,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
}

/// A role that a principal can pass: the principal holds an Allow of `iam:PassRole` whose resource
/// matches the role and that no Deny it holds cancels. One per (grant, role); the principal shown
/// is the holder of the grant with the strongest verdict (escalation, then undecided, then none).
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// `u0.escalation.1`.
    pub id: String,
    /// The principal that can pass the role (its address).
    pub principal: String,
    /// `role`, `user`, `group` or `permission_set`.
    pub principal_kind: String,
    /// Every holder of the grant that can pass the role.
    pub holders: Vec<String>,
    /// The grant (`units.0.grants.3`) whose resource lets the role be passed.
    pub grant: String,
    /// The grant's `Resource` item that matches the role, as written.
    pub grant_resource: String,
    /// The role's address (with its unit's name when it is defined in another unit).
    pub role: String,
    /// The role's unit (`u1`).
    pub role_unit: String,
    /// Always true: the principal can pass the role.
    pub can_pass: bool,
    /// The principal is allowed the actions that make some service of
    /// `rules/service-use.toml` use a role (whichever role it trusts).
    pub can_use_service: bool,
    /// The role trusts a service the principal can make use it (`services`).
    pub trusts_service: bool,
    /// The services the principal can make use the role, by name (`AWS Lambda`), that the role
    /// trusts and the grant's `iam:PassedToService`/`iam:AssociatedResourceArn` conditions allow.
    pub services: Vec<String>,
    /// How, for the first service: the actions the principal is allowed
    /// (`lambda:CreateFunction and lambda:InvokeFunction`).
    pub how: String,
    /// Whether the comparison of the role's and the principal's permissions could be decided.
    pub decided: bool,
    /// Why not, when it could not (a permission that is not known, a condition not evaluated).
    pub undecided_reason: Option<String>,
    /// The role certainly allows something the principal certainly is not allowed.
    pub exceeds: bool,
    /// What, shortly: for example every action (`*`) on `*`; empty when it does not exceed.
    pub difference: String,
    #[serde(skip)]
    #[schemars(skip)]
    pub at: At,
}

/// The JSON Schema of the facts document.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(FactsDocument)).unwrap_or_default()
}
