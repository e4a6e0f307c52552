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
use std::path::{Component, Path, PathBuf};

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

/// Report paths (relative to the current directory) as paths from the root of the Git work tree
/// around the current directory, which is how GitLab links a Code Quality `location.path`:
/// `main.tf` scanned from `repo/infra` is `infra/main.tf`.
pub struct RepositoryPaths {
    /// The current directory relative to the work tree's root; None outside a work tree.
    cwd_in_repo: Option<PathBuf>,
    /// The work tree's root (for absolute report paths).
    root: Option<PathBuf>,
}

impl RepositoryPaths {
    /// Looks for the work tree around the current directory (the nearest ancestor with `.git`).
    pub fn here() -> RepositoryPaths {
        let cwd = std::env::current_dir().ok();
        let root = cwd.as_deref().and_then(|cwd| {
            cwd.ancestors()
                .find(|d| d.join(".git").symlink_metadata().is_ok())
                .map(Path::to_path_buf)
        });
        let cwd_in_repo = match (&cwd, &root) {
            (Some(cwd), Some(root)) => cwd.strip_prefix(root).ok().map(Path::to_path_buf),
            _ => None,
        };
        RepositoryPaths { cwd_in_repo, root }
    }

    /// `file` from the work tree's root, with `/` separators; unchanged when there is no work tree
    /// or the path leads out of it.
    pub fn show(&self, file: &str) -> String {
        let path = Path::new(file);
        let joined = match (&self.root, &self.cwd_in_repo) {
            (Some(root), _) if path.is_absolute() => {
                path.strip_prefix(root).ok().map(Path::to_path_buf)
            }
            (_, Some(cwd)) => within(&cwd.join(path)),
            _ => None,
        };
        match joined {
            Some(p) if !p.as_os_str().is_empty() => p.to_string_lossy().replace('\\', "/"),
            _ => file.to_string(),
        }
    }
}

/// `a/./b/../c` → `a/c`; None when `..` leads above the start.
fn within(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_from_the_work_tree_root() {
        let paths = RepositoryPaths {
            cwd_in_repo: Some(PathBuf::from("infra/prod")),
            root: Some(PathBuf::from("/repo")),
        };
        assert_eq!(paths.show("main.tf"), "infra/prod/main.tf");
        assert_eq!(paths.show("./modules/x.tf"), "infra/prod/modules/x.tf");
        assert_eq!(paths.show("../shared/y.tf"), "infra/shared/y.tf");
        assert_eq!(paths.show("/repo/cfn/t.yaml"), "cfn/t.yaml");
        // Out of the work tree: as it was.
        assert_eq!(paths.show("../../../etc/z.tf"), "../../../etc/z.tf");
        assert_eq!(paths.show("/elsewhere/a.tf"), "/elsewhere/a.tf");
        let at_root = RepositoryPaths {
            cwd_in_repo: Some(PathBuf::new()),
            root: Some(PathBuf::from("/repo")),
        };
        assert_eq!(at_root.show("a/b.tf"), "a/b.tf");
        let outside = RepositoryPaths {
            cwd_in_repo: None,
            root: None,
        };
        assert_eq!(outside.show("a/b.tf"), "a/b.tf");
    }

    #[test]
    fn fetched_paths_have_a_dot_terraform_component() {
        assert!(is_fetched(".terraform/modules/x/main.tf"));
        assert!(is_fetched("infra/.terraform/modules/x/main.tf"));
        assert!(is_fetched("infra\\.terraform\\modules\\x\\main.tf"));
        assert!(!is_fetched("infra/my.terraform/main.tf"));
        assert!(!is_fetched("modules/terraform/main.tf"));
    }
}
