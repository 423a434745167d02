import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startProcess, waitFor } from './processes.ts';

test('waitFor: a process that exits first fails at once, the first line of the error quoting its last log line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-processes-test-'));
  try {
    const p = startProcess(dir, 'crashy', '/bin/sh', ['-c', 'echo starting; echo "bind: address already in use"; exit 3']);
    const started = Date.now();
    const error = await waitFor('crashy to serve', async () => false, { timeoutMs: 30_000, process: p }).then(() => undefined, (e: Error) => e);
    assert.ok(error, 'waitFor failed');
    assert.ok(Date.now() - started < 10_000, 'failed without waiting for the timeout');
    const [first, ...rest] = error.message.split('\n');
    assert.ok(first!.startsWith('crashy exited while waiting for crashy to serve (its log ends: "bind: address already in use")'), first);
    assert.equal(rest, ['starting', 'bind: address already in use']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('waitFor: a timeout names what it waited for and quotes the log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-processes-test-'));
  const p = startProcess(dir, 'slow', '/bin/sh', ['-c', 'echo still loading; exec sleep 30']);
  try {
    const error = await waitFor('slow to serve', async () => false, { timeoutMs: 500, process: p }).then(() => undefined, (e: Error) => e);
    assert.ok(error?.message.startsWith('timed out after 0.5 s waiting for slow to serve (its log ends: "still loading")'), error?.message);
  } finally {
    process.kill(p.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
