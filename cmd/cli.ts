// Assembles the clipanion CLI. Kept apart from the entry file so tests can run commands in-process.
import { Builtins, Cli } from 'clipanion';
import { versionInfo } from '../internal/version/version.ts';
import { VersionCommand } from './commands/version.ts';
import { CompleteCommand, CompletionCommand } from './commands/completion.ts';
import { BackupCreateCommand } from './commands/backup/create.ts';
import { BackupDeleteCommand } from './commands/backup/delete.ts';
import { BackupDescribeCommand } from './commands/backup/describe.ts';
import { BackupDownloadCommand } from './commands/backup/download.ts';
import { BackupGcCommand } from './commands/backup/gc.ts';
import { BackupGetCommand } from './commands/backup/get.ts';
import { BackupLogsCommand } from './commands/backup/logs.ts';
import { BackupLocationCreateCommand } from './commands/backup-location/create.ts';
import { BackupLocationDeleteCommand } from './commands/backup-location/delete.ts';
import { BackupLocationGetCommand } from './commands/backup-location/get.ts';
import { BackupLocationSetDefaultCommand } from './commands/backup-location/set-default.ts';
import { SnapshotLocationCreateCommand } from './commands/snapshot-location/create.ts';
import { SnapshotLocationDeleteCommand } from './commands/snapshot-location/delete.ts';
import { SnapshotLocationGetCommand } from './commands/snapshot-location/get.ts';
import { SnapshotLocationSetCommand } from './commands/snapshot-location/set.ts';
import { RestoreCreateCommand } from './commands/restore/create.ts';
import { RestoreDeleteCommand } from './commands/restore/delete.ts';
import { RestoreDescribeCommand } from './commands/restore/describe.ts';
import { RestoreGetCommand } from './commands/restore/get.ts';
import { RestoreLogsCommand } from './commands/restore/logs.ts';
import { RepoCheckCommand } from './commands/repo/check.ts';
import { RepoPruneCommand } from './commands/repo/prune.ts';
import { RepoSnapshotsCommand } from './commands/repo/snapshots.ts';
import { ScheduleCreateCommand } from './commands/schedule/create.ts';
import { ScheduleDeleteCommand } from './commands/schedule/delete.ts';
import { ScheduleDescribeCommand } from './commands/schedule/describe.ts';
import { ScheduleGetCommand } from './commands/schedule/get.ts';
import { ScheduleInstallCommand } from './commands/schedule/install.ts';
import { SchedulePauseCommand } from './commands/schedule/pause.ts';
import { ScheduleRunCommand } from './commands/schedule/run.ts';
import { ScheduleUnpauseCommand } from './commands/schedule/unpause.ts';
import { oneLineSyntaxErrors } from './commands/schedule/syntax-errors.ts';

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
  for (const command of [BackupCreateCommand, BackupGetCommand, BackupDescribeCommand, BackupLogsCommand, BackupDeleteCommand, BackupDownloadCommand, BackupGcCommand]) {
    cli.register(command);
  }
  for (const command of [RestoreCreateCommand, RestoreGetCommand, RestoreDescribeCommand, RestoreLogsCommand, RestoreDeleteCommand]) cli.register(command);
  for (const command of [BackupLocationCreateCommand, BackupLocationGetCommand, BackupLocationSetDefaultCommand, BackupLocationDeleteCommand]) {
    cli.register(command);
  }
  for (const command of [SnapshotLocationCreateCommand, SnapshotLocationGetCommand, SnapshotLocationSetCommand, SnapshotLocationDeleteCommand]) cli.register(command);
  for (const command of [RepoSnapshotsCommand, RepoCheckCommand, RepoPruneCommand]) cli.register(command);
  for (const command of [ScheduleCreateCommand, ScheduleGetCommand, ScheduleDescribeCommand, ScheduleDeleteCommand, ScheduleInstallCommand, SchedulePauseCommand, ScheduleUnpauseCommand, ScheduleRunCommand]) {
    cli.register(command);
  }
  oneLineSyntaxErrors(cli, 'schedule');
  return cli;
}
