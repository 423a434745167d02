// Entry point of the kubectl-velero plugin: kubectl runs it as `kubectl velero …`.
import { Cli } from 'clipanion';
import { buildCli } from './cli.ts';

// `kubectl velero backup get | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await buildCli().run(process.argv.slice(2), Cli.defaultContext);
// An interrupted command has recorded how it ended; what it had in flight is not waited for.
if (process.exitCode === 130) process.exit(130);
