import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { abortableSleep, runScheduleLoop } from '../../../internal/schedule/run-loop.ts';
import { runDueSchedules, type RunOutcome } from '../../../internal/schedule/run-schedules.ts';
import type { ScheduledBackup } from '../../../internal/schedule/scheduled-backup.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { interruptOnSignals } from '../backup/interrupt.ts';
import { openBackupStore } from '../backup/open-store.ts';
import { withBackupRunFlags } from '../backup/run-flags.ts';
import { reportBackup, runOneBackup } from '../backup/run-one-backup.ts';
import { snapshotDeleter } from '../backup/snapshot-deleter.ts';
import { collectExpired } from './collect-expired.ts';
import { eventPrinter } from './run-events.ts';

/** With --loop, expired backups are collected after the first pass and then hourly, as often as Velero's server does. */
const GC_EVERY_MS = 3_600_000;

export class ScheduleRunCommand extends withBackupRunFlags(LocationCommand) {
  static override paths = [['schedule', 'run']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'take the backups of the schedules that are due',
    details: `
      What Velero's server does for schedules, done by this process: every schedule of the storage location (or each NAME) whose backup is due takes one, through the same engine as \`backup create\`, and records it as its last backup; then the backups whose TTL has passed are deleted (as \`backup gc\` does), and the command exits. Run it from cron, a systemd timer or a CI job, as often as the most frequent schedule (e.g. every 5 minutes). A schedule whose slots were missed (the machine was off) takes one catch-up backup, not one per slot. Two runs started at once do not take the same backup: one takes it, the other skips that schedule.

      With \`--loop\` it keeps running in the foreground, sleeping until the next backup is due (expired backups are collected hourly), until Ctrl-C or SIGTERM (a backup in progress is then recorded Failed, as with \`backup create\`).
    `,
    examples: [
      ['Take every due backup once', 'kubectl velero schedule run'],
      ['Only the schedule "daily"', 'kubectl velero schedule run daily'],
      ['Keep running (a systemd service, a container)', 'kubectl velero schedule run --loop'],
    ],
  });

  names = Option.Rest({ name: 'NAME' });
  loop = Option.Boolean('--loop', false, { description: 'keep running, sleeping until the next backup is due (stop with Ctrl-C or SIGTERM)' });

  async run(): Promise<number> {
    const settings = this.backupRunSettings();
    const store = openBackupStore(await this.openWritableLocation('take scheduled backups into it'));
    const schedules = new StoredSchedules(store.store);
    if (!this.names.length && !(await schedules.names()).length) this.context.stdout.write(`No schedules found in ${store.store.describe()}\n`);
    let running: string | undefined;
    let interruptedBackup = false;
    const interrupt = interruptOnSignals(this.context.stderr, () => (running ? `stopping backup "${running}" and recording it Failed` : 'stopping'));
    const takeBackup = async (request: ScheduledBackup) => {
      this.context.stdout.write(`Schedule "${request.schedule}" is due: backup "${request.name}".\n`);
      running = request.name;
      try {
        const run = await runOneBackup({ ...request, veleroNamespace: request.namespace, store, kube: this.kubeTarget(), settings, stderr: this.context.stderr, signal: interrupt.signal });
        if (interrupt.signal.aborted) interruptedBackup = true;
        reportBackup(this.context, run, store.target.describe());
        return run.backup;
      } finally {
        running = undefined;
      }
    };
    const report = eventPrinter(this.context, this.loop);
    let lastCollected = -Infinity;
    const pass = async (): Promise<RunOutcome> => {
      const outcome = await runDueSchedules({ schedules, store: store.store, storageLocation: store.location, names: this.names, now: () => new Date(), takeBackup, report, signal: interrupt.signal });
      // After the backups, expired ones go: Velero's server garbage-collects on its own, we have none.
      if (!interrupt.signal.aborted && Date.now() - lastCollected >= GC_EVERY_MS) {
        lastCollected = Date.now();
        outcome.failures += await collectExpired(store.store, settings.encryptionKey, this.context, snapshotDeleter(this.kubeTarget(), this.veleroNamespace()));
      }
      return outcome;
    };
    try {
      if (!this.loop) {
        const outcome = await pass();
        if (interrupt.signal.aborted) return 130;
        return outcome.failures ? 1 : 0;
      }
      this.context.stdout.write(`Taking the backups of ${this.names.length ? this.names.join(', ') : 'every schedule'} in ${store.store.describe()} as they come due; Ctrl-C to stop.\n`);
      await runScheduleLoop({ runPass: pass, now: () => new Date(), sleep: abortableSleep, signal: interrupt.signal });
      this.context.stdout.write('Stopped.\n');
      return interruptedBackup ? 130 : 0;
    } finally {
      interrupt.dispose();
    }
  }
}
