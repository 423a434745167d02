import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SortedListFile } from './sorted-list-file.ts';

/** Equal strings, or a failure naming where they part (uvu's diff of two long strings takes minutes). */
function sameText(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  let i = 0;
  while (actual[i] === expected[i]) i++;
  assert.unreachable(`${what}: differs at ${i}: ${JSON.stringify(actual.slice(i - 20, i + 40))} against ${JSON.stringify(expected.slice(i - 20, i + 40))}`);
}

/** The plain answer: entries grouped by key, each list sorted, keys inserted in sorted order. */
function expectedJson(pairs: [string, string][]): string {
  const lists: Record<string, string[]> = {};
  for (const [key, entry] of pairs) (lists[key] ??= []).push(entry);
  const sorted: Record<string, string[]> = {};
  for (const key of Object.keys(lists).sort()) sorted[key] = lists[key]!.sort();
  return JSON.stringify(sorted);
}

function pairsOf(count: number): [string, string][] {
  // Entries that start one another and sort around "(" and "/" ('a-b/…' before 'a/…'), JSON escapes,
  // a newline, non-ASCII and astral characters, duplicates, and keys that start one another.
  const names = ['a', 'a-b', 'a.b', 'ab', 'b', 'a-', 'x"y', 'z', "a'", 'a!', 'new\nline', 'caf\u00e9', 'emoji\u{1F600}', 'back\\slash'];
  const keys = ['v1/ConfigMap', 'v1/ConfigMapX', 'apps/v1/Deployment', 'v1/PersistentVolume', 'example.com/v1/Mixed'];
  const pairs: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const ns = ['a', 'a-b', 'ab', '', 'a0'][(i * 7) % 5]!;
    pairs.push([keys[(i * 3) % keys.length]!, `${ns ? `${ns}/` : ''}${names[i % names.length]}${i % 3 ? i % 11 : ''}${['(created)', '(failed)', ''][i % 3]}`]);
  }
  return pairs;
}

test('lists keyed and sorted as JSON.stringify of the plain sort, whether in memory, in one run or merged from many', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sorted-list-test-'));
  try {
    for (const runEntries of [1_000_000, 400, 7, 1]) {
      const pairs = pairsOf(400);
      const list = new SortedListFile({ runEntries, dir });
      for (const [key, entry] of pairs) list.add(key, entry);
      const stored = gunzipSync(list.gzippedJson()).toString('utf8');
      sameText(stored, expectedJson(pairs), `runs of ${runEntries}`);
      // Read twice: the runs are read from their start each time.
      sameText(gunzipSync(list.gzippedJson()).toString('utf8'), stored, 'read again');
      assert.equal(list.toJSON(), JSON.parse(expectedJson(pairs)));
      assert.equal(Object.keys(list.toJSON()), Object.keys(JSON.parse(stored)));
      // Run files are unlinked once open: nothing is ever left in the directory.
      assert.equal(readdirSync(dir), []);
      list.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a list larger than a gzip batch is stored as several members that read as one stream', () => {
  const pairs = pairsOf(30_000);
  const list = new SortedListFile({ runEntries: 4_096 });
  for (const [key, entry] of pairs) list.add(key, entry);
  const gz = list.gzippedJson();
  let members = 0;
  for (let i = 0; i + 2 < gz.length; i++) if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 0x08) members++;
  assert.ok(members > 1, `${members} gzip members`);
  sameText(gunzipSync(gz).toString('utf8'), expectedJson(pairs), 'several members');
  list.close();
});

test('an empty list is {}; a temp dir that refuses runs keeps the entries in memory, and says why', () => {
  assert.is(gunzipSync(new SortedListFile().gzippedJson()).toString('utf8'), '{}');
  const list = new SortedListFile({ runEntries: 2, dir: '/nonexistent/kubectl-velero-test' });
  const pairs = pairsOf(50);
  for (const [key, entry] of pairs) list.add(key, entry);
  assert.match(list.spillError?.message ?? '', /cannot write the resource list's sort runs in \/nonexistent\/kubectl-velero-test .*set TMPDIR/);
  sameText(gunzipSync(list.gzippedJson()).toString('utf8'), expectedJson(pairs), 'in memory after a refused run');
  assert.is(new SortedListFile({ runEntries: 2 }).spillError, undefined);
});

test.run();
