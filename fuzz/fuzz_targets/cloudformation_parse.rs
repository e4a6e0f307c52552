//! The CloudFormation YAML reader alone (events, short-form tags, aliases and merge keys, limits),
//! then the lowering of the same text as one template (intrinsic functions, roles, passes), without
//! facts and rules: fast enough to reach the corners of both. Spans of what the reader accepts lie
//! inside the text, and the line index agrees with a plain count of YAML's line breaks.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use passrole::resolve::catalog::Catalog;
use passrole::source::cloudformation::{lower_template, yaml};
use passrole::source::{SourceFile, SourceMap};
use passrole::value::FileId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match yaml::parse(text, FileId(0)) {
        Ok(node) => common::check_spans(&node, text),
        Err(e) => assert!(e.offset <= text.len(), "error offset past the end"),
    }
    // YAML breaks lines on lone CRs too; positions must follow.
    common::check_line_index(text);
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile::new(
        "fuzz/template.yaml".into(),
        text.to_string(),
    ));
    let _ = lower_template(id, &sources, Catalog::builtin());
});
