use std::process::ExitCode;

use clap::Parser as _;
use formseal::cli::{Cli, Command};
use formseal::serve;

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with code 2.
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            serve::init_tracing(args.log_format);
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("formseal: cannot start the async runtime: {e}");
                    return ExitCode::from(2);
                }
            };
            match runtime.block_on(serve::serve(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("formseal: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
