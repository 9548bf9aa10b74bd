//! The vocabularies, each one table in one module: method names, MFA Server call results, the MFA
//! result words of the sign-in report, sign-in error codes, and CSV header aliases. Adding a name is
//! a one-line change here with a test, never a hunt through readers.

pub mod call_results;
pub mod error_codes;
pub mod headers;
pub mod methods;
pub mod mfa_words;
