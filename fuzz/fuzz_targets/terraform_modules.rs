//! The Terraform evaluator on generated module trees: a few sibling module directories whose
//! `variable`s, `locals`, `module` calls (with `count`/`for_each`) and `output`s reference each other
//! through `concat`, conditionals, lists, objects, `for` expressions and templates, plus one role
//! and one Lambda function whose trust principal and role come from those expressions. Each run
//! parses, loads and lowers the module tree as `scan_texts` does (set `PASSROLE_FUZZ_SCAN=1` to run
//! `scan_texts` itself, facts and rules included).
//!
//! The inputs are always well-formed HCL, so every execution reaches the evaluator. This target
//! exists to find unbounded work (a local doubled by `concat(l, l)` at each step, module fan-out
//! through `for_each`, reference cycles): run it with `-timeout=10 -rss_limit_mb=2048`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use passrole::resolve::catalog::Catalog;
use passrole::source::terraform;
use passrole::source::{SourceFile, SourceMap};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Names per kind (`l0`..`l5`, `v0`..`v5`, ...): few, so that references often hit a definition.
const NAMES: u8 = 6;
/// At most this many modules, and this many items of any list in the input.
const MAX_MODULES: usize = 4;
const MAX_ITEMS: usize = 4;
/// Deeper expressions are cut to a literal: the input bounds the text, this bounds the nesting.
const MAX_DEPTH: usize = 6;

#[derive(Arbitrary, Debug)]
struct Input {
    modules: Vec<Module>,
    /// The module (by index) that defines the role and the function.
    home: u8,
    trust: Expr,
    pass: Expr,
}

#[derive(Arbitrary, Debug)]
struct Module {
    variables: Vec<(u8, Option<Expr>)>,
    locals: Vec<(u8, Expr)>,
    calls: Vec<Call>,
    outputs: Vec<(u8, Expr)>,
}

#[derive(Arbitrary, Debug)]
struct Call {
    name: u8,
    /// The called module: any module but the root (a call to the root would leave no root).
    target: u8,
    repeat: Option<Repeat>,
    args: Vec<(u8, Expr)>,
}

#[derive(Arbitrary, Debug)]
enum Repeat {
    Count(Expr),
    ForEach(Expr),
}

#[derive(Arbitrary, Debug)]
enum Word {
    Lambda,
    Ec2,
    Star,
    RoleArn,
    RolePath,
    Empty,
    Key(u8),
}

#[derive(Arbitrary, Debug)]
enum Expr {
    Str(Word),
    Num(u8),
    Bool(bool),
    Null,
    Local(u8),
    Var(u8),
    Output(u8, u8),
    RoleArn,
    RoleName,
    Each,
    CountIndex,
    Concat(Vec<Expr>),
    List(Vec<Expr>),
    Object(Vec<(u8, Expr)>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Eq(Box<Expr>, Box<Expr>),
    Template(Vec<Expr>),
    Join(Box<Expr>),
    Index(Box<Expr>, u8),
    Attr(Box<Expr>, u8),
    Length(Box<Expr>),
    Flatten(Box<Expr>),
    Merge(Vec<Expr>),
    Lookup(Box<Expr>, u8),
    For(Box<Expr>),
    ForMap(Box<Expr>),
    Splat(Box<Expr>),
    Element(Box<Expr>, u8),
    Coalesce(Vec<Expr>),
    Try(Vec<Expr>),
    ToSet(Box<Expr>),
    Format(Box<Expr>),
}

fn n(i: u8) -> u8 {
    i % NAMES
}

/// Keeps the first item of each name: hcl-edit rejects an attribute written twice in one body, and
/// Terraform a block name declared twice, so duplicates would only be parse errors.
fn unique<'a, T>(items: &'a [T], name: impl Fn(&T) -> u8) -> impl Iterator<Item = &'a T> {
    let mut seen = [false; NAMES as usize];
    items.iter().take(MAX_ITEMS * 2).filter(move |item| {
        let i = usize::from(n(name(item)));
        !std::mem::replace(&mut seen[i], true)
    })
}

fn word(w: &Word) -> String {
    match w {
        Word::Lambda => "lambda.amazonaws.com".into(),
        Word::Ec2 => "ec2.amazonaws.com".into(),
        Word::Star => "*".into(),
        Word::RoleArn => "arn:aws:iam::123456789012:role/app/worker".into(),
        Word::RolePath => "arn:aws:iam::123456789012:role/app/*".into(),
        Word::Empty => String::new(),
        Word::Key(k) => format!("k{}", n(*k)),
    }
}

