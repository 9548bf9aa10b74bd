//! The `mfaudit` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(mfaudit::main_with_args(std::env::args_os()))
}
