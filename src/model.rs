//! The common model every source lowers its input to.
//!
//! Nothing here knows which format a fact came from: a [`Unit`] is a Terraform module tree, a
//! CloudFormation template or a plan, and the facts document (`crate::facts`) is built from units alone.

use crate::iam::policy::PolicyValue;
use crate::value::{Node, Span, Text};

/// What kind of input a unit was read from; it only labels the unit in the facts document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    Terraform,
    CloudFormation,
    Plan,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Terraform => "terraform",
            UnitKind::CloudFormation => "cloudformation",
            UnitKind::Plan => "plan",
        }
    }
}

/// A resolved unit: its roles, instance profiles, passes and identity policies.
#[derive(Debug)]
pub struct Unit {
    pub kind: UnitKind,
    /// The directory or file the unit was read from, as given on the command line.
    pub name: String,
    pub roles: Vec<Role>,
    pub profiles: Vec<InstanceProfile>,
    pub passes: Vec<Pass>,
    pub policies: Vec<IdentityPolicy>,
    /// Values this unit makes available to other units by name (CloudFormation `Outputs.*.Export`),
    /// for `RoleTarget::Import`.
    pub exports: Vec<Export>,
    /// Per-resource metadata as written (CloudFormation `Metadata`), kept for suppressions.
    pub metadata: Vec<ResourceMetadata>,
    /// Which principals the identity policies are attached to (or held by, for inline policies).
    pub attachments: Vec<PolicyAttachment>,
    /// Where the unit's facts were read, when their spans were moved to another source: pairs of
    /// (span used, original span). A plan whose Terraform configuration was found points at the `.tf`
    /// and keeps the plan's location here; findings show it as a related location.
    pub origins: Vec<(Span, Span)>,
    /// The AWS account the unit deploys to, when its configuration names exactly one (Terraform's
    /// `allowed_account_ids`): roles of the same name in other accounts are other roles.
    pub account: Option<String>,
    /// The IAM users, groups and permission sets the unit defines (roles are in `roles`).
    pub identities: Vec<Identity>,
    /// Which users are members of which groups.
    pub memberships: Vec<GroupMembership>,
    /// Policies given to a principal whose statements the scan cannot know (a customer managed
    /// policy ARN that is not in the scan, an AWS managed policy the data file does not list, an ARN
    /// that cannot be evaluated): their holders' permissions are partially known.
    pub opaque_policies: Vec<OpaquePolicy>,
}

/// What kind of principal an [`Identity`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    User,
    Group,
    /// An IAM Identity Center permission set: its policies become a role in each account it is
    /// assigned to, and whoever is assigned acts with them.
    PermissionSet,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::User => "user",
            IdentityKind::Group => "group",
            IdentityKind::PermissionSet => "permission_set",
        }
    }
}

/// An IAM user, group or permission set defined in the unit: a principal that holds identity
/// policies (policies held inline have its address; attached ones are in `attachments`).
#[derive(Debug)]
pub struct Identity {
    pub kind: IdentityKind,
    /// `aws_iam_user.dev`, `DevUser`, `module.x.aws_iam_group.ops`.
    pub address: String,
    /// The resource's span (its opening line).
    pub span: Span,
    /// The name, when known statically.
    pub name: Option<String>,
}

/// A user's membership of a group (`aws_iam_group_membership`, `aws_iam_user_group_membership`,
/// `AWS::IAM::User` `Groups`, `AWS::IAM::UserToGroupAddition`): the user holds the group's policies.
#[derive(Debug)]
pub struct GroupMembership {
    /// The user, as [`PolicyAttachment::principal`] shows principals: its address when the scan
    /// defines it, else the name written in quotes.
    pub user: String,
    /// The group, shown the same way.
    pub group: String,
    /// The expression that names the user (or the group, for a list of groups of one user).
    pub span: Span,
}

/// A policy given to a principal whose statements cannot be known from the scan.
#[derive(Debug)]
pub struct OpaquePolicy {
    /// The principal, as [`PolicyAttachment::principal`] shows it.
    pub principal: String,
    /// The policy as written (its ARN, or the expression).
    pub policy: String,
    /// Why its statements cannot be known.
    pub reason: String,
    /// The expression that attaches it.
    pub span: Span,
}

/// An identity policy given to a principal: by an attachment resource
/// (`aws_iam_role_policy_attachment`, `Roles` of `AWS::IAM::ManagedPolicy`) or by holding it inline
/// (`aws_iam_role_policy.role`). Shown with the policy's findings: who gets the grant.
#[derive(Debug)]
pub struct PolicyAttachment {
    /// The policy's address, as in [`IdentityPolicy::address`].
    pub policy: String,
    /// The role, user or group: its address when it is defined in the scan, else as written.
    pub principal: String,
    /// The resource that attaches the policy (the policy itself when it is inline).
    pub via: String,
    /// The expression that names the principal.
    pub span: Span,
}

/// A named value exported by a unit, when it names a role or instance profile.
#[derive(Debug)]
pub struct Export {
    pub name: String,
    /// What the exported value refers to, relative to the exporting unit.
    pub target: RoleTarget,
    pub span: Span,
}

/// A resource's metadata block (a format-neutral node tree with spans).
#[derive(Debug)]
pub struct ResourceMetadata {
    /// The resource's address, as in `Role::address` and `Pass::passer`.
    pub address: String,
    pub span: Span,
    pub metadata: Node,
}

