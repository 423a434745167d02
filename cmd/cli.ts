// Assembles the clipanion CLI. Kept apart from the entry file so tests can run commands in-process.
import { Builtins, Cli } from 'clipanion';
import { versionInfo } from '../internal/version/version.ts';
import { VersionCommand } from './commands/version.ts';
import { CompleteCommand, CompletionCommand } from './commands/completion.ts';

export function buildCli(): Cli {
  const cli = new Cli({
    binaryLabel: 'kubectl-velero',
    binaryName: 'kubectl velero',
    binaryVersion: versionInfo().version,
    enableCapture: false,
    enableColors: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(VersionCommand);
  cli.register(CompletionCommand);
  cli.register(CompleteCommand);
  return cli;
}
