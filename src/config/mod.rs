//! `passrole.toml`: found beside the scanned paths (up to the repository root) or named with
//! `--config`, parsed with every key checked, and turned into scan settings. The keys are
//! documented in `docs/configuration.md`; `passrole init` writes a commented starting file.

mod allow;
mod exclude;
mod init;
mod passers;
mod raw;
mod selection;

pub use allow::{Allow, apply as apply_allows, check_allow_rules, glob_match};
pub use exclude::Excludes;
pub use init::{INIT_TEMPLATE, write_init};
pub use raw::{FailOn, Level, keys};
pub use selection::{
    Origin, RuleSettings, SelectionLayer, Selector, SeverityOverride, flag_selectors,
};

use crate::findings::Location;
use crate::resolve::catalog::Catalog;
use crate::source::reader::{ReadError, Reader, decode};
use crate::source::{ErrorKind, InputError, SourceFile, display_path};
use crate::value::{FileId, Span};
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "passrole.toml";

/// The size limit of a configuration file: a real one is a few kilobytes.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A loaded `passrole.toml`. Paths in it are resolved against its directory.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// `select` and `ignore`.
    pub selection: SelectionLayer,
    /// `[severity]`.
    pub severity: Vec<SeverityOverride>,
    pub fail_on: Option<FailOn>,
    /// `exclude` globs, relative to the file's directory.
    pub exclude: Vec<(String, Origin)>,
    pub respect_gitignore: Option<bool>,
    /// `baseline`, resolved against the file's directory.
    pub baseline: Option<PathBuf>,
    /// `source`, resolved against the file's directory.
    pub source: Option<PathBuf>,
    /// The built-in catalog extended with `[[passer]]` and `[[principal_set]]`; None when the file
    /// adds none.
    pub catalog: Option<Catalog>,
    pub allow: Vec<Allow>,
}

impl Config {
    /// Refuses a `source` or `baseline` outside `root`. A discovered file comes with the code
    /// under review: it must not widen what the scan may read (the scan's root includes its
    /// `source`) or point the baseline at a file elsewhere.
    pub fn check_paths_inside(&self, root: &Path) -> Result<(), InputError> {
        for (key, path) in [("source", &self.source), ("baseline", &self.baseline)] {
            let Some(path) = path else { continue };
            // Resolved when it exists (a symlink out counts as out), else as written.
            let resolved = path.canonicalize().unwrap_or_else(|_| path.clone());
            if !resolved.starts_with(root) {
                return Err(InputError {
                    file: display_path(&self.path),
                    kind: ErrorKind::Config,
                    message: format!(
                        "`{key}` {} is outside {}, the directory this scan may read; name the \
                         file with --config to use it",
                        display_path(path),
                        root.display()
                    ),
                    position: None,
                });
            }
        }
        Ok(())
    }

    /// The directory the file's relative paths and globs are resolved against.
    pub fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// The `passrole.toml` that applies to a scan of `paths`: in their common directory or one of its
/// parents, up to and including the repository root (the nearest directory holding `.git`), never
/// above it. Outside a repository only the common directory itself is looked at.
pub fn find(paths: &[PathBuf]) -> Option<PathBuf> {
    let start = common_dir(paths);
    let ancestors: Vec<&Path> = start.ancestors().collect();
    let repo = ancestors
        .iter()
        .position(|d| d.join(".git").symlink_metadata().is_ok());
    let searched = match repo {
        Some(i) => &ancestors[..=i],
        None => &ancestors[..1],
    };
    searched
        .iter()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.symlink_metadata().is_ok())
}