/// Writes `items` as `f(a, b, ...)`-style arguments, at most [`MAX_ITEMS`] of them.
fn list(out: &mut String, items: &[Expr], depth: usize) {
    for (i, e) in items.iter().take(MAX_ITEMS).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        expr(out, e, depth + 1);
    }
}

fn call1(out: &mut String, f: &str, e: &Expr, depth: usize) -> std::fmt::Result {
    write!(out, "{f}(")?;
    expr(out, e, depth + 1);
    write!(out, ")")
}

fn expr(out: &mut String, e: &Expr, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("\"deep\"");
        return;
    }
    let _ = match e {
        Expr::Str(w) => write!(out, "\"{}\"", word(w)),
        Expr::Num(v) => write!(out, "{v}"),
        Expr::Bool(b) => write!(out, "{b}"),
        Expr::Null => write!(out, "null"),
        Expr::Local(i) => write!(out, "local.l{}", n(*i)),
        Expr::Var(i) => write!(out, "var.v{}", n(*i)),
        Expr::Output(c, o) => write!(out, "module.c{}.o{}", n(*c), n(*o)),
        Expr::RoleArn => write!(out, "aws_iam_role.r.arn"),
        Expr::RoleName => write!(out, "aws_iam_role.r.name"),
        Expr::Each => write!(out, "each.value"),
        Expr::CountIndex => write!(out, "count.index"),
        Expr::Concat(items) => {
            out.push_str("concat(");
            list(out, items, depth);
            write!(out, ")")
        }
        Expr::List(items) => {
            out.push('[');
            list(out, items, depth);
            write!(out, "]")
        }
        Expr::Object(entries) => {
            out.push('{');
            for (i, (k, v)) in unique(entries, |e| e.0).enumerate() {
                let _ = write!(out, "{}k{} = ", if i > 0 { ", " } else { "" }, n(*k));
                expr(out, v, depth + 1);
            }
            write!(out, "}}")
        }
        Expr::Cond(c, a, b) => {
            out.push('(');
            expr(out, c, depth + 1);
            out.push_str(" ? ");
            expr(out, a, depth + 1);
            out.push_str(" : ");
            expr(out, b, depth + 1);
            write!(out, ")")
        }
        Expr::Eq(a, b) => {
            out.push('(');
            expr(out, a, depth + 1);
            out.push_str(" == ");
            expr(out, b, depth + 1);
            write!(out, ")")
        }
        Expr::Template(parts) => {
            out.push('"');
            for (i, p) in parts.iter().take(MAX_ITEMS).enumerate() {
                if i > 0 {
                    out.push('-');
                }
                out.push_str("${");
                expr(out, p, depth + 1);
                out.push('}');
            }
            write!(out, "\"")
        }
        Expr::Join(e) => {
            out.push_str("join(\",\", ");
            expr(out, e, depth + 1);
            write!(out, ")")
        }
        Expr::Index(e, i) => {
            expr(out, e, depth + 1);
            write!(out, "[{}]", n(*i))
        }
        Expr::Attr(e, k) => {
            out.push('(');
            expr(out, e, depth + 1);
            write!(out, ").k{}", n(*k))
        }
        Expr::Length(e) => call1(out, "length", e, depth),
        Expr::Flatten(e) => call1(out, "flatten", e, depth),
        Expr::ToSet(e) => call1(out, "toset", e, depth),
        Expr::Merge(items) => {
            out.push_str("merge(");
            list(out, items, depth);
            write!(out, ")")
        }
        Expr::Lookup(e, k) => {
            out.push_str("lookup(");
            expr(out, e, depth + 1);
            write!(out, ", \"k{}\", null)", n(*k))
        }
        Expr::For(e) => {
            out.push_str("[for x in ");
            expr(out, e, depth + 1);
            write!(out, " : x]")
        }
        Expr::ForMap(e) => {
            out.push_str("{for k, x in ");
            expr(out, e, depth + 1);
            write!(out, " : k => x}}")
        }
        Expr::Splat(e) => {
            out.push('(');
            expr(out, e, depth + 1);
            write!(out, ")[*]")
        }
        Expr::Element(e, i) => {
            out.push_str("element(");
            expr(out, e, depth + 1);
            write!(out, ", {})", n(*i))
        }
        Expr::Coalesce(items) => {
            out.push_str("coalesce(");
            list(out, items, depth);
            write!(out, ")")
        }
        Expr::Try(items) => {
            out.push_str("try(");
            list(out, items, depth);
            write!(out, ")")
        }
        Expr::Format(e) => {
            out.push_str("format(\"%s\", ");
            expr(out, e, depth + 1);
            write!(out, ")")
        }
    };
}

