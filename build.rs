//! `passrole --version` names the commit it was built from: `passrole 0.1.0 (abc1234 2026-11-26)`.
//!
//! Built from a Git checkout (a clone, a worktree, `cargo install --git`), the commit comes from
//! `git`; from a source tarball or crates.io there is no `.git` and the version stands alone, as it
//! does when `git` is missing or refuses the directory. The script reruns only when HEAD or the
//! branch it points at moves, so a commit updates the version without rebuilding on every change.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = env("CARGO_PKG_VERSION");
    let dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    // Only this package's own checkout counts: a tarball unpacked inside some other repository
    // must not take that repository's commit.
    let commit = if dir.join(".git").exists() {
        watch_head(&dir);
        // A user's `log.showSignature` would add lines to the output.
        git(
            &dir,
            &[
                "-c",
                "log.showSignature=false",
                "log",
                "-1",
                "--date=short",
                "--format=%h %cd",
            ],
        )
    } else {
        None
    };
    let full = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=PASSROLE_VERSION={full}");
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// Reruns this script when HEAD changes (a checkout) or the branch it names gets a commit.
fn watch_head(dir: &Path) {
    let Some(head) = git(dir, &["rev-parse", "--git-path", "HEAD"]) else {
        return;
    };
    println!("cargo:rerun-if-changed={}", dir.join(head).display());
    let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) else {
        return; // a detached HEAD holds the commit itself
    };
    let (Some(loose), Some(packed)) = (
        git(dir, &["rev-parse", "--git-path", &branch]),
        git(dir, &["rev-parse", "--git-path", "packed-refs"]),
    ) else {
        return;
    };
    let loose = dir.join(loose);
    // A path that does not exist would rerun the script on every build: a branch whose ref is
    // packed is watched through its directory (a commit writes the loose file there).
    let watched = if loose.exists() {
        Some(loose)
    } else {
        loose.parent().filter(|p| p.exists()).map(Path::to_path_buf)
    };
    for path in watched.into_iter().chain([dir.join(packed)]) {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// The trimmed output of a successful `git` in `dir`, else None.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args(args);
    // A build run from a Git hook (pre-commit) inherits GIT_DIR and friends, which name the
    // user's repository, not this one.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GIT_") {
            command.env_remove(&name);
        }
    }
    let output = command.output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}
