//! The Markdown summary of a scan: the GitHub job summary, and `--format markdown`.
//!
//! When a run writes a `github` report and `GITHUB_STEP_SUMMARY` names a file (an empty value
//! counts as unset, so a step can opt out with `GITHUB_STEP_SUMMARY=`), the summary is APPENDED to
//! that file, as GitHub asks of every step that adds to the job summary
//! (<https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands>, "Adding a
//! job summary"). Other formats never write it: a run that asks for SARIF only gets SARIF only.
//! `--format markdown[=FILE]` writes the same Markdown where a report goes (a pull-request comment,
//! another CI system), with links when the GitHub variables are set.
//!
//! GitHub refuses a step summary over 1 MiB ("$GITHUB_STEP_SUMMARY upload aborted, supports content
//! up to a size of 1024k"), and loses all of it. The summary therefore fits in what is left of
//! 1 MiB after what the step already wrote: the findings table is cut to fit (and to at most
//! [`MAX_ROWS`] rows), the diagram and the input errors to a quarter each, and a line says what was
//! cut and where the full list is.
//!
//! Text from the scanned files (messages, resource and file names) is escaped for a table cell:
//! `|`, line breaks, HTML (`<`, `>`, `&`) and the Markdown characters that would make a link,
//! code or emphasis out of it.

use super::github::{self, Workspace, plural};
use super::mermaid;
use crate::findings::{Finding, SuppressionKind};
use crate::rules::Severity;
use crate::scan::ScanResult;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// GitHub's limit of one step's summary.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// Findings listed at most.
pub const MAX_ROWS: usize = 1000;

/// A message cell's length at most, in characters.
const MAX_CELL_CHARS: usize = 1000;

/// What the summary is written for.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub workspace: Workspace,
    /// `https://github.com/OWNER/REPO/blob/SHA/`: locations link to the file at the commit.
    pub blob: Option<String>,
    /// The bytes the summary may take.
    pub budget: usize,
    /// Annotations were written (`--format github`): the summary says how many GitHub does not show.
    pub annotations: bool,
}

impl Context {
    /// The context of this run from `GITHUB_WORKSPACE`, `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY` and
    /// `GITHUB_SHA`.
    pub fn from_env(budget: usize, annotations: bool) -> Context {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let blob = match (
            var("GITHUB_SERVER_URL"),
            var("GITHUB_REPOSITORY"),
            var("GITHUB_SHA"),
        ) {
            (Some(server), Some(repo), Some(sha)) => Some(format!(
                "{}/{}/blob/{}/",
                url_text(server.trim_end_matches('/')),
                url_text(&repo),
                url_text(&sha)
            )),
            _ => None,
        };
        Context {
            workspace: Workspace::from_env(),
            blob,
            budget,
            annotations,
        }
    }
}

/// `--format markdown`: the summary as a report.
pub fn render(result: &ScanResult) -> String {
    render_in(result, &Context::from_env(STEP_SUMMARY_LIMIT, false))
}

/// With a `github` report and `GITHUB_STEP_SUMMARY` set: the summary appended to that file.
pub fn append_step_summary(result: &ScanResult, formats: &[super::Format]) -> Result<(), String> {
    if !formats.contains(&super::Format::Github) {
        return Ok(());
    }
    match std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) {
        Some(path) => append(Path::new(&path), result, true),
        None => Ok(()),
    }
}

