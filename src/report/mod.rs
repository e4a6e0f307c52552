//! Reports: the same scan result printed for people and for machines.

pub mod gcc;
pub mod human;
pub mod json;
pub mod sarif;

use crate::rules::Severity;
use crate::scan::ScanResult;

/// Findings at or above `fail_on`: they make the exit code 1.
pub fn failing(result: &ScanResult, fail_on: Severity) -> usize {
    result
        .findings
        .iter()
        .filter(|f| f.severity >= fail_on)
        .count()
}
