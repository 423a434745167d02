// Next-run computation on a fake clock: every `after` is a fixed instant, so the tests do not
// depend on when or where they run (the machine's own zone is never used).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BadCronError, parseCron } from './cron.ts';

const at = (iso: string) => new Date(iso);
const next = (expr: string, after: string) => parseCron(expr).next(at(after))?.toISOString();

/** The first `count` runs after `after`. */
function runs(expr: string, after: string, count: number): string[] {
  const cron = parseCron(expr);
  const out: string[] = [];
  let t = at(after);
  for (let i = 0; i < count; i++) {
    t = cron.next(t)!;
    out.push(t.toISOString());
  }
  return out;
}

function badCron(expr: string): string {
  try {
    parseCron(expr);
  } catch (error) {
    assert.instance(error, BadCronError);
    const message = (error as Error).message;
    assert.not.match(message, /\n/, 'one line');
    return message;
  }
  throw new Error(`"${expr}" parsed`);
}

test('five fields in UTC: the next minute that matches, strictly after', () => {
  assert.is(next('0 2 * * *', '2026-01-01T00:00:00Z'), '2026-01-01T02:00:00.000Z');
  assert.is(next('0 2 * * *', '2026-01-01T02:00:00Z'), '2026-01-02T02:00:00.000Z');
  assert.is(next('0 2 * * *', '2026-01-01T01:59:59.999Z'), '2026-01-01T02:00:00.000Z');
  assert.is(next('* * * * *', '2026-01-01T10:00:30Z'), '2026-01-01T10:01:00.000Z');
  assert.is(next('59 23 31 12 *', '2026-06-01T00:00:00Z'), '2026-12-31T23:59:00.000Z');
});

test('ranges, steps and lists', () => {
  assert.equal(runs('*/15 * * * *', '2026-01-01T10:00:00Z', 4), ['2026-01-01T10:15:00.000Z', '2026-01-01T10:30:00.000Z', '2026-01-01T10:45:00.000Z', '2026-01-01T11:00:00.000Z']);
  // `5/15` is `5-59/15`
  assert.equal(runs('5/15 * * * *', '2026-01-01T10:00:00Z', 5), ['2026-01-01T10:05:00.000Z', '2026-01-01T10:20:00.000Z', '2026-01-01T10:35:00.000Z', '2026-01-01T10:50:00.000Z', '2026-01-01T11:05:00.000Z']);
  assert.equal(runs('0 9-17/4 * * *', '2026-01-01T00:00:00Z', 4), ['2026-01-01T09:00:00.000Z', '2026-01-01T13:00:00.000Z', '2026-01-01T17:00:00.000Z', '2026-01-02T09:00:00.000Z']);
  assert.equal(runs('0 0 1,15 * *', '2026-01-01T00:00:00Z', 3), ['2026-01-15T00:00:00.000Z', '2026-02-01T00:00:00.000Z', '2026-02-15T00:00:00.000Z']);
  assert.equal(runs('10,20-22 3 * * *', '2026-01-01T00:00:00Z', 4), ['2026-01-01T03:10:00.000Z', '2026-01-01T03:20:00.000Z', '2026-01-01T03:21:00.000Z', '2026-01-01T03:22:00.000Z']);
  // `?` is `*`
  assert.is(next('0 0 ? * ?', '2026-01-01T00:00:00Z'), '2026-01-02T00:00:00.000Z');
});