/// Appends the summary to `path`, within what is left of the step's 1 MiB.
pub fn append(path: &Path, result: &ScanResult, annotations: bool) -> Result<(), String> {
    let fail = |e: std::io::Error| {
        format!(
            "writing the job summary to {}: {e}",
            crate::source::display_path(path)
        )
    };
    let existing = match std::fs::metadata(path) {
        Ok(m) => usize::try_from(m.len()).unwrap_or(usize::MAX),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(fail(e)),
    };
    let budget = STEP_SUMMARY_LIMIT
        .saturating_sub(existing)
        .saturating_sub(1);
    let mut text = render_in(result, &Context::from_env(budget, annotations));
    if existing > 0 {
        text.insert(0, '\n');
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(fail)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(fail)
}

/// The summary of a scan.
pub fn render_in(result: &ScanResult, ctx: &Context) -> String {
    let reported: Vec<&Finding> = {
        let mut v: Vec<&Finding> = super::reported(result).collect();
        v.sort_by_key(|f| std::cmp::Reverse(f.severity));
        v
    };
    let mut out = heading(result, &reported);
    out.push_str(&rule_table(result));
    if ctx.annotations {
        let hidden = github::not_annotated(result);
        if hidden > 0 {
            let _ = writeln!(
                out,
                "> GitHub shows {} annotations of each level per step: {} of this run's findings \
                 and input errors have no annotation on the pull request. All of them are listed \
                 in this step's log.\n",
                github::ANNOTATIONS_PER_LEVEL,
                hidden
            );
        }
    }
    let quarter = ctx.budget / 4;
    let errors = errors_section(result, ctx, quarter);
    let diagram = diagram_section(result, &reported, quarter);
    let escalations = escalation_section(result, &reported, quarter);
    // What is left, less the line saying what was cut.
    let table_budget = ctx
        .budget
        .saturating_sub(out.len() + errors.len() + diagram.len() + escalations.len() + 400);
    out.push_str(&findings_section(
        &reported,
        &result.sources,
        ctx,
        table_budget,
    ));
    out.push_str(&errors);
    out.push_str(&escalations);
    out.push_str(&diagram);
    out
}

/// `## passrole: 2 errors, 1 warning, 0 notes` and a line of what else happened.
fn heading(result: &ScanResult, reported: &[&Finding]) -> String {
    let count = |s: Severity| reported.iter().filter(|f| f.severity == s).count();
    let mut out = if reported.is_empty() {
        "## passrole: no findings\n\n".to_string()
    } else {
        format!(
            "## passrole: {}, {}, {}\n\n",
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            plural(count(Severity::Note), "note")
        )
    };
    let mut facts = vec![format!("Scanned {}.", plural(result.files, "file"))];
    let suppressed = super::suppressed(result);
    if suppressed > 0 {
        let kinds: Vec<String> = [
            SuppressionKind::Inline,
            SuppressionKind::Metadata,
            SuppressionKind::Config,
            SuppressionKind::Baseline,
        ]
        .iter()
        .filter_map(|k| {
            let n = result
                .findings
                .iter()
                .filter(|f| f.suppression.as_ref().is_some_and(|s| s.kind == *k))
                .count();
            (n > 0).then(|| format!("{n} {}", k.as_str()))
        })
        .collect();
        facts.push(format!(
            "{} suppressed ({}).",
            plural(suppressed, "finding"),
            kinds.join(", ")
        ));
    }
    if let Some(b) = &result.baseline {
        facts.push(format!(
            "Baseline {}: {} matched, {}.",
            cell(&b.file),
            plural(b.matched, "finding"),
            if b.stale.len() == 1 {
                "1 stale entry".to_string()
            } else {
                format!("{} stale entries", b.stale.len())
            }
        ));
    }
    if !result.errors.is_empty() {
        facts.push(format!(
            "**{}: the scan is incomplete.**",
            plural(result.errors.len(), "input error")
        ));
    }
    out.push_str(&facts.join(" "));
    out.push_str("\n\n");
    out
}

/// Per rule: its severity, title, and how many findings are reported and suppressed.
fn rule_table(result: &ScanResult) -> String {
    let mut per_rule: BTreeMap<&str, (Severity, usize, usize)> = BTreeMap::new();
    for f in &result.findings {
        let e = per_rule
            .entry(f.rule.as_str())
            .or_insert((f.severity, 0, 0));
        if f.is_suppressed() {
            e.2 += 1;
        } else {
            e.1 += 1;
        }
    }
    if per_rule.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "| Rule | Severity | Title | Findings | Suppressed |\n|---|---|---|--:|--:|\n",
    );
    for (rule, (severity, reported, suppressed)) in per_rule {
        let title = result
            .rules
            .iter()
            .find(|r| r.meta.id == rule)
            .map_or("", |r| r.meta.title.trim());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {reported} | {suppressed} |",
            cell(rule),
            severity.as_str(),
            cell(title)
        );
    }
    out.push('\n');
    out
}

