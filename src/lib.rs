//! passrole: finds `iam:PassRole` mistakes in Terraform, CloudFormation and Terraform plans.
//!
//! Pipeline (see `../shared/design.md`): discover → parse (per file) → resolve (per unit) → facts →
//! rules (cfn-guard) → findings → report.

pub mod baseline;
pub mod config;
pub mod context;
pub mod discover;
pub mod facts;
pub mod findings;
pub mod grant_deny;
pub mod iam;
mod inputs;
pub mod isolate;
pub mod model;
pub mod plan_run;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod scan;
pub mod source;
pub mod suppress;
pub mod value;
