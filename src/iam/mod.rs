//! IAM semantics: pure functions over policy elements, independent of any input format.

pub mod action;
pub mod arn;
pub mod deny;
pub mod permissions;
pub mod policy;
pub mod principal;
