// `make install` puts the plugin on PATH and kubectl finds it as `kubectl velero`, with no
// dependency on the checkout's node_modules at run time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../hack/harness/paths.ts';

const prefix = mkdtempSync(join(tmpdir(), 'kv-install-'));

test.after(() => rmSync(prefix, { recursive: true, force: true }));

test('make install, then kubectl velero version through kubectl plugin discovery', () => {
  execFileSync('make', ['--no-print-directory', 'install', `PREFIX=${prefix}`], { cwd: repoRoot, stdio: 'pipe' });
  // Only the installed bin dir and the system dirs: no node_modules/.bin, no machine node needed first.
  const env = { PATH: `${join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`, HOME: prefix };
  const out = execFileSync('kubectl', ['velero', 'version', '-o', 'json'], { env, encoding: 'utf8' });
  const info = JSON.parse(out).client;
  assert.match(info.nodeVersion, /^v24\./);
  const plugins = execFileSync('kubectl', ['plugin', 'list'], { env, encoding: 'utf8' });
  assert.match(plugins, /kubectl-velero/);
});

test.run();
