//! The spanned JSON parser (heredoc policies, policy files, templates): no input may panic, spans of
//! what it accepts lie inside the input, and the line index agrees with a plain count of lines.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use passrole::source::json;
use passrole::value::FileId;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(node) = json::parse(text, FileId(0), 0) {
            common::check_spans(&node, text);
        }
        if let Ok(node) = json::parse_last_wins(text, FileId(0), 0) {
            common::check_spans(&node, text);
        }
        common::check_line_index(text);
    }
});