/// The directory the scanned paths share (a file counts as its directory), as an absolute path
/// without `.` and `..`.
fn common_dir(paths: &[PathBuf]) -> PathBuf {
    let dirs: Vec<PathBuf> = if paths.is_empty() {
        vec![exclude::absolute(Path::new("."))]
    } else {
        paths
            .iter()
            .map(|p| {
                let p = exclude::absolute(p);
                if p.is_dir() {
                    p
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or(p)
                }
            })
            .collect()
    };
    let mut common = dirs[0].clone();
    for d in &dirs[1..] {
        while !d.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// Reads and parses a configuration file. `confine`: a directory the file must resolve inside (a
/// discovered file that is a symlink out of the repository is refused); None for a file named
/// with `--config`. Errors carry the file and, for parse errors, the line and column.
pub fn load(path: &Path, confine: Option<&Path>) -> Result<Config, InputError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let reader = Reader::new(confine.unwrap_or(parent));
    let bytes = reader
        .read_bytes_limited(path, MAX_CONFIG_BYTES)
        .map_err(|e| match e {
            ReadError::NotFound => InputError {
                file: display_path(path),
                kind: ErrorKind::Config,
                message: "the configuration file does not exist".into(),
                position: None,
            },
            other => other.to_input_error(path, "the configuration file"),
        })?;
    let text = decode(bytes).map_err(|m| ReadError::Encoding(m).to_input_error(path, ""))?;
    parse(path, &text)
}

/// Parses the text of a configuration file read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Config, InputError> {
    let source = SourceFile::new(path.to_path_buf(), text.to_string());
    let origin_at = |offset: usize| Origin {
        file: source.display.clone(),
        position: Some(source.position(offset)),
    };
    let raw: raw::RawConfig = toml::from_str(text).map_err(|e| InputError {
        file: source.display.clone(),
        kind: ErrorKind::Config,
        message: raw::explain_serde_message(e.message()),
        position: e.span().map(|s| source.position(s.start)),
    })?;
    let selectors = |list: Vec<toml::Spanned<String>>| -> Vec<Selector> {
        list.into_iter()
            .map(|s| Selector {
                origin: origin_at(s.span().start),
                code: s.into_inner(),
            })
            .collect()
    };
    let mut config = Config {
        path: path.to_path_buf(),
        selection: SelectionLayer {
            select: raw.select.map(selectors),
            ignore: selectors(raw.ignore),
        },
        severity: raw
            .severity
            .into_iter()
            .map(|(rule, level)| SeverityOverride {
                origin: origin_at(rule.span().start),
                rule: rule.into_inner(),
                level: level.into_inner(),
            })
            .collect(),
        fail_on: raw.fail_on,
        exclude: raw
            .exclude
            .into_iter()
            .map(|g| {
                let origin = origin_at(g.span().start);
                (g.into_inner(), origin)
            })
            .collect(),
        respect_gitignore: raw.respect_gitignore,
        ..Config::default()
    };
    let dir = config.dir();
    // Absolute, without `..`: reports show them relative to the current directory.
    config.baseline = raw.baseline.map(|b| exclude::absolute(&dir.join(b)));
    config.source = raw.source.map(|s| exclude::absolute(&dir.join(s)));
    config.catalog = passers::extend_catalog(&raw.passer, &raw.principal_set, &origin_at)?;
    for entry in raw.allow {
        let span = entry.span();
        let entry = entry.into_inner();
        if entry.reason.trim().is_empty() {
            return Err(origin_at(span.start).error(
                "an [[allow]] entry needs a non-empty `reason`: say why it is safe".into(),
            ));
        }
        if entry.resource.is_empty() {
            return Err(origin_at(span.start).error(
                "an [[allow]] entry needs a `resource` pattern (`*` for any resource)".into(),
            ));
        }
        config.allow.push(Allow {
            rule_origin: origin_at(entry.rule.span().start),
            rule: entry.rule.into_inner(),
            resource: entry.resource,
            holder: entry.holder,
            reason: entry.reason.trim().to_string(),
            location: Location {
                file: source.display.clone(),
                start: source.position(span.start),
                end: source.position(span.end),
                // Not a file of the scan's source map: nothing may look the span up.
                span: Span {
                    file: FileId(u32::MAX),
                    start: 0,
                    end: 0,
                },
            },
        });
    }
    Ok(config)
}
