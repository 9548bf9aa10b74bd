//! One integration-test binary (one link step), one module per area. Tests run the real binary on
//! real-shaped files in temporary folders.

mod html;
mod support;
