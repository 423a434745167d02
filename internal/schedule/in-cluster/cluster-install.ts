// Puts a schedule's in-cluster objects (manifests.ts) into the cluster, finds them again by their
// labels, and removes them: server-side apply (one field manager, so a second install updates in
// place), then whatever labelled object the new set no longer has (a namespace dropped from the
// template) is deleted. Over our own HTTP client, not client-node's typed APIs: the kinds are few
// and fixed, and those APIs bring the whole generated client into every command's bundle.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../../kube/errors.ts';
import { KubeHttpClient } from '../../kube/http-client.ts';
import { type KubeObject, listObjects, resourcePath } from '../../kube/list.ts';
import { type KubeManifest, MANAGED_BY, MANAGED_BY_LABEL, SCHEDULE_LABEL } from './manifests.ts';

interface Kind {
  groupVersion: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

/** Every kind `schedule install` makes, in the order they are removed (the CronJob first, so it starts no new Job). */
const KINDS: Kind[] = [
  { groupVersion: 'batch/v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true },
  { groupVersion: 'batch/v1', kind: 'Job', resource: 'jobs', namespaced: true },
  { groupVersion: 'v1', kind: 'Pod', resource: 'pods', namespaced: true },
  { groupVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
  { groupVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', resource: 'rolebindings', namespaced: true },
  { groupVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
  { groupVersion: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true },
  { groupVersion: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true },
];
const NAMESPACES: Kind = { groupVersion: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false };

const FIELD_MANAGER = 'kubectl-velero';

export function scheduleSelector(schedule: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY},${SCHEDULE_LABEL}=${schedule}`;
}

type Named = { kind?: string; metadata?: { namespace?: string; name?: string } };
const key = (o: Named) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

function kindOf(o: { apiVersion?: string; kind?: string }): Kind {
  const found = KINDS.find((k) => k.groupVersion === o.apiVersion && k.kind === o.kind);
  if (!found) throw new Error(`${o.apiVersion} ${o.kind} is not a kind schedule install makes`);
  return found;
}

const pathOf = (o: KubeManifest | KubeObject) => {
  const kind = kindOf(o);
  return resourcePath(kind, kind.namespaced ? (o.metadata.namespace ?? '') : undefined, o.metadata.name);
};

const isNotFound = (error: unknown) => error instanceof KubeApiError && error.status === 404;

export class InClusterSchedules {
  private constructor(private readonly client: KubeHttpClient) {}

  static async open(kc: KubeConfig): Promise<InClusterSchedules> {
    return new InClusterSchedules(new KubeHttpClient(kc));
  }

  /** Every object of the schedule that is in the cluster now. */
  async installed(schedule: string): Promise<KubeObject[]> {
    const found: KubeObject[] = [];
    for (const k of KINDS) {
      await explain(`listing ${k.kind}s`, async () => {
        for await (const item of listObjects(this.client, k, { labelSelector: scheduleSelector(schedule) })) found.push(item);
      });
    }
    return found;
  }

  /**
   * Applies the manifests (after creating their namespace when missing, as `velero install` does; a
   * namespace is never ours to remove), then deletes the schedule's objects that are not among them.
   */
  async apply(schedule: string, manifests: readonly KubeManifest[]): Promise<{ applied: number; pruned: string[] }> {
    const home = manifests.find((m) => m.kind === 'CronJob')?.metadata.namespace;
    if (home) await explain(`namespace ${home}`, () => this.ensureNamespace(home));
    for (const m of manifests) {
      await explain(`${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`, () => this.client.apply(pathOf(m), m, FIELD_MANAGER));
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
    const objects = await this.installed(schedule);
    const cronJob = objects.find((o) => o.kind === 'CronJob' && o.metadata.namespace === namespace) as CronJobObject | undefined;
    if (!cronJob) return undefined;
    const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata.namespace === namespace) as JobObject[];
    jobs.sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')));
    const job = jobs.at(-1);
    const run: CronJobRun = {
      name: cronJob.metadata.name,
      suspended: Boolean(cronJob.spec?.suspend),
      lastScheduleTime: cronJob.status?.lastScheduleTime,
      lastSuccessfulTime: cronJob.status?.lastSuccessfulTime,
      active: cronJob.status?.active?.length ?? 0,
    };
    if (!job) return run;
    run.lastJob = { name: job.metadata.name, outcome: job.status?.succeeded ? 'Succeeded' : job.status?.failed ? 'Failed' : 'Running' };
    const pod = objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.['job-name'] === job.metadata.name).at(-1);
    if (pod) {
      try {
        const log = await this.client.getText(`${resourcePath(kindOf(pod), namespace, pod.metadata.name)}/log`, { tailLines: String(tailLines) });
        run.lastJob.logTail = log.trimEnd().split('\n');
      } catch {
        // A pod not started yet (or already gone) has no log to show.
      }
    }
    return run;
  }

  /** Suspends or resumes the CronJob (schedule pause/unpause); false when it is not installed. */
  async setSuspended(schedule: string, namespace: string, suspend: boolean): Promise<boolean> {
    const cronJob = (await this.installed(schedule)).find((o) => o.kind === 'CronJob' && o.metadata.namespace === namespace);
    if (!cronJob) return false;
    await explain(`CronJob ${namespace}/${cronJob.metadata.name}`, () => this.client.sendJson('PATCH', pathOf(cronJob), { spec: { suspend } }));
    return true;
  }

  private async ensureNamespace(name: string): Promise<void> {
    try {
      await this.client.getJson(resourcePath(NAMESPACES, undefined, name));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.client.sendJson('POST', resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }

  private async deleteOne(o: KubeObject): Promise<void> {
    try {
      await this.client.sendJson('DELETE', pathOf(o), undefined, { propagationPolicy: 'Background' });
    } catch (error) {
      if (!isNotFound(error)) throw new Error(`deleting ${key(o)}: ${apiMessage(error)}`);
    }
  }
}

/** Says which object a failed call was about; the API server's own message follows. */
async function explain<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new Error(`${what}: ${apiMessage(error)}`);
  }
}

export function apiMessage(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export interface CronJobRun {
  name: string;
  suspended: boolean;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  active: number;
  lastJob?: { name: string; outcome: 'Succeeded' | 'Failed' | 'Running'; logTail?: string[] };
}

interface CronJobObject extends KubeObject {
  spec?: { suspend?: boolean };
  status?: { lastScheduleTime?: string; lastSuccessfulTime?: string; active?: unknown[] };
}

interface JobObject extends KubeObject {
  status?: { succeeded?: number; failed?: number };
}
