//! A `.tf.json` file through the whole pipeline (JSON syntax rewritten as HCL, spans mapped back).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = passrole::scan::scan_texts(vec![("fuzz/main.tf.json".into(), text.to_string())]);
    }
});
