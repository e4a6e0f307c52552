//! Reports: the same scan result printed for people and for machines.

pub mod gcc;
pub mod human;
pub mod json;
pub mod sarif;

use crate::rules::Severity;
use crate::scan::ScanResult;

/// Findings at or above `fail_on` that are not suppressed: they make the exit code 1.
pub fn failing(result: &ScanResult, fail_on: Severity) -> usize {
    reported(result).filter(|f| f.severity >= fail_on).count()
}

/// The findings people see (human, gcc, GitHub): every finding that is not suppressed.
pub fn reported(result: &ScanResult) -> impl Iterator<Item = &crate::findings::Finding> {
    result.findings.iter().filter(|f| !f.is_suppressed())
}

/// How many findings are suppressed (inline, metadata, config exceptions, baseline).
pub fn suppressed(result: &ScanResult) -> usize {
    result.findings.iter().filter(|f| f.is_suppressed()).count()
}
