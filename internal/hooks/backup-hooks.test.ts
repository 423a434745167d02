// Velero's backup hook rules: annotation parsing and precedence, spec selectors, onError.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExecOptions, ExecResult } from '../kube/exec.ts';
import type { KubeObject } from '../kube/list.ts';
import { BackupHookRunner, HookAbort, hookFromAnnotations, parseCommand, specApplies } from './backup-hooks.ts';
import { parseGoDuration } from './exec-hook.ts';

const pod = (annotations: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'shop', annotations, labels }, spec: { containers: [{ name: 'db' }, { name: 'side' }] }, status: { phase: 'Running' } }) as KubeObject;
const log = { info: () => undefined, error: () => undefined };

function fakeExec(codes: Record<string, number> = {}) {
  const calls: ExecOptions[] = [];
  const exec = async (o: ExecOptions): Promise<ExecResult> => {
    calls.push(o);
    const code = codes[o.command.join(' ')] ?? 0;
    if (code) o.stderr?.write('boom\n');
    return { exitCode: code };
  };
  return { exec, calls };
}

test('commands: a JSON array, or the whole value as one argument', () => {
  assert.equal(parseCommand('["psql","-c","CHECKPOINT"]'), ['psql', '-c', 'CHECKPOINT']);
  assert.equal(parseCommand('/bin/freeze'), ['/bin/freeze']);
  assert.equal(parseCommand('[not json'), ['[not json']);
  assert.is(parseGoDuration('1m30s'), 90_000);
  assert.is(parseGoDuration('soon'), undefined);
});

test('annotations: phase prefixes, the legacy unprefixed pre hook, on-error only Continue|Fail', () => {
  const p = pod({ 'pre.hook.backup.velero.io/command': '["a"]', 'pre.hook.backup.velero.io/container': 'side', 'pre.hook.backup.velero.io/on-error': 'Fail', 'pre.hook.backup.velero.io/timeout': '2m', 'hook.backup.velero.io/command': 'legacy', 'post.hook.backup.velero.io/command': 'b', 'post.hook.backup.velero.io/on-error': 'Sometimes' });
  assert.equal(hookFromAnnotations(p.metadata.annotations, 'pre'), { container: 'side', command: ['a'], onError: 'Fail', timeoutMs: 120_000 });
  assert.equal(hookFromAnnotations(p.metadata.annotations, 'post'), { container: undefined, command: ['b'], onError: '', timeoutMs: 0 });
  assert.equal(hookFromAnnotations(p.metadata.annotations, '')?.command, ['legacy']);
});

test('annotation hooks win over spec hooks; the default container is the first', async () => {
  const { exec, calls } = fakeExec();
  const spec = { resources: [{ name: 'all', pre: [{ exec: { command: ['from-spec'] } }] }] };
  const runner = new BackupHookRunner(spec, exec, log);
  await runner.run('pre', pod({ 'pre.hook.backup.velero.io/command': 'from-annotation' }), { error: () => undefined });
  await runner.run('pre', pod(), { error: () => undefined });
  assert.equal(calls.map((c) => [c.container, c.command[0]]), [['db', 'from-annotation'], ['db', 'from-spec']]);
  assert.is(runner.attempted, 2);
});

test('spec selectors: namespaces, resources and labels', () => {
  assert.ok(specApplies({ includedNamespaces: ['sh*'] }, pod()));
  assert.not.ok(specApplies({ excludedNamespaces: ['shop'] }, pod()));
  assert.not.ok(specApplies({ includedResources: ['deployments'] }, pod()));
  assert.ok(specApplies({ includedResources: ['pods'] }, pod()));
  assert.ok(specApplies({ labelSelector: { matchLabels: { app: 'db' } } }, pod({}, { app: 'db' })));
  assert.not.ok(specApplies({ labelSelector: { matchLabels: { app: 'db' } } }, pod({}, { app: 'web' })));
});

test('a failing hook is an error; with onError Fail it aborts, and later spec hooks do not run', async () => {
  const errors: string[] = [];
  const { exec, calls } = fakeExec({ bad: 3 });
  const runner = new BackupHookRunner({ resources: [{ pre: [{ exec: { command: ['bad'], onError: 'Fail' } }, { exec: { command: ['after'] } }] }] }, exec, log);
  const aborted = await runner.run('pre', pod(), { error: (m) => errors.push(m) }).then(() => undefined, (e: Error) => e);
  assert.instance(aborted, HookAbort);
  assert.equal(calls.map((c) => c.command[0]), ['bad']);
  assert.match(errors[0]!, /pre hook failed: command \["bad"\] in shop\/db-0 \(db\) exited with code 3: boom/);
  const cont = new BackupHookRunner(undefined, exec, log);
  await cont.run('post', pod({ 'post.hook.backup.velero.io/command': 'bad', 'post.hook.backup.velero.io/on-error': 'Continue' }), { error: (m) => errors.push(m) });
  assert.is(errors.length, 2);
  const missing = await new BackupHookRunner(undefined, exec, log).run('pre', pod({ 'pre.hook.backup.velero.io/command': 'x', 'pre.hook.backup.velero.io/container': 'nope' }), { error: (m) => errors.push(m) });
  assert.is(missing, undefined);
  assert.match(errors[2]!, /no such container: "nope"/);
});

test('pods that are not running get no hooks', async () => {
  const { exec, calls } = fakeExec();
  const p = pod({ 'pre.hook.backup.velero.io/command': 'x' });
  (p.status as { phase: string }).phase = 'Pending';
  await new BackupHookRunner(undefined, exec, log).run('pre', p, { error: () => undefined });
  assert.is(calls.length, 0);
});

test.run();
