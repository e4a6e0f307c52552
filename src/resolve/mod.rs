//! Turning references into edges, and the passer catalog.

pub mod catalog;
