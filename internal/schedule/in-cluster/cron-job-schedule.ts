// A schedule's cron expression as a CronJob takes it: the fields (or descriptor) in `schedule`, the
// zone in `timeZone`. Our fields are read in UTC unless CRON_TZ/TZ names a zone, while a CronJob
// without `timeZone` follows the controller manager's local time: so UTC is always written out.
import { parseCron } from '../cron.ts';

export class NotInstallableError extends Error {}

export function cronJobSchedule(text: string): { cron: string; timeZone: string } {
  const parsed = parseCron(text);
  const rest = text.trim().replace(/^(CRON_TZ|TZ)=\S+\s+/, '');
  if (/^@every(\s|$)/.test(rest)) {
    throw new NotInstallableError(`a CronJob cannot run "${text}" (@every counts from the last run, cron from the clock): give the schedule a cron expression such as "0 */6 * * *", or keep \`kubectl velero schedule run --loop\` running`);
  }
  return { cron: rest.split(/\s+/).join(' '), timeZone: parsed.zone };
}
