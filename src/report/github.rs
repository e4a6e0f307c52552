//! `--format github`: GitHub Actions workflow commands, one per reported finding and input error
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=PR001 <title>::<message>`), which the
//! runner turns into annotations on the pull request's changed lines.
//!
//! Escaping follows the Actions toolkit (`packages/core/src/command.ts`, `escapeData` and
//! `escapeProperty`) and the workflow command documentation
//! (<https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands>): in the
//! message `%`, `\r` and `\n` become `%25`, `%0D` and `%0A`; in a property `:` and `,` also become
//! `%3A` and `%2C`. An unescaped line break would end the command and let the rest of a hostile
//! message be read as a command of its own.
//!
//! GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and 50 per job
//! (the limits listed in the Actions toolkit's `docs/problem-matchers.md`, "Limitations"); it keeps
//! the first ones printed. So the most severe come first: input errors (the scan is incomplete
//! without them), then findings by severity, each in file and line order. What would not be shown
//! is printed as plain log lines (never lost, and never shaped like the gcc problem matcher's
//! lines), and a last `::notice` says how many more there are and where to see them; one notice
//! is kept free for it.
//!
//! Paths: GitHub resolves an annotation's `file` against the repository checkout
//! (`GITHUB_WORKSPACE`), whereas report paths are relative to the current directory. When
//! `GITHUB_WORKSPACE` is set and a file lies inside it, the path is made relative to it (a job
//! that runs passrole in `infra/` still annotates `infra/main.tf`); otherwise it is left as the
//! other reports show it.

use crate::findings::Finding;
use crate::rules::Severity;
use crate::scan::ScanResult;
use crate::source::{InputError, Position};
use std::path::PathBuf;

/// Annotations of one level GitHub shows per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// Where the step runs: the repository checkout and the current directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    /// `GITHUB_WORKSPACE` (None when unset or empty): paths are made relative to it.
    pub root: Option<PathBuf>,
    /// The directory report paths are relative to.
    pub cwd: PathBuf,
}

impl Workspace {
    /// The runner's workspace and the current directory.
    pub fn from_env() -> Workspace {
        Workspace {
            root: std::env::var_os("GITHUB_WORKSPACE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }

    /// A report path (relative to the current directory) as a path in the repository, with `/`
    /// separators; unchanged when there is no workspace or the file lies outside it.
    pub fn path(&self, file: &str) -> String {
        let Some(root) = &self.root else {
            return file.to_string();
        };
        if file.is_empty() {
            return String::new();
        }
        // Either side may name the checkout through a symlink (`/tmp` on macOS): try both forms.
        let roots = [root.clone(), root.canonicalize().unwrap_or_default()];
        let bases = [
            self.cwd.clone(),
            self.cwd.canonicalize().unwrap_or_default(),
        ];
        for base in &bases {
            let full = normalize(&base.join(file));
            for root in roots.iter().filter(|r| !r.as_os_str().is_empty()) {
                if let Ok(inside) = full.strip_prefix(normalize(root)) {
                    let s = inside.to_string_lossy().replace('\\', "/");
                    return if s.is_empty() { ".".into() } else { s };
                }
            }
        }
        file.to_string()
    }
}

use crate::source::reader::lexical_normalize as normalize;

/// The annotation level of a severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn of(severity: Severity) -> Level {
        match severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Note => Level::Notice,
        }
    }

    pub fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }

    /// The word of the other reports (`note`, not `notice`).
    fn word(self) -> &'static str {
        match self {
            Level::Notice => "note",
            other => other.command(),
        }
    }
}

/// One annotation: a finding or an input error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    /// The path in the repository (empty: no file).
    pub file: String,
    pub start: Option<Position>,
    pub end: Option<Position>,
    pub title: String,
    /// The message, possibly of several lines.
    pub message: String,
    /// What the annotation adds after the message: related locations, the fix.
    pub detail: String,
}

impl Annotation {
    /// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
    pub fn command(&self) -> String {
        let mut props: Vec<String> = Vec::new();
        if !self.file.is_empty() {
            props.push(format!("file={}", escape_property(&self.file)));
        }
        if let Some(start) = self.start {
            props.push(format!("line={}", start.line));
            let end = self.end.filter(|e| *e >= start);
            // Columns only mean something on one line: GitHub's check-run annotations take
            // `start_column`/`end_column` only when the start and end lines are the same.
            let one_line = end.is_none_or(|e| e.line == start.line);
            if one_line {
                props.push(format!("col={}", start.column));
            }
            if let Some(end) = end {
                props.push(format!("endLine={}", end.line));
                if one_line {
                    props.push(format!("endColumn={}", end.column));
                }
            }
        }
        props.push(format!("title={}", escape_property(&self.title)));
        format!(
            "::{} {}::{}{}",
            self.level.command(),
            props.join(","),
            escape_data(&self.message),
            escape_data(&self.detail)
        )
    }

    /// The annotation as a plain log line (for those GitHub would not show): `error main.tf:3:5
    /// PR001 title: message`, on one line, without the detail.
    pub fn plain(&self) -> String {
        let mut place = if self.file.is_empty() {
            "passrole".to_string()
        } else {
            self.file.clone()
        };
        if let Some(p) = self.start {
            place.push_str(&format!(":{}:{}", p.line, p.column));
        }
        let message = self.message.split_whitespace().collect::<Vec<_>>();
        format!(
            "{} {place} {}: {}",
            self.level.word(),
            self.title,
            message.join(" ")
        )
    }
}

