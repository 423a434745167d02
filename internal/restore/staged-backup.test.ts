import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BackupArchiveWriter } from '../archive/writer.ts';
import { StagedBackup } from './staged-backup.ts';
import { openStagingFiles, stagingNames } from './staging.test-helpers.ts';

async function tarball(items: { groupResource: string; namespace?: string; name: string; body: string }[]): Promise<Buffer> {
  const sink = new BackupArchiveWriter();
  const chunks: Buffer[] = [];
  sink.stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => sink.stream.on('end', resolve));
  await sink.writeVersion();
  for (const i of items) await sink.addItem({ groupResource: i.groupResource, version: 'v1', preferred: true, namespace: i.namespace, name: i.name }, i.body);
  await sink.finish();
  await ended;
  return Buffer.concat(chunks);
}

function withNamespace(item: { metadata: Record<string, unknown> }, namespace: string | undefined) {
  if (namespace) item.metadata.namespace = namespace;
  return item;
}

test('every item reads back from the staging file, grouped by resource, in archive order; the file has no name on disk, and dispose closes it', async () => {
  const items = Array.from({ length: 300 }, (_, i) => ({
    groupResource: i % 3 ? 'configmaps' : 'persistentvolumes',
    namespace: i % 3 ? `ns-${i % 7}` : undefined,
    name: `item-${i}`,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `item-${i}` }, data: { n: 'é'.repeat(i) } }),
  }));
  const namesBefore = new Set(stagingNames());
  const staged = await StagedBackup.stage(Readable.from(await tarball(items)));
  // Unlinked once open: a restore killed now would leave nothing of the backup in the temp dir.
  assert.equal(stagingNames().filter((d) => !namesBefore.has(d)), [], 'nothing in the temp dir names the staging file');
  if (existsSync('/proc/self/fd')) {
    assert.equal(openStagingFiles().filter((t) => !t.endsWith(' (deleted)')), [], 'the staging file is open, unlinked');
    assert.is(openStagingFiles().length, 1, 'one staging file is open');
  }
  assert.equal([...staged.items.keys()].sort(), ['configmaps', 'persistentvolumes']);
  assert.is(staged.items.get('configmaps')!.length, 200);
  assert.equal(staged.items.get('configmaps')!.at(0), { namespace: 'ns-1', name: 'item-1', offset: staged.items.get('configmaps')!.at(0).offset, length: Buffer.byteLength(items[1]!.body) });
  // Reads in any order, in parallel, as the restore does.
  const all = [...staged.items.entries()].flatMap(([gr, list]) => [...list].map((i) => ({ ...i, gr }))).reverse();
  const read = await Promise.all(all.map((i) => staged.read(i, i.gr)));
  // The namespace comes from the item's path (Velero's rule).
  for (const [k, i] of all.entries()) assert.equal(read[k], withNamespace(JSON.parse(items.find((x) => x.name === i.name)!.body), i.namespace));
  assert.is(staged.items.get('persistentvolumes')!.at(0).namespace, undefined);
  await staged.dispose();
  assert.equal(openStagingFiles(), [], 'dispose closes the staging file');
  // Its names are in the removed file: asked for, they are an error, never another file's bytes.
  assert.throws(() => staged.items.get('configmaps')!.nameAt(0), /the staging file is closed/);
});

test('a truncated tarball fails the staging and leaves no staging file behind, named or open', async () => {
  const whole = await tarball([{ groupResource: 'configmaps', namespace: 'a', name: 'x', body: JSON.stringify({ big: 'y'.repeat(200_000) }) }]);
  const before = new Set(stagingNames());
  await StagedBackup.stage(Readable.from(whole.subarray(0, Math.floor(whole.length / 2)))).then(
    () => assert.unreachable('a truncated archive was staged'),
    (error: Error) => assert.match(error.message, /corrupt|truncated|unexpected end/i),
  );
  assert.equal(stagingNames().filter((d) => !before.has(d)), []);
  assert.equal(openStagingFiles(), []);
});

test('a temp dir where no file can be made: one error naming the dir and TMPDIR', async () => {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = '/nonexistent/kubectl-velero-test';
  try {
    await StagedBackup.stage(Readable.from(await tarball([{ groupResource: 'configmaps', namespace: 'a', name: 'x', body: '{}' }]))).then(
      () => assert.unreachable('staged without a temp dir'),
      (error: Error) => assert.match(error.message, /^cannot make the restore's staging file in \/nonexistent\/kubectl-velero-test \(ENOENT\): .*set TMPDIR to a writable directory/),
    );
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});

test.run();
