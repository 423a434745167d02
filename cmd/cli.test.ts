// The CLI in-process: commands answer, and bad input is one line on stderr with a non-zero exit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli as run } from './cli.test-helpers.ts';

test('version -o json reports the plugin, commit and Node versions', async () => {
  const { code, stdout } = await run(['version', '-o', 'json']);
  assert.is(code, 0);
  const info = JSON.parse(stdout).client;
  assert.type(info.version, 'string');
  assert.type(info.gitCommit, 'string');
  assert.is(info.nodeVersion, process.version);
});

test('version -o yaml', async () => {
  const { code, stdout } = await run(['version', '-o', 'yaml']);
  assert.is(code, 0);
  assert.match(stdout, /^client:\n {2}version: /);
});

test('an unknown output format is a one-line error and exit 1', async () => {
  const { code, stdout, stderr } = await run(['version', '-o', 'xml']);
  assert.is(code, 1);
  assert.is(stdout, '');
  assert.is(stderr, 'error: unknown output format "xml": use one of table, json, yaml\n');
});

test('--help lists the commands', async () => {
  const { code, stdout } = await run(['--help']);
  assert.is(code, 0);
  assert.match(stdout, /kubectl velero version/);
});

test('an unknown command exits non-zero', async () => {
  const { code } = await run(['no-such-command']);
  assert.is.not(code, 0);
});

test.run();