/// The findings, most severe first, as many as fit in `budget` bytes.
fn findings_section(
    reported: &[&Finding],
    sources: &crate::source::SourceMap,
    ctx: &Context,
    budget: usize,
) -> String {
    if reported.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "### Findings\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n",
    );
    let mut listed = 0;
    for f in reported.iter().take(MAX_ROWS) {
        // A finding in a fetched module links to its module call: `.terraform` is not in the
        // repository the link points into.
        let f = super::repository::in_repository(sources, f);
        let place = ctx.workspace.path(&f.location.file);
        let row = format!(
            "| {} | {} | {} | {} |\n",
            f.severity.as_str(),
            cell(&f.rule),
            location(
                ctx,
                &place,
                Some(f.location.start.line),
                f.location.end.line
            ),
            cell(&f.message)
        );
        if out.len() + row.len() > budget {
            break;
        }
        out.push_str(&row);
        listed += 1;
    }
    if listed < reported.len() {
        let _ = writeln!(
            out,
            "\n… and {} more {}: not listed here, to keep the summary under GitHub's 1 MiB limit. \
             This step's log, the SARIF report (code scanning) and the JSON report list every finding.",
            reported.len() - listed,
            if reported.len() - listed == 1 {
                "finding"
            } else {
                "findings"
            }
        );
    }
    out.push('\n');
    out
}

/// The inputs that could not be read, as many as fit in `budget` bytes.
fn errors_section(result: &ScanResult, ctx: &Context, budget: usize) -> String {
    if result.errors.is_empty() {
        return String::new();
    }
    let mut out = String::from("### Input errors\n\n| File | Kind | Message |\n|---|---|---|\n");
    let mut listed = 0;
    for e in &result.errors {
        let place = ctx.workspace.path(&e.file);
        let line = e.position.map(|p| p.line);
        let row = format!(
            "| {} | {} | {} |\n",
            location(ctx, &place, line, line.unwrap_or(0)),
            e.kind.as_str(),
            cell(&e.message)
        );
        if out.len() + row.len() + 200 > budget {
            break;
        }
        out.push_str(&row);
        listed += 1;
    }
    if listed < result.errors.len() {
        let _ = writeln!(
            out,
            "\n… and {} more input {}: see the step's log or the JSON report.",
            result.errors.len() - listed,
            if result.errors.len() - listed == 1 {
                "error"
            } else {
                "errors"
            }
        );
    }
    out.push('\n');
    out
}

/// The Mermaid graph of the escalation paths that PR020 findings report (bounded like the graph
/// of `passrole graph`).
fn escalation_section(result: &ScanResult, reported: &[&Finding], budget: usize) -> String {
    let paths = super::graph::paths_of_findings(
        &result.facts.document,
        reported.iter().copied().filter(|f| f.rule == "PR020"),
    );
    if paths.is_empty() {
        return String::new();
    }
    let graph = super::graph::mermaid(&paths);
    if graph.len() + 300 > budget.min(mermaid::MAX_BYTES) {
        return format!(
            "### Escalation paths\n\n{} escalation paths: too many to draw here; `passrole graph \
             --escalations-only` prints them.\n\n",
            paths.len()
        );
    }
    format!(
        "### Escalation paths\n\nWho can pass which role to which service, gaining what (PR020): the \
         thick red edges are the escalations, labelled with the PassRole resource and what the \
         role allows beyond its passer.\n\n```mermaid\n{graph}```\n\n"
    )
}

