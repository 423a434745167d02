// Which of a pod's volumes get a file-system backup — Velero's GetVolumesByPod
// (pkg/util/podvolume/pod_volume.go): without defaultVolumesToFsBackup only the volumes named in
// the backup.velero.io/backup-volumes annotation; with it every volume except those whose content
// comes from the API (secrets, config maps, projected, downward API), host paths (not the pod's
// own data) and the ones named in backup.velero.io/backup-volumes-excludes.
import type { KubeObject } from '../kube/list.ts';

export const VOLUMES_TO_BACKUP_ANNOTATION = 'backup.velero.io/backup-volumes';
export const VOLUMES_TO_EXCLUDE_ANNOTATION = 'backup.velero.io/backup-volumes-excludes';

export interface PodVolume {
  name: string;
  hostPath?: unknown;
  secret?: unknown;
  configMap?: unknown;
  projected?: unknown;
  downwardAPI?: unknown;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: unknown;
}

export interface VolumeSelection {
  /** Volume names to back up, in the pod's order. */
  volumes: string[];
  /** Volumes the pod opted out of with the excludes annotation (Velero records them). */
  optedOut: string[];
}

const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);

export function podVolumesOf(pod: KubeObject): PodVolume[] {
  return ((pod.spec as { volumes?: PodVolume[] } | undefined)?.volumes ?? []).filter((v) => typeof v?.name === 'string');
}

export function selectVolumes(pod: KubeObject, defaultVolumesToFsBackup: boolean): VolumeSelection {
  const annotations = pod.metadata.annotations ?? {};
  const declared = podVolumesOf(pod);
  if (!defaultVolumesToFsBackup) {
    // Only what the annotation names, and only volumes the pod actually has.
    const known = new Set(declared.map((v) => v.name));
    return { volumes: [...new Set(list(annotations[VOLUMES_TO_BACKUP_ANNOTATION]))].filter((n) => known.has(n)), optedOut: [] };
  }
  const excluded = new Set(list(annotations[VOLUMES_TO_EXCLUDE_ANNOTATION]));
  const volumes: string[] = [];
  const optedOut: string[] = [];
  for (const v of declared) {
    if (v.hostPath || v.secret || v.configMap || v.projected || v.downwardAPI) continue;
    if (excluded.has(v.name)) {
      optedOut.push(v.name);
      continue;
    }
    if (v.name.startsWith('default-token')) continue;
    volumes.push(v.name);
  }
  return { volumes, optedOut };
}

/** A pod volume's volume-policy action, undefined when no policy matches. */
export type PodVolumeAction = (pod: KubeObject, volume: PodVolume) => Promise<string | undefined>;

/**
 * With volume policies — Velero's ShouldPerformFSBackup: volumes whose content comes from the API,
 * host paths (and with --snapshot-move-data, claims) never; a volume whose policy matched is backed
 * up if the action is fs-backup and not otherwise (skip, snapshot, custom), annotations or not; the
 * others as selectVolumes says.
 */
export async function selectVolumesByPolicy(pod: KubeObject, defaultVolumesToFsBackup: boolean, actionOf: PodVolumeAction, excludeClaims = false): Promise<VolumeSelection & { byPolicy: { volume: string; action: string }[] }> {
  const legacy = selectVolumes(pod, defaultVolumesToFsBackup);
  const selected = new Set(legacy.volumes);
  const out = { volumes: [] as string[], optedOut: [] as string[], byPolicy: [] as { volume: string; action: string }[] };
  for (const v of podVolumesOf(pod)) {
    if (v.hostPath || v.secret || v.configMap || v.projected || v.downwardAPI || v.name.startsWith('default-token')) continue;
    if (excludeClaims && v.persistentVolumeClaim) continue;
    const action = await actionOf(pod, v);
    if (action) out.byPolicy.push({ volume: v.name, action });
    if (action === 'fs-backup' || (!action && selected.has(v.name))) out.volumes.push(v.name);
    else if (!action && legacy.optedOut.includes(v.name)) out.optedOut.push(v.name);
  }
  return out;
}

/** The first (running) container that mounts the whole of `volume`, and where. */
export function mountOf(pod: KubeObject, volume: string): { container: string; mountPath: string } | undefined {
  const spec = pod.spec as { containers?: Container[] } | undefined;
  for (const c of spec?.containers ?? []) {
    const m = c.volumeMounts?.find((vm) => vm.name === volume && !vm.subPath && !vm.subPathExpr);
    if (m) return { container: c.name, mountPath: m.mountPath };
  }
  return undefined;
}

interface Container {
  name: string;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; subPathExpr?: string }[];
}
