// Entry point of the single-executable build (`make dist`). Node 24 runs a SEA's main script as
// CommonJS, so this is cmd/kubectl-velero.ts without its top-level await; everything else —
// commands, `__complete` for kubectl's plugin completion — is the same CLI.
import { Cli } from 'clipanion';
import { buildCli } from '../../cmd/cli.ts';

void buildCli()
  .run(process.argv.slice(2), Cli.defaultContext)
  .then((code) => {
    process.exitCode = code;
  });
