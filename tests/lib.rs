//! One integration-test binary (one link step), one module per area. Tests run the real binary on
//! real-shaped files in temporary folders.

mod support;

mod audit;
mod audit_cli;
mod bad_input;
mod classic;
mod clixml;
mod config_inputs;
mod coverage;
mod email;
mod encodings;
mod enforcement;
mod exceptions;
mod files;
mod graph;
mod history;
mod html;
mod mfa_server;
mod numbers;
mod outputs;
mod pull;
mod schema;
mod signins;
mod snapshots;
mod webhook;