/// Workflow-command data: `%`, `\r`, `\n` percent-encoded.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow-command property value: the data escapes, and `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The title of a rule: `PR001 <rule title>` (the ID alone for a rule not loaded).
pub fn rule_title(result: &ScanResult, rule: &str) -> String {
    match result.rules.iter().find(|r| r.meta.id == rule) {
        Some(r) => format!("{rule} {}", r.meta.title.trim()),
        None => rule.to_string(),
    }
}

/// A finding's annotation: the message, then its related locations and the fix.
pub fn finding(result: &ScanResult, f: &Finding, ws: &Workspace) -> Annotation {
    let mut detail = String::new();
    if !f.related.is_empty() {
        detail.push('\n');
        for r in &f.related {
            let at = ws.path(&r.location.file);
            detail.push_str(&format!(
                "\n{}: {at}:{}:{}",
                r.message, r.location.start.line, r.location.start.column
            ));
        }
    }
    let help = unwrap_paragraphs(&f.help);
    if !help.is_empty() {
        detail.push_str("\n\nFix: ");
        detail.push_str(&help);
    }
    Annotation {
        level: Level::of(f.severity),
        file: ws.path(&f.location.file),
        start: Some(f.location.start),
        end: Some(f.location.end),
        title: rule_title(result, &f.rule),
        message: f.message.clone(),
        detail,
    }
}

/// An input error's annotation; `.` (the whole run, as a failed `passrole plan`) names no file.
pub fn error(e: &InputError, ws: &Workspace) -> Annotation {
    let file = if e.file == "." {
        String::new()
    } else {
        ws.path(&e.file)
    };
    Annotation {
        level: Level::Error,
        file,
        start: e.position,
        end: None,
        title: format!("passrole input error ({})", e.kind.as_str()),
        message: e.message.clone(),
        detail: String::new(),
    }
}