test('names of months and days, in any case, also in ranges', () => {
  // 2026-01-01 is a Thursday
  assert.equal(runs('0 8 * * MON-FRI', '2026-01-01T09:00:00Z', 3), ['2026-01-02T08:00:00.000Z', '2026-01-05T08:00:00.000Z', '2026-01-06T08:00:00.000Z']);
  assert.equal(runs('0 0 1 jan,Jul *', '2026-01-01T00:00:00Z', 2), ['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  assert.is(next('0 0 * * sun', '2026-01-01T00:00:00Z'), '2026-01-04T00:00:00.000Z');
  assert.is(next('0 0 * * 0', '2026-01-01T00:00:00Z'), '2026-01-04T00:00:00.000Z');
});

test('day of month and day of week: both restricted means either, one star means both', () => {
  // the 13th, or any Friday (2026-01-02 is a Friday)
  assert.equal(runs('0 0 13 * 5', '2026-01-01T00:00:00Z', 3), ['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-13T00:00:00.000Z']);
  // the first of the month, whatever the day
  assert.is(next('0 0 1 * *', '2026-01-02T00:00:00Z'), '2026-02-01T00:00:00.000Z');
  // a step over one makes the field restricted: */2 days of month OR Mondays
  assert.equal(runs('0 0 */10 * 1', '2026-01-01T00:00:00Z', 3), ['2026-01-05T00:00:00.000Z', '2026-01-11T00:00:00.000Z', '2026-01-12T00:00:00.000Z']);
});

test('descriptors', () => {
  const after = '2026-05-17T10:20:00Z'; // a Sunday
  assert.is(next('@yearly', after), '2027-01-01T00:00:00.000Z');
  assert.is(next('@annually', after), '2027-01-01T00:00:00.000Z');
  assert.is(next('@monthly', after), '2026-06-01T00:00:00.000Z');
  assert.is(next('@weekly', after), '2026-05-24T00:00:00.000Z');
  assert.is(next('@daily', after), '2026-05-18T00:00:00.000Z');
  assert.is(next('@midnight', after), '2026-05-18T00:00:00.000Z');
  assert.is(next('@hourly', after), '2026-05-17T11:00:00.000Z');
});

test('@every: a constant interval from the whole second of the last run', () => {
  assert.is(next('@every 5s', '2026-01-01T00:00:00.700Z'), '2026-01-01T00:00:05.000Z');
  assert.is(next('@every 6h', '2026-01-01T01:02:03Z'), '2026-01-01T07:02:03.000Z');
  assert.is(next('@every 2h30m', '2026-01-01T00:00:00Z'), '2026-01-01T02:30:00.000Z');
  assert.is(next('@every 1500ms', '2026-01-01T00:00:00Z'), '2026-01-01T00:00:01.000Z');
  // the zone does not matter to an interval
  assert.is(next('CRON_TZ=America/New_York @every 1h', '2026-03-08T06:30:00Z'), '2026-03-08T07:30:00.000Z');
});

test('month ends: day 31 skips short months, February 29 waits for a leap year', () => {
  assert.equal(runs('0 0 31 * *', '2026-01-31T00:00:00Z', 3), ['2026-03-31T00:00:00.000Z', '2026-05-31T00:00:00.000Z', '2026-07-31T00:00:00.000Z']);
  assert.equal(runs('0 12 29 2 *', '2026-03-01T00:00:00Z', 2), ['2028-02-29T12:00:00.000Z', '2032-02-29T12:00:00.000Z']);
  // 2100 is not a leap year
  assert.is(next('0 0 29 2 *', '2096-03-01T00:00:00Z'), '2104-02-29T00:00:00.000Z');
  assert.equal(runs('0 0 28-31 * *', '2026-02-27T00:00:00Z', 3), ['2026-02-28T00:00:00.000Z', '2026-03-28T00:00:00.000Z', '2026-03-29T00:00:00.000Z']);
});

test('CRON_TZ: the fields are wall-clock times of the zone', () => {
  // Paris is UTC+1 in winter, UTC+2 in summer
  assert.is(next('CRON_TZ=Europe/Paris 0 2 * * *', '2026-01-10T12:00:00Z'), '2026-01-11T01:00:00.000Z');
  assert.is(next('CRON_TZ=Europe/Paris 0 2 * * *', '2026-07-10T12:00:00Z'), '2026-07-11T00:00:00.000Z');
  assert.is(next('TZ=Asia/Kolkata 30 9 * * *', '2026-01-10T00:00:00Z'), '2026-01-10T04:00:00.000Z');
  assert.is(parseCron('CRON_TZ=Europe/Paris @daily').zone, 'Europe/Paris');
  assert.is(parseCron('0 2 * * *').zone, 'UTC');
});

test('spring forward: a time the clock skips runs once, when the clock jumps', () => {
  // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z)
  assert.equal(runs('CRON_TZ=America/New_York 30 2 * * *', '2026-03-06T12:00:00Z', 3), [
    '2026-03-07T07:30:00.000Z', // 02:30 EST
    '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
    '2026-03-09T06:30:00.000Z', // 02:30 EDT
  ]);
  // Paris, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z); every quarter of the missing hour is one run
  assert.equal(runs('CRON_TZ=Europe/Paris */15 2 * * *', '2026-03-28T12:00:00Z', 2), ['2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z']);
  // a time either side of the gap is not moved
  assert.equal(runs('CRON_TZ=America/New_York 0 1,3 * * *', '2026-03-08T05:00:00Z', 2), ['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z']);
});

test('fall back: a time the clock shows twice runs once, the first time', () => {
  // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z); 01:30 happens at 05:30Z and at 06:30Z
  assert.equal(runs('CRON_TZ=America/New_York 30 1 * * *', '2026-10-31T12:00:00Z', 3), ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']);
  // asked from inside the repeated hour, after the first 01:30: the next is the next day's
  assert.is(next('CRON_TZ=America/New_York 30 1 * * *', '2026-11-01T06:10:00Z'), '2026-11-02T06:30:00.000Z');
  // Europe/London, 2026-10-25: 02:00 BST becomes 01:00 GMT
  assert.equal(runs('CRON_TZ=Europe/London 15 1 * * *', '2026-10-24T12:00:00Z', 2), ['2026-10-25T00:15:00.000Z', '2026-10-26T01:15:00.000Z']);
});

test('hour `*` runs by elapsed time: every real hour through both changes', () => {
  assert.equal(runs('CRON_TZ=America/New_York 0 * * * *', '2026-11-01T04:00:00Z', 3), ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z']);
  assert.equal(runs('CRON_TZ=America/New_York @hourly', '2026-03-08T05:00:00Z', 3), ['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z']);
  assert.equal(runs('CRON_TZ=America/New_York */30 * * * *', '2026-11-01T05:45:00Z', 3), ['2026-11-01T06:00:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-01T07:00:00.000Z']);
});

test('a year of daily runs in Paris: one a day, always 02:00 local but on the spring-forward day', () => {
  const all = runs('CRON_TZ=Europe/Paris 0 2 * * *', '2026-01-01T00:00:00Z', 365);
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', hourCycle: 'h23' });
  const days = new Set(all.map((t) => local.format(new Date(t)).slice(0, 5)));
  assert.is(days.size, 365);
  const notTwo = all.map((t) => [t, local.format(new Date(t)).slice(-5)]).filter(([, time]) => time !== '02:00');
  assert.equal(notTwo, [['2026-03-29T01:00:00.000Z', '03:00']]);
});

test('a year of hourly runs in New York: exactly one hour apart, 8760 of them', () => {
  const all = runs('CRON_TZ=America/New_York 0 * * * *', '2026-01-01T00:00:00Z', 8760);
  for (let i = 1; i < all.length; i++) assert.is(Date.parse(all[i]!) - Date.parse(all[i - 1]!), 3_600_000, all[i]);
});

test('a bad expression is a one-line error that says what is wrong', () => {
  assert.match(badCron(''), /is empty/);
  assert.match(badCron('0 2 * *'), /expected 5 fields .* found 4/);
  assert.match(badCron('0 2 * * * *'), /found 6/);
  assert.match(badCron('0 25 * * *'), /hour 25 is out of range 0-23/);
  assert.match(badCron('60 * * * *'), /minute 60 is out of range 0-59/);
  assert.match(badCron('0 0 0 * *'), /day-of-month 0 is out of range 1-31/);
  assert.match(badCron('0 0 * 13 *'), /month 13 is out of range 1-12/);
  assert.match(badCron('0 0 * * 7'), /day-of-week 7 is out of range 0-6 \(Sunday is 0\)/);
  assert.match(badCron('0 0 * * funday'), /day-of-week "funday" is not a number or a name \(sun, mon/);
  assert.match(badCron('*/0 * * * *'), /step "\/0" must be a positive whole number/);
  assert.match(badCron('5-1 * * * *'), /range "5-1" starts after it ends/);
  assert.match(badCron('1,,2 * * * *'), /empty list entry/);
  assert.match(badCron('1-2-3 * * * *'), /not a value or a range/);
  assert.match(badCron('0 0 30 2 *'), /never runs/);
  assert.match(badCron('@weekdays'), /unknown descriptor "@weekdays": use @yearly/);
  assert.match(badCron('@every'), /@every needs a duration/);
  assert.match(badCron('@everyday'), /unknown descriptor "@everyday"/);
  assert.match(badCron('@every 5x'), /"5x" is not a Go duration/);
  assert.match(badCron('@every -5m'), /positive duration/);
  assert.match(badCron('CRON_TZ=Mars/Olympus 0 2 * * *'), /unknown time zone "Mars\/Olympus"/);
  assert.match(badCron('CRON_TZ=europe/paris 0 2 * * *'), /did you mean Europe\/Paris\?/);
  assert.match(badCron('CRON_TZ=Europe/Paris'), /nothing follows CRON_TZ=Europe\/Paris/);
  assert.match(badCron('TZ=Local 0 2 * * *'), /depends on the machine/);
  assert.is(badCron('0 25 * * *'), 'invalid schedule "0 25 * * *": hour 25 is out of range 0-23');
});

test.run();
