//! Locations inside the repository, for the reports a code host reads (SARIF, GitLab Code Quality,
//! JUnit; the GitHub annotations should use it too).
//!
//! A registry or Git module fetched by `terraform init` lives in `.terraform/modules/...`, which is
//! not committed: GitHub code scanning rejects a result whose file is not in the repository, and
//! GitLab cannot show it in a merge request. Such a finding is moved to the `module "NAME"` block
//! in the repository that (through any number of fetched modules) loads it, and the module file's
//! location becomes its first related location. The human, JSON and gcc reports keep the module
//! file itself: they are read where `.terraform` exists.

use crate::findings::{Finding, Location, RelatedLocation};
use crate::source::SourceMap;
use std::borrow::Cow;

/// More nested fetched modules than any real configuration has (the load cuts module trees at 32).
const MAX_CALL_DEPTH: usize = 64;

/// Whether a report path lies in a directory written by `terraform init` (a `.terraform`
/// component), which a repository does not hold.
pub fn is_fetched(file: &str) -> bool {
    file.split(['/', '\\']).any(|c| c == ".terraform")
}

/// The finding with its location inside the repository: unchanged unless it lies in a fetched
/// module whose call is known.
pub fn in_repository<'f>(sources: &SourceMap, f: &'f Finding) -> Cow<'f, Finding> {
    if !is_fetched(&f.location.file) {
        return Cow::Borrowed(f);
    }
    let Some(call) = call_location(sources, &f.location) else {
        return Cow::Borrowed(f);
    };
    let mut moved = f.clone();
    let inside = RelatedLocation {
        message: format!(
            "{} is here, in a module fetched by terraform init",
            f.resource
        ),
        location: std::mem::replace(&mut moved.location, call),
    };
    moved.related.insert(0, inside);
    Cow::Owned(moved)
}

/// The location of the `module` block in the repository that loads the module of `loc`.
fn call_location(sources: &SourceMap, loc: &Location) -> Option<Location> {
    let mut file = loc.span.file;
    for _ in 0..MAX_CALL_DEPTH {
        let call = Location::of(sources, sources.module_call_of(file)?);
        if !is_fetched(&call.file) {
            return Some(call);
        }
        file = call.span.file;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetched_paths_have_a_dot_terraform_component() {
        assert!(is_fetched(".terraform/modules/x/main.tf"));
        assert!(is_fetched("infra/.terraform/modules/x/main.tf"));
        assert!(is_fetched("infra\\.terraform\\modules\\x\\main.tf"));
        assert!(!is_fetched("infra/my.terraform/main.tf"));
        assert!(!is_fetched("modules/terraform/main.tf"));
    }
}
