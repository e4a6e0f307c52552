//! A `main.tfplan.json` through the whole pipeline (classification, parse, facts, rules, findings).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ =
            passrole::scan::scan_texts(vec![("fuzz/main.tfplan.json".into(), text.to_string())]);
    }
});
