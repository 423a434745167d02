// `schedule install` end to end, with the user's credentials: read the cluster (discovery for the
// cluster-scoped resources and the snapshot API, pods' annotations for where exec is needed, the
// Velero namespace's VolumeSnapshotLocations), plan the ServiceAccount's access, build the objects
// and apply them.
import type { KubeConfig } from '@kubernetes/client-node';
import { discoverResources } from '../../kube/discovery.ts';
import { KubeHttpClient } from '../../kube/http-client.ts';
import type { KubeObject } from '../../kube/list.ts';
import { listClusterSnapshotLocations } from '../../snapshots/snapshot-locations.ts';
import type { Schedule } from '../schedule-object.ts';
import { type AccessPlan, type PodAnnotations, planAccess, type SnapshotLocationRef } from './access.ts';
import { InClusterSchedules } from './cluster-install.ts';
import { cronJobSchedule } from './cron-job-schedule.ts';
import { inClusterManifests, installName, type KubeManifest } from './manifests.ts';

export interface InstallRequest {
  schedule: Schedule;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  storageLocation: string;
  /** The Secret's files (location-secret.ts). */
  files: Record<string, Buffer>;
}

export interface InstallResult {
  name: string;
  access: AccessPlan;
  manifests: KubeManifest[];
  pruned: string[];
}

/** The objects for a schedule, read from the cluster but not applied (also `-o yaml` of install). */
export async function planInstall(kc: KubeConfig, request: InstallRequest): Promise<{ access: AccessPlan; manifests: KubeManifest[] }> {
  const { schedule } = request;
  const { cron, timeZone } = cronJobSchedule(schedule.spec.schedule);
  const client = new KubeHttpClient(kc);
  try {
    const discovery = await discoverResources(client);
    const clusterResources = discovery.resources.filter((r) => !r.namespaced).map((r) => ({ group: r.group, resource: r.resource }));
    const template = schedule.spec.template;
    const namespaces = template.includedNamespaces?.length && !template.includedNamespaces.some((n) => /[*?[\]]/.test(n)) ? template.includedNamespaces : [undefined];
    const pods: PodAnnotations[] = [];
    for (const ns of namespaces) {
      const path = ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/pods` : '/api/v1/pods';
      const list = await client.getJson<{ items: KubeObject[] }>(path);
      for (const p of list.items) pods.push({ namespace: p.metadata.namespace ?? '', annotations: p.metadata.annotations });
    }
    const access = planAccess({ template, clusterResources, pods, snapshotLocations: await snapshotLocationsOf(client, schedule.metadata.namespace) });
    const manifests = inClusterManifests({
      schedule: schedule.metadata.name,
      namespace: schedule.metadata.namespace,
      cron,
      timeZone,
      paused: Boolean(schedule.spec.paused),
      image: request.image,
      imagePullPolicy: request.imagePullPolicy,
      files: request.files,
      storageLocation: request.storageLocation,
      access,
    });
    return { access, manifests };
  } finally {
    client.close();
  }
}

/**
 * The Velero namespace's VolumeSnapshotLocations (none without Velero's CRDs). One the user may not
 * list is an error: the account would be planned without what its backups need.
 */
async function snapshotLocationsOf(client: KubeHttpClient, namespace: string): Promise<SnapshotLocationRef[]> {
  const { locations, warning } = await listClusterSnapshotLocations({ client, namespace });
  if (warning) throw new Error(`${warning}: schedule install reads them to give the schedule access to them`);
  return locations.map((l) => ({ name: l.name, ...(l.credential ? { credentialSecret: l.credential.name } : {}) }));
}

export async function installSchedule(kc: KubeConfig, request: InstallRequest): Promise<InstallResult> {
  const { access, manifests } = await planInstall(kc, request);
  const { pruned } = await (await InClusterSchedules.open(kc)).apply(request.schedule.metadata.name, manifests);
  return { name: installName(request.schedule.metadata.name), access, manifests, pruned };
}
