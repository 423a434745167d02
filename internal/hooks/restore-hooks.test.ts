import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExecOptions, ExecResult } from '../kube/exec.ts';
import type { KubeObject } from '../kube/list.ts';
import { execHookFromAnnotations, initContainersFromAnnotations, RestoreHookRunner } from './restore-hooks.ts';

const log = { info: () => undefined, error: () => undefined };
const pod = (annotations: Record<string, string> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'shop', annotations }, spec: { containers: [{ name: 'db' }], initContainers: [{ name: 'app-init' }] } }) as KubeObject;

test('annotations: init container and exec hook with Velero\'s keys', () => {
  const a = { 'init.hook.restore.velero.io/container-image': 'busybox', 'init.hook.restore.velero.io/command': '["sh","-c","true"]', 'post.hook.restore.velero.io/command': 'x', 'post.hook.restore.velero.io/wait-timeout': '2m', 'post.hook.restore.velero.io/wait-for-ready': 'true', 'post.hook.restore.velero.io/on-error': 'Fail' };
  assert.equal(initContainersFromAnnotations(a), [{ name: 'restore-init-hook', image: 'busybox', command: ['sh', '-c', 'true'] }]);
  assert.equal(execHookFromAnnotations(a), { container: undefined, command: ['x'], onError: 'Fail', timeoutMs: 0, waitTimeoutMs: 120_000, waitForReady: true });
  assert.is(execHookFromAnnotations({}), undefined);
});

test('prepare puts hook init containers before the pod\'s own; spec hooks when no annotation', () => {
  const runner = new RestoreHookRunner({ resources: [{ includedNamespaces: ['shop'], postHooks: [{ init: { initContainers: [{ name: 'from-spec', image: 'x' }] } }] }] }, async () => ({ exitCode: 0 }), { async getJson<T>() { return {} as T; } }, log);
  assert.equal(((runner.prepare(pod()).spec as any).initContainers as any[]).map((c) => c.name), ['from-spec', 'app-init']);
  const annotated = pod({ 'init.hook.restore.velero.io/container-image': 'b', 'init.hook.restore.velero.io/command': 'c' });
  assert.equal(((runner.prepare(annotated).spec as any).initContainers as any[]).map((c) => c.name), ['restore-init-hook', 'app-init']);
  const restoredBefore = pod({ 'init.hook.restore.velero.io/container-image': 'b', 'init.hook.restore.velero.io/command': 'c' });
  (restoredBefore.spec as any).initContainers = [{ name: 'restore-init-hook' }, { name: 'app-init' }];
  assert.equal(((runner.prepare(restoredBefore).spec as any).initContainers as any[]).map((c) => c.name), ['restore-init-hook', 'app-init'], 'a backup of a restored pod keeps one');
});

test('exec hook waits for the container to be ready, then runs; failures are errors', async () => {
  let polls = 0;
  const client = { async getJson<T>() { polls++; return { ...pod(), status: { containerStatuses: [{ name: 'db', state: { running: {} }, ready: polls > 2 }] } } as T; } };
  const calls: ExecOptions[] = [];
  const exec = async (o: ExecOptions): Promise<ExecResult> => { calls.push(o); return { exitCode: o.command[0] === 'bad' ? 2 : 0 }; };
  const runner = new RestoreHookRunner(undefined, exec, client, log, 1);
  const errors: string[] = [];
  await runner.created(pod({ 'post.hook.restore.velero.io/command': 'good', 'post.hook.restore.velero.io/wait-for-ready': 'true' }), { error: (m) => errors.push(m) });
  assert.is(polls, 3);
  assert.equal(calls.map((c) => c.command), [['good']]);
  await runner.created(pod({ 'post.hook.restore.velero.io/command': 'bad' }), { error: (m) => errors.push(m) });
  assert.match(errors[0]!, /restore hook failed: command \["bad"\] in shop\/db-0 \(db\) exited with code 2/);
  const never = { async getJson<T>() { return { ...pod(), status: {} } as T; } };
  await new RestoreHookRunner(undefined, exec, never, log, 1).created(pod({ 'post.hook.restore.velero.io/command': 'x', 'post.hook.restore.velero.io/wait-timeout': '10ms' }), { error: (m) => errors.push(m) });
  assert.match(errors[1]!, /container db of pod shop\/db-0 was not running within 0.01 s/);
});

test('what the hook waits for is told once per change; start-up states are not', async () => {
  const states = [
    { waiting: { reason: 'PodInitializing' } },
    { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
    { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
    { running: {} },
    { running: {} },
  ];
  let poll = 0;
  const client = { async getJson<T>() { const i = Math.min(poll++, states.length - 1); return { ...pod(), status: { containerStatuses: [{ name: 'db', state: states[i], ready: i >= 4 }] } } as T; } };
  const told: string[] = [];
  const runner = new RestoreHookRunner(undefined, async () => ({ exitCode: 0 }), client, log, 1, (line) => told.push(line));
  await runner.created(pod({ 'post.hook.restore.velero.io/command': 'good', 'post.hook.restore.velero.io/wait-for-ready': 'true' }), { error: () => assert.unreachable() });
  assert.equal(told, [
    'shop/db-0: container db (restore hook waits for it to be ready): CrashLoopBackOff: back-off 10s restarting failed container',
    'shop/db-0: container db (restore hook waits for it to be ready): running, not ready',
  ]);
});

test.run();
