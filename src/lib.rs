//! passrole: finds `iam:PassRole` mistakes in Terraform, CloudFormation and Terraform plans.
//!
//! Pipeline (see `../shared/design.md`): discover → parse (per file) → resolve (per unit) → facts →
//! rules (cfn-guard) → findings → report.

pub mod iam;
pub mod resolve;
pub mod source;
pub mod value;