fn render(input: &Input) -> Vec<(std::path::PathBuf, String)> {
    let modules = &input.modules[..input.modules.len().min(MAX_MODULES)];
    let count = modules.len().max(1);
    let home = usize::from(input.home) % count;
    let mut files = Vec::new();
    for i in 0..count {
        let mut text = String::new();
        if let Some(m) = modules.get(i) {
            for (name, default) in unique(&m.variables, |v| v.0) {
                let _ = write!(text, "variable \"v{}\" {{\n", n(*name));
                if let Some(d) = default {
                    text.push_str("  default = ");
                    expr(&mut text, d, 0);
                    text.push('\n');
                }
                text.push_str("}\n");
            }
            if !m.locals.is_empty() {
                text.push_str("locals {\n");
                for (name, value) in unique(&m.locals, |l| l.0) {
                    let _ = write!(text, "  l{} = ", n(*name));
                    expr(&mut text, value, 0);
                    text.push('\n');
                }
                text.push_str("}\n");
            }
            for call in unique(&m.calls, |c| c.name) {
                // Sibling directories; the root (index 0) is never called.
                let target = 1 + usize::from(call.target) % count.saturating_sub(1).max(1);
                let _ = write!(
                    text,
                    "module \"c{}\" {{\n  source = \"../m{target}\"\n",
                    n(call.name)
                );
                match &call.repeat {
                    Some(Repeat::Count(e)) => {
                        text.push_str("  count = ");
                        expr(&mut text, e, 0);
                        text.push('\n');
                    }
                    Some(Repeat::ForEach(e)) => {
                        text.push_str("  for_each = ");
                        expr(&mut text, e, 0);
                        text.push('\n');
                    }
                    None => {}
                }
                for (name, value) in unique(&call.args, |a| a.0) {
                    let _ = write!(text, "  v{} = ", n(*name));
                    expr(&mut text, value, 0);
                    text.push('\n');
                }
                text.push_str("}\n");
            }
            for (name, value) in unique(&m.outputs, |o| o.0) {
                let _ = write!(text, "output \"o{}\" {{\n  value = ", n(*name));
                expr(&mut text, value, 0);
                text.push_str("\n}\n");
            }
        }
        if i == home {
            text.push_str(
                "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { Service = ",
            );
            expr(&mut text, &input.trust, 0);
            text.push_str(" } }]\n  })\n}\nresource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  role = ");
            expr(&mut text, &input.pass, 0);
            text.push_str("\n}\n");
        }
        let dir = if i == 0 {
            "root".to_string()
        } else {
            format!("m{i}")
        };
        files.push((format!("/passrole-fuzz/{dir}/main.tf").into(), text));
    }
    files
}

fuzz_target!(|input: Input| {
    let files = render(&input);
    if std::env::var_os("PASSROLE_FUZZ_PRINT").is_some() {
        for (path, text) in &files {
            eprintln!("== {}\n{text}", path.display());
        }
    }
    // The whole pipeline on request (to check a finding of this target end to end); by default the
    // same parse, load and lowering that `scan_texts` runs, without the facts and the Guard rules:
    // the rule engine costs ~4 ms per run and would cap this target near 200 runs a second.
    if std::env::var_os("PASSROLE_FUZZ_SCAN").is_some() {
        let _ = passrole::scan::scan_texts(files);
        return;
    }
    let mut sources = SourceMap::default();
    let mut modules: BTreeMap<PathBuf, Vec<terraform::TfFile>> = BTreeMap::new();
    for (path, text) in files {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let id = sources.add(SourceFile::new(path, text));
        let Some(source) = sources.get(id) else {
            continue;
        };
        match terraform::parse_file(id, source) {
            Ok(file) => modules.entry(dir).or_default().push(file),
            // The generator writes valid HCL only: a parse error is a bug in the generator (or in
            // hcl-edit), worth a look rather than a silently wasted run.
            Err(e) => panic!("generated HCL does not parse: {e}\n{}", source.text),
        }
    }
    let mut errors = Vec::new();
    // A reader whose root holds nothing: the generated modules are texts, nothing is read from disk.
    let reader = passrole::source::reader::Reader::new(Path::new("/nonexistent/passrole-fuzz"));
    let workspace = terraform::load(modules, Vec::new(), &mut sources, &reader, &mut errors);
    for root in &workspace.roots {
        let _ = terraform::lower_module(root, &workspace, &sources, Catalog::builtin());
    }
});
