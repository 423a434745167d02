// Puts a schedule's in-cluster objects (manifests.ts) into the cluster, finds them again by their
// labels, and removes them: server-side apply (one field manager, so a second install updates in
// place), then whatever labelled object the new set no longer has (a namespace dropped from the
// template) is deleted. Uses client-node's generic object API: the kinds are few and fixed.
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { type KubeManifest, MANAGED_BY, MANAGED_BY_LABEL, SCHEDULE_LABEL } from './manifests.ts';

/** Every kind `schedule install` makes, in the order they are removed (the CronJob first, so it starts no new Job). */
const KINDS: { apiVersion: string; kind: string; namespaced: boolean }[] = [
  { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', namespaced: true },
  { apiVersion: 'v1', kind: 'Pod', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true },
];

const FIELD_MANAGER = 'kubectl-velero';

export function scheduleSelector(schedule: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY},${SCHEDULE_LABEL}=${schedule}`;
}

const key = (o: { kind?: string; metadata?: { namespace?: string; name?: string } }) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

export class InClusterSchedules {
  private constructor(
    private readonly kc: KubeConfig,
    private readonly api: KubernetesObjectApi,
  ) {}

  static async open(kc: KubeConfig): Promise<InClusterSchedules> {
    const { KubernetesObjectApi } = await import('@kubernetes/client-node');
    return new InClusterSchedules(kc, KubernetesObjectApi.makeApiClient(kc));
  }

  /** Every object of the schedule that is in the cluster now. */
  async installed(schedule: string): Promise<KubernetesObject[]> {
    const found: KubernetesObject[] = [];
    for (const k of KINDS) {
      const list = await explain(`listing ${k.kind}s`, () => this.api.list(k.apiVersion, k.kind, undefined, undefined, undefined, undefined, undefined, scheduleSelector(schedule)));
      for (const item of list.items) found.push({ ...item, apiVersion: k.apiVersion, kind: k.kind });
    }
    return found;
  }

  /**
   * Applies the manifests (after creating their namespace when missing, as `velero install` does; a
   * namespace is never ours to remove), then deletes the schedule's objects that are not among them.
   */
  async apply(schedule: string, manifests: readonly KubeManifest[]): Promise<{ applied: number; pruned: string[] }> {
    const { PatchStrategy } = await import('@kubernetes/client-node');
    const home = manifests.find((m) => m.kind === 'CronJob')?.metadata.namespace;
    if (home) await explain(`namespace ${home}`, () => this.ensureNamespace(home));
    for (const m of manifests) {
      await explain(`${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`, () => this.api.patch(m as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
    }
    const wanted = new Set(manifests.map(key));
    const pruned: string[] = [];
    for (const o of await this.installed(schedule)) {
      // Jobs and their pods belong to the CronJob's history, not to the install.
      if (o.kind === 'Job' || o.kind === 'Pod' || wanted.has(key(o))) continue;
      await this.deleteOne(o);
      pruned.push(key(o));
    }
    return { applied: manifests.length, pruned };
  }

  /** Deletes every object of the schedule (Jobs and pods of its runs too) and waits until none is left. */
  async remove(schedule: string, timeoutMs = 120_000): Promise<number> {
    let removed = 0;
    for (const o of await this.installed(schedule)) {
      await this.deleteOne(o);
      removed++;
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.installed(schedule);
      if (!left.length) return removed;
      if (Date.now() > deadline) throw new Error(`still in the cluster after ${timeoutMs / 1000} s: ${left.map(key).join(', ')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** The CronJob's last runs and the tail of the newest run's log, for `schedule describe`. */
  async lastRun(schedule: string, namespace: string, tailLines = 10): Promise<CronJobRun | undefined> {
    const { CoreV1Api } = await import('@kubernetes/client-node');
    const objects = await this.installed(schedule);
    const cronJob = objects.find((o) => o.kind === 'CronJob' && o.metadata?.namespace === namespace) as CronJobObject | undefined;
    if (!cronJob) return undefined;
    const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata?.namespace === namespace) as JobObject[];
    jobs.sort((a, b) => (a.metadata?.creationTimestamp ?? '').toString().localeCompare((b.metadata?.creationTimestamp ?? '').toString()));
    const job = jobs.at(-1);
    const run: CronJobRun = {
      name: cronJob.metadata?.name ?? '',
      suspended: Boolean(cronJob.spec?.suspend),
      lastScheduleTime: stamp(cronJob.status?.lastScheduleTime),
      lastSuccessfulTime: stamp(cronJob.status?.lastSuccessfulTime),
      active: cronJob.status?.active?.length ?? 0,
    };
    if (!job) return run;
    run.lastJob = { name: job.metadata?.name ?? '', outcome: job.status?.succeeded ? 'Succeeded' : job.status?.failed ? 'Failed' : 'Running' };
    const pod = objects.filter((o) => o.kind === 'Pod' && o.metadata?.labels?.['job-name'] === job.metadata?.name).at(-1);
    if (pod?.metadata?.name) {
      try {
        const log = await this.kc.makeApiClient(CoreV1Api).readNamespacedPodLog({ name: pod.metadata.name, namespace, tailLines });
        run.lastJob.logTail = String(log).trimEnd().split('\n');
      } catch {
        // A pod not started yet (or already gone) has no log to show.
      }
    }
    return run;
  }

  /** Suspends or resumes the CronJob (schedule pause/unpause); false when it is not installed. */
  async setSuspended(schedule: string, namespace: string, suspend: boolean): Promise<boolean> {
    const { PatchStrategy } = await import('@kubernetes/client-node');
    const cronJob = (await this.installed(schedule)).find((o) => o.kind === 'CronJob' && o.metadata?.namespace === namespace);
    if (!cronJob?.metadata?.name) return false;
    await this.api.patch({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: cronJob.metadata.name, namespace }, spec: { suspend } } as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
    return true;
  }

  private async ensureNamespace(name: string): Promise<void> {
    try {
      await this.api.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      await this.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }

  private async deleteOne(o: KubernetesObject): Promise<void> {
    try {
      await this.api.delete({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace } }, undefined, undefined, undefined, undefined, 'Background');
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw new Error(`deleting ${key(o)}: ${apiMessage(error)}`);
    }
  }
}

/** client-node's ApiException carries the whole HTTP exchange: one line with the API server's own message instead. */
async function explain<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new Error(`${what}: ${apiMessage(error)}`);
  }
}

export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      // not a Status: fall through
    }
  }
  const code = (error as { code?: number }).code;
  return code ? `HTTP ${code}` : error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export interface CronJobRun {
  name: string;
  suspended: boolean;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  active: number;
  lastJob?: { name: string; outcome: 'Succeeded' | 'Failed' | 'Running'; logTail?: string[] };
}

type Stamp = string | Date | undefined;
const stamp = (t: Stamp) => (t === undefined ? undefined : t instanceof Date ? t.toISOString() : String(t));

interface CronJobObject extends KubernetesObject {
  spec?: { suspend?: boolean };
  status?: { lastScheduleTime?: Stamp; lastSuccessfulTime?: Stamp; active?: unknown[] };
}

interface JobObject extends KubernetesObject {
  status?: { succeeded?: number; failed?: number };
}
