import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reservePort } from './ports.ts';

// Two test files run side by side (E2E_JOBS) are two processes: a port one of them reserved must not
// be handed to the other while the first lives, and is free again once it exits.
test('a port reserved by another live process is refused, and free again when that process exits', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'kv-ports-'));
  process.env.KUBECTL_VELERO_CACHE = cache;
  const port = 29_123;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${join(import.meta.dirname, 'ports.ts')}').then((m) => { process.stdout.write(String(m.reservePort(${port})) + "\\n"); setInterval(() => {}, 1000); })`], {
    env: { ...process.env, KUBECTL_VELERO_CACHE: cache },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
    assert.is(first, 'true');
    assert.is(reservePort(port), false, 'held by the live child');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.is(reservePort(port), true, 'free once the child is gone');
  delete process.env.KUBECTL_VELERO_CACHE;
  rmSync(cache, { recursive: true, force: true });
});

test.run();
