use std::process::ExitCode;

use clap::Parser as _;
use formseal::cli::{AccountsCommand, AuditCommand, Cli, Command};
use formseal::serve;

// Before tracing is set up, and for the offline commands, stderr is how a command
// line tool reports failure.
#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    // clap prints usage errors itself and exits with code 2.
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("formseal: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command {
        Command::Serve(args) => {
            serve::init_tracing(args.log_format);
            runtime.block_on(serve::serve(args)).map(|()| ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify(args)) => runtime
            .block_on(serve::audit_verify(&args))
            .map(|intact| if intact { ExitCode::SUCCESS } else { ExitCode::from(1) }),
        // The one-time password goes to this terminal only, never to a log.
        #[allow(clippy::print_stdout)]
        Command::Accounts(AccountsCommand::ResetPassword(args)) => {
            runtime.block_on(serve::reset_password(&args.server, &args.username)).map(|password| {
                println!(
                    "One-time password for '{}': {password}\nIt must be changed at the next log-in; the account's sessions have ended.",
                    args.username
                );
                ExitCode::SUCCESS
            })
        }
        Command::Verify(args) => {
            return match runtime.block_on(formseal::verify::run(&args)) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::from(1),
                Err(message) => {
                    eprintln!("formseal verify: {message}");
                    ExitCode::from(2)
                }
            };
        }
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("formseal: {e}");
        ExitCode::from(2)
    })
}
