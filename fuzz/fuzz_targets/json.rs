//! The spanned JSON parser (heredoc policies, policy files, templates): no input may panic, and spans
//! of what it accepts lie inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passrole::source::json;
use passrole::value::FileId;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(node) = json::parse(text, FileId(0), 0) {
            assert!(node.span.end as usize <= text.len());
        }
        let _ = json::parse_strict(text, FileId(0), 0);
        let index = json::LineIndex::new(text);
        let _ = index.position(text.len() / 2);
    }
});