impl Unit {
    pub fn new(kind: UnitKind, name: impl Into<String>) -> Unit {
        Unit {
            kind,
            name: name.into(),
            roles: Vec::new(),
            profiles: Vec::new(),
            passes: Vec::new(),
            policies: Vec::new(),
            exports: Vec::new(),
            metadata: Vec::new(),
            attachments: Vec::new(),
            origins: Vec::new(),
            account: None,
            identities: Vec::new(),
            memberships: Vec::new(),
            opaque_policies: Vec::new(),
        }
    }
}

/// An IAM role defined in the scan.
#[derive(Debug)]
pub struct Role {
    /// Terraform address, CloudFormation logical id or plan address.
    pub address: String,
    /// Where the role is defined (the block or resource header).
    pub span: Span,
    /// The role name, when it is known statically.
    pub name: Option<String>,
    /// The role path (`/app/`), `/` when not set.
    pub path: Option<String>,
    /// The trust policy (`assume_role_policy`, `AssumeRolePolicyDocument`).
    pub trust: PolicyValue,
}

/// An EC2 instance profile: it exists only to hand its role to EC2.
#[derive(Debug)]
pub struct InstanceProfile {
    pub address: String,
    pub span: Span,
    pub name: Option<String>,
    /// The role in the profile and the span of the expression that names it.
    pub role: RoleTarget,
    pub role_span: Span,
    /// The attribute or property that names the role (`role`, `Roles`).
    pub role_attribute: &'static str,
}

/// What a passing expression refers to, before and after resolution.
#[derive(Clone, Debug, PartialEq)]
pub enum RoleTarget {
    /// A role of this unit, by index into `Unit::roles`.
    Role(usize),
    /// A role of another unit (found by its ARN or name), as (unit index, role index).
    External(usize, usize),
    /// An instance profile of this unit, by index into `Unit::profiles`.
    Profile(usize),
    /// A role ARN written as a string; linked to a role of the scan by `resolve`.
    Arn(Text),
    /// A role name written as a string; linked by `resolve`.
    Name(Text),
    /// An instance profile name or ARN written as a string.
    ProfileName(Text),
    /// A value imported by name from another unit's exports (`Fn::ImportValue`); linked by `resolve`.
    Import(String),
    /// Nothing in the scan can be found; the reason says why.
    Unresolved(String),
    /// The value is `null` or empty: nothing is passed, so there is no pass to check (lowering
    /// drops such passes; `try(x, null)` takes its fallback past it).
    Nothing,
}

/// A resource attribute that hands a role to an AWS service.
#[derive(Debug)]
pub struct Pass {
    /// The resource that passes the role (`aws_lambda_function.fn`).
    pub passer: String,
    /// The attribute path as the catalog writes it (`role`, `iam_instance_profile.arn`).
    pub attribute: String,
    /// The passing expression: the primary location of PR001, PR004 and PR005.
    pub span: Span,
    /// Human name of the service (`AWS Lambda`).
    pub service: String,
    /// The service principals the role must trust (at least one of them).
    pub principals: Vec<String>,
    pub target: RoleTarget,
    /// The places the passed value came through on its way to the pass (a module call's argument, a
    /// variable's default, a local), nearest the pass first: shown as related locations.
    pub hops: Vec<Hop>,
    /// Set when several roles of the scan match the name equally well: the pass is checked against
    /// each, and its findings say so.
    pub ambiguity: Option<String>,
    /// The passing resource exists only when a condition that cannot be known statically has this
    /// value: (the condition as written, qualified by its module instance; the value). Passes under
    /// one condition with opposite values never exist together.
    pub exists_when: Option<(String, bool)>,
}

/// One place a passed value came through: the expression there and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub span: Span,
    /// What the place is, for the reader: "module.app sets var.role_arn".
    pub message: String,
}

/// Where an identity policy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyOrigin {
    /// Written in the scan (or an AWS managed policy attached by ARN).
    Written,
    /// A stand-in for everything in a module call or nested stack whose source was not read (not
    /// fetched, not a literal, not there): an unknown policy at the `source`, its reason saying
    /// what was skipped. It may grant anything, but it is nobody's policy.
    UnreadSource,
}

/// Where an identity policy is attached, for messages only.
#[derive(Debug)]
pub struct IdentityPolicy {
    /// The resource that holds the policy (`aws_iam_policy.deploy`, `aws_iam_role.ci`).
    pub address: String,
    /// The attribute or property that holds it (`policy`, `inline_policy.policy`).
    pub attribute: String,
    pub document: PolicyValue,
    /// The statements are only part of the policy (an AWS managed policy whose PassRole statements
    /// alone are recorded): why. Its holders' permissions are then partially known.
    pub partial: Option<String>,
    pub origin: PolicyOrigin,
}

/// What follows the attaching resource's address in the address of an AWS managed policy attached
/// by ARN: `aws_iam_role.ci (AWS managed policy AdministratorAccess)`.
pub const AWS_MANAGED_POLICY_MARK: &str = " (AWS managed policy ";

impl IdentityPolicy {
    /// The resource written in the scan that a finding on the policy belongs to (for suppressions
    /// and fingerprints): the address, without the managed policy of an attachment by ARN.
    pub fn resource(&self) -> &str {
        self.address
            .split(AWS_MANAGED_POLICY_MARK)
            .next()
            .unwrap_or(&self.address)
    }

    /// Whether the policy is an AWS managed policy attached by ARN (its statements are AWS's).
    pub fn is_aws_managed(&self) -> bool {
        self.address.contains(AWS_MANAGED_POLICY_MARK)
    }
}
