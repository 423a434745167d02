import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { timeZone, UnknownTimeZoneError, type WallTime } from './time-zone.ts';

const wall = (year: number, month: number, day: number, hour: number, minute: number): WallTime => ({ year, month, day, hour, minute, second: 0 });
const iso = (ms: number) => new Date(ms).toISOString();

test('the wall clock of an instant, with the offset of the season', () => {
  const paris = timeZone('Europe/Paris');
  assert.equal(paris.wallAt(Date.parse('2026-01-10T12:34:56Z')), { ...wall(2026, 1, 10, 13, 34), second: 56 });
  assert.is(paris.offsetAt(Date.parse('2026-01-10T12:00:00Z')), 3_600_000);
  assert.is(paris.offsetAt(Date.parse('2026-07-10T12:00:00Z')), 7_200_000);
  assert.is(timeZone('Asia/Kathmandu').offsetAt(Date.parse('2026-07-10T12:00:00Z')), 5.75 * 3_600_000);
});

test('a wall time names one instant, none in a gap, two in a repeated hour', () => {
  const ny = timeZone('America/New_York');
  assert.equal(ny.instantsOf(wall(2026, 3, 7, 2, 30)).map(iso), ['2026-03-07T07:30:00.000Z']);
  assert.equal(ny.instantsOf(wall(2026, 3, 8, 2, 30)), []);
  assert.equal(ny.instantsOf(wall(2026, 11, 1, 1, 30)).map(iso), ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
  assert.is(iso(ny.firstInstantAfter(wall(2026, 3, 8, 2, 30))), '2026-03-08T07:00:00.000Z');
  assert.is(iso(ny.firstInstantAfter(wall(2026, 3, 8, 2, 0))), '2026-03-08T07:00:00.000Z');
});

test('UTC is fixed and direct', () => {
  const utc = timeZone('UTC');
  assert.ok(utc.fixed);
  assert.equal(utc.instantsOf(wall(2026, 3, 8, 2, 30)).map(iso), ['2026-03-08T02:30:00.000Z']);
});

test('unknown, machine-dependent and mis-cased zones are refused', () => {
  assert.throws(() => timeZone('Mars/Olympus'), (e: Error) => e instanceof UnknownTimeZoneError && /unknown time zone "Mars\/Olympus"/.test(e.message));
  assert.throws(() => timeZone('Local'), /depends on the machine/);
  assert.throws(() => timeZone('america/new_york'), /did you mean America\/New_York\?/);
});

test.run();