/// The Mermaid diagram of the roles passed to services that findings are about.
fn diagram_section(result: &ScanResult, reported: &[&Finding], budget: usize) -> String {
    let max = mermaid::MAX_BYTES.min(budget.saturating_sub(300));
    let Some(d) = mermaid::pass_diagram(&result.facts.document, reported.iter().copied(), max)
    else {
        return String::new();
    };
    if d.roles_shown == 0 {
        return String::new();
    }
    let mut out = format!(
        "### Roles passed to services\n\nEach role of a finding, the services it is passed to \
         (by which resource and attribute) and the principals its trust policy trusts; what the \
         findings point at is drawn in red.\n\n```mermaid\n{}```\n",
        d.text
    );
    if d.roles_shown < d.roles_total {
        let _ = writeln!(
            out,
            "\nThe diagram shows {} of {} roles.",
            d.roles_shown, d.roles_total
        );
    }
    out.push('\n');
    out
}

/// `file:line`, linked to the file at the commit when the run is on GitHub and the file is in the
/// repository.
fn location(ctx: &Context, path: &str, line: Option<usize>, end_line: usize) -> String {
    if path.is_empty() || path == "." {
        return String::new();
    }
    let text = match line {
        Some(l) => cell(&format!("{path}:{l}")),
        None => cell(path),
    };
    let inside = !(path.starts_with('/') || path.starts_with("../") || path.contains(":\\"));
    match (&ctx.blob, inside) {
        (Some(blob), true) => {
            let anchor = match line {
                Some(l) if end_line > l => format!("#L{l}-L{end_line}"),
                Some(l) => format!("#L{l}"),
                None => String::new(),
            };
            format!("[{text}]({blob}{}{anchor})", url_path(path))
        }
        _ => text,
    }
}

/// A repository path in a URL: every byte but unreserved characters and `/` percent-encoded.
fn url_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A value of the GitHub environment in a link: the characters that would end a Markdown link
/// destination percent-encoded.
fn url_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            ' ' | '(' | ')' | '<' | '>' | '"' | '\\' | '`' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text in a table cell: `|` and Markdown punctuation escaped, HTML as entities, line breaks as
/// `<br>`, at most [`MAX_CELL_CHARS`] characters.
pub fn cell(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate().take(MAX_CELL_CHARS) {
        let alnum = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' if chars.get(i + 1) == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            // An underscore inside a word (`aws_iam_role`) is never emphasis in GitHub Markdown.
            '_' if alnum(i.checked_sub(1)) && alnum(Some(i + 1)) => out.push('_'),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    if chars.len() > MAX_CELL_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        assert_eq!(
            cell("a|b\r\nc <img src=x> [x](http://e) `c` *s* aws_iam_role _x_ \\"),
            "a\\|b<br>c &lt;img src=x&gt; \\[x\\](http://e) \\`c\\` \\*s\\* aws_iam_role \\_x\\_ \\\\"
        );
        assert_eq!(
            cell(&"x".repeat(MAX_CELL_CHARS + 5)).chars().count(),
            MAX_CELL_CHARS + 1
        );
    }

    #[test]
    fn locations_link_to_the_commit() {
        let ctx = Context {
            blob: Some("https://github.com/o/r/blob/abc/".into()),
            ..Context::default()
        };
        assert_eq!(
            location(&ctx, "infra/a b#.tf", Some(3), 3),
            "[infra/a b#.tf:3](https://github.com/o/r/blob/abc/infra/a%20b%23.tf#L3)"
        );
        assert_eq!(
            location(&ctx, "m.yaml", Some(3), 9),
            "[m.yaml:3](https://github.com/o/r/blob/abc/m.yaml#L3-L9)"
        );
        assert_eq!(location(&ctx, "../out.tf", Some(1), 1), "../out.tf:1");
        assert_eq!(location(&Context::default(), "m.tf", None, 0), "m.tf");
        assert_eq!(url_text("https://x (y)"), "https://x%20%28y%29");
    }
}
