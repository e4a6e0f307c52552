//! One module per input format; each lowers its input to the common model.

pub mod json;
