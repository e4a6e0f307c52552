//! One module per input format; each lowers its input to the common model.

pub mod cloudformation;
pub mod json;
mod lowering;
pub mod opaque;
pub mod plan;
pub mod reader;
pub mod terraform;

pub(crate) use lowering::{Input, lower_all, parse_all};

use crate::source::json::LineIndex;
use crate::value::{FileId, Span};
use std::fmt;
use std::path::{Path, PathBuf};

/// One input file: where it is, how to show its name, and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as reports show it: relative to the current directory where possible, `/`-separated.
    pub display: String,
    pub text: String,
    lines: LineIndex,
    /// For text synthesized from another file (`.tf.json` rewritten as HCL): that file and how
    /// offsets map back to it. Every span in this file is reported in the original.
    pub origin: Option<Origin>,
}

/// How a synthesized file's offsets map back to the file it was made from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: FileId,
    /// Copied pieces, sorted by `synth`: `synth_len` bytes at `synth` stand for `orig_len` bytes at
    /// `orig` (the same bytes when the lengths are equal; a rewritten token otherwise).
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub synth: u32,
    pub orig: u32,
    pub synth_len: u32,
    pub orig_len: u32,
}

impl Origin {
    /// The original offset of a synthesized one. Offsets in synthesized glue (braces, `=`) map to
    /// the next copied piece for a start, to the previous one for an end.
    pub fn map(&self, offset: u32, is_end: bool) -> u32 {
        let end = |s: &Segment| s.synth + s.synth_len;
        let i = self
            .segments
            .partition_point(|s| end(s) < offset || (end(s) == offset && !is_end));
        match self.segments.get(i) {
            Some(s) if s.synth <= offset => {
                if s.synth_len == s.orig_len {
                    s.orig + (offset - s.synth)
                } else if is_end {
                    s.orig + s.orig_len
                } else {
                    s.orig
                }
            }
            Some(s) if !is_end => s.orig,
            _ => match i.checked_sub(1).and_then(|j| self.segments.get(j)) {
                Some(prev) => prev.orig + prev.orig_len,
                None => self.segments.first().map(|s| s.orig).unwrap_or(0),
            },
        }
    }
}

/// 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let lines = LineIndex::new(&text);
        SourceFile {
            display: display_path(&path),
            path,
            text,
            lines,
            origin: None,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let (line, column) = self.lines.position(offset);
        Position { line, column }
    }
}

/// All files of a scan; [`FileId`] indexes it.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Module directory → the `module "NAME"` header of the first call that loaded it. Reports
    /// that must point inside the repository move a finding out of a module fetched by
    /// `terraform init` (`.terraform/modules/...`) to the call (`report::repository`).
    module_calls: std::collections::BTreeMap<PathBuf, Span>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Records that `dir` is the directory the `module` block at `call` loads; the first call
    /// recorded for a directory is kept.
    /// Directories are known by their resolved path: the Terraform load and the plan's
    /// configuration name them differently.
    pub fn record_module_call(&mut self, dir: &Path, call: Span) {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        self.module_calls.entry(dir).or_insert(call);
    }

    /// The `module` block that loads the directory of `file`, if one was recorded.
    pub fn module_call_of(&self, file: FileId) -> Option<Span> {
        let dir = self.get(file)?.path.parent()?;
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        self.module_calls.get(&dir).copied()
    }

    /// The span in the file the user wrote: spans of synthesized files are mapped back.
    pub fn original(&self, span: Span) -> Span {
        match self.get(span.file).and_then(|f| f.origin.as_ref()) {
            Some(o) => Span {
                file: o.file,
                start: o.map(span.start, false),
                end: o.map(span.end, true).max(o.map(span.start, false)),
            },
            None => span,
        }
    }

    /// The text a span covers, or "" when the span is out of range.
    pub fn snippet(&self, span: Span) -> &str {
        let span = self.original(span);
        self.get(span.file)
            .and_then(|f| f.text.get(span.start as usize..span.end as usize))
            .unwrap_or("")
    }
}

/// `path` relative to the current directory when it lies below it, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let relative = relative.strip_prefix(".").unwrap_or(&relative);
    let s = relative.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".to_string() } else { s }
}

/// The stable machine name of an input error (the `kind` of the JSON report's `errors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Io,
    Parse,
    Encoding,
    Limit,
    Rule,
    Config,
    /// A path that resolves outside the scan root: not read.
    Outside,
    /// A panic inside passrole while handling one unit: a bug, reported for that unit only.
    Internal,
    /// A file named on the command line (or standard input) that is not a Terraform, CloudFormation
    /// or plan file.
    Input,
    /// `passrole plan`: terraform could not produce the plan.
    Terraform,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Parse => "parse",
            ErrorKind::Encoding => "encoding",
            ErrorKind::Limit => "limit",
            ErrorKind::Rule => "rule",
            ErrorKind::Config => "config",
            ErrorKind::Outside => "outside",
            ErrorKind::Internal => "internal",
            ErrorKind::Input => "input",
            ErrorKind::Terraform => "terraform",
        }
    }
}

/// An input that could not be read or understood. It never stops the scan.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// The file as reports show it.
    pub file: String,
    pub kind: ErrorKind,
    pub message: String,
    pub position: Option<Position>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl InputError {
    /// An error at a span of a file of the map.
    pub fn at(
        sources: &SourceMap,
        span: Span,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> InputError {
        let span = sources.original(span);
        let file = sources.get(span.file);
        InputError {
            file: file.map(|f| f.display.clone()).unwrap_or_default(),
            kind,
            message: message.into(),
            position: file.map(|f| f.position(span.start as usize)),
        }
    }
}

/// A value written as a policy document that is not one: the input error that says so, and the
/// policy value that stands for it (`Invalid`, so that it is not reported again as a coverage gap).
pub fn invalid_policy(
    sources: &SourceMap,
    e: crate::iam::policy::PolicyError,
) -> (crate::iam::policy::PolicyValue, InputError) {
    let error = InputError::at(
        sources,
        e.span,
        ErrorKind::Parse,
        format!("not a policy document: {}", e.message),
    );
    (
        crate::iam::policy::PolicyValue::Invalid {
            reason: e.message,
            span: e.span,
        },
        error,
    )
}
