// Entry point of the kubectl-velero plugin: kubectl runs it as `kubectl velero …`.
import { Cli } from 'clipanion';
import { buildCli } from './cli.ts';

process.exitCode = await buildCli().run(process.argv.slice(2), Cli.defaultContext);