/// Rule help is hard-wrapped text: its paragraphs, each on one line.
fn unwrap_paragraphs(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The annotations of a scan, most severe first: input errors, then errors, warnings and notes,
/// each in report (file and line) order.
pub fn annotations(result: &ScanResult, ws: &Workspace) -> Vec<Annotation> {
    let mut findings: Vec<&Finding> = super::reported(result).collect();
    // A stable sort keeps report order within a severity.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    result
        .errors
        .iter()
        .map(|e| error(e, ws))
        // Annotations on a fetched module's file would not show: they go on the module call.
        .chain(findings.into_iter().map(|f| {
            finding(
                result,
                &super::repository::in_repository(&result.sources, f),
                ws,
            )
        }))
        .collect()
}

/// Which annotations GitHub shows: the first [`ANNOTATIONS_PER_LEVEL`] of each level, one notice
/// fewer when some are left over (the last notice says so). Returns, per annotation, whether it
/// is shown, and how many are not.
pub fn shown(annotations: &[Annotation]) -> (Vec<bool>, usize) {
    let count = |l: Level| annotations.iter().filter(|a| a.level == l).count();
    let over = [Level::Error, Level::Warning, Level::Notice]
        .iter()
        .any(|l| count(*l) > ANNOTATIONS_PER_LEVEL);
    let cap = |l: Level| {
        if over && l == Level::Notice {
            ANNOTATIONS_PER_LEVEL - 1
        } else {
            ANNOTATIONS_PER_LEVEL
        }
    };
    let mut used = [0usize; 3];
    let flags: Vec<bool> = annotations
        .iter()
        .map(|a| {
            let n = &mut used[a.level as usize];
            *n += 1;
            *n <= cap(a.level)
        })
        .collect();
    let hidden = flags.iter().filter(|s| !**s).count();
    (flags, hidden)
}

/// How many findings and input errors of a scan get no annotation (GitHub's per-step limits).
pub fn not_annotated(result: &ScanResult) -> usize {
    shown(&annotations(result, &Workspace::default())).1
}

pub fn render(result: &ScanResult) -> String {
    render_in(result, &Workspace::from_env())
}

/// The workflow commands of a scan, paths relative to `ws`.
pub fn render_in(result: &ScanResult, ws: &Workspace) -> String {
    let all = annotations(result, ws);
    let (flags, hidden) = shown(&all);
    let mut out = String::new();
    for (a, _) in all.iter().zip(&flags).filter(|(_, s)| **s) {
        out.push_str(&a.command());
        out.push('\n');
    }
    if hidden == 0 {
        return out;
    }
    let mut by_level = [0usize; 3];
    for (a, _) in all.iter().zip(&flags).filter(|(_, s)| !**s) {
        out.push_str(&a.plain());
        out.push('\n');
        by_level[a.level as usize] += 1;
    }
    let parts: Vec<String> = [("error", by_level[0]), ("warning", by_level[1])]
        .into_iter()
        .chain([("note", by_level[2])])
        .filter(|(_, n)| *n > 0)
        .map(|(word, n)| plural(n, word))
        .collect();
    let trailer = Annotation {
        level: Level::Notice,
        file: String::new(),
        start: None,
        end: None,
        title: format!("passrole: {hidden} more not annotated"),
        message: format!(
            "GitHub shows {ANNOTATIONS_PER_LEVEL} annotations of each level per step; {} more \
             ({}) are listed in this step's log just above this line, in the job summary, and in \
             code scanning when the SARIF report is uploaded.",
            hidden,
            parts.join(", ")
        ),
        detail: String::new(),
    };
    out.push_str(&trailer.command());
    out.push('\n');
    out
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    fn annotation(level: Level, n: usize) -> Annotation {
        Annotation {
            level,
            file: "main.tf".into(),
            start: at(n, 1),
            end: at(n, 5),
            title: "PR010 t".into(),
            message: "m".into(),
            detail: String::new(),
        }
    }

    #[test]
    fn data_and_properties_are_escaped() {
        assert_eq!(escape_data("50%\r\nnext: a, b"), "50%25%0D%0Anext: a, b");
        assert_eq!(escape_property("a%b:c,d\ne"), "a%25b%3Ac%2Cd%0Ae");
    }

    #[test]
    fn commands_have_positions_and_columns_only_on_one_line() {
        let mut a = annotation(Level::Warning, 3);
        a.file = "dir,x/a:b.tf".into();
        a.message = "two\nlines".into();
        a.detail = "\n\nFix: x".into();
        assert_eq!(
            a.command(),
            "::warning file=dir%2Cx/a%3Ab.tf,line=3,col=1,endLine=3,endColumn=5,title=PR010 t::two%0Alines%0A%0AFix: x"
        );
        a.end = at(7, 2);
        assert_eq!(
            a.command(),
            "::warning file=dir%2Cx/a%3Ab.tf,line=3,endLine=7,title=PR010 t::two%0Alines%0A%0AFix: x"
        );
        a.start = None;
        a.file = String::new();
        assert_eq!(
            a.command(),
            "::warning title=PR010 t::two%0Alines%0A%0AFix: x"
        );
        assert_eq!(a.plain(), "warning passrole PR010 t: two lines");
    }

    #[test]
    fn ten_of_each_level_and_one_notice_kept_for_the_trailer() {
        let mut all: Vec<Annotation> = (1..=12).map(|n| annotation(Level::Error, n)).collect();
        all.extend((1..=10).map(|n| annotation(Level::Notice, n)));
        let (flags, hidden) = shown(&all);
        assert_eq!(hidden, 3);
        assert!(flags[..10].iter().all(|s| *s));
        assert!(!flags[10] && !flags[11]);
        assert!(flags[12..21].iter().all(|s| *s));
        assert!(!flags[21]);
        // Nothing over the limit: every notice is shown.
        let (_, hidden) = shown(&all[2..]);
        assert_eq!(hidden, 0);
    }

    #[test]
    fn paths_become_relative_to_the_workspace() {
        let ws = Workspace {
            root: Some(PathBuf::from("/w/repo")),
            cwd: PathBuf::from("/w/repo/infra"),
        };
        assert_eq!(ws.path("main.tf"), "infra/main.tf");
        assert_eq!(ws.path("../modules/a.tf"), "modules/a.tf");
        assert_eq!(ws.path("/w/repo/x.yaml"), "x.yaml");
        assert_eq!(ws.path("/elsewhere/y.tf"), "/elsewhere/y.tf");
        assert_eq!(ws.path("../../other/z.tf"), "../../other/z.tf");
        let none = Workspace {
            root: None,
            cwd: PathBuf::from("/w/repo/infra"),
        };
        assert_eq!(none.path("main.tf"), "main.tf");
    }

    #[test]
    fn help_paragraphs_are_unwrapped() {
        assert_eq!(
            unwrap_paragraphs("Do this\nand that.\n\nThen  more.\n"),
            "Do this and that.\nThen more."
        );
    }
}
