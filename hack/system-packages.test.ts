// hack/system-packages on a PATH where none of the commands it looks for exists: with --check it
// installs nothing and says, in one line, which packages are missing and the command to run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './harness/paths.ts';

test('missing packages: one line with the exact apt-get command, exit 1, nothing installed', () => {
  const r = spawnSync('/bin/bash', [join(repoRoot, 'hack', 'system-packages'), '--check'], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stdout, '');
  const commands = ['containerd', 'runc', 'iproute2', 'iptables', 'conntrack', 'socat', 'debootstrap', 'umoci', 'openssl'];
  const line = r.stderr.trim();
  assert.is(line.split('\n').length, 1, line);
  assert.match(line, /^error: the test cluster needs Debian packages that are missing \(([a-z0-9 -]+)\): run sudo apt-get install -y --no-install-recommends \1$/);
  for (const p of commands) assert.ok(line.includes(` ${p}`) || line.includes(`(${p}`), `${p} is named`);
});

test.run();
