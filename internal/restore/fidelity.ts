// The fidelity report (beyond Velero): after a restore, every object the restore created or kept is
// read back from the cluster and compared with what the backup says it should be — the backed-up
// object put through the same transformation the restore applied (transform-item.ts), compared with
// subset semantics (object-diff.ts), so only server-populated fields are ignored. The e2e suite uses
// this as its oracle.
import type { ApiResource } from '../kube/discovery.ts';
import { discoverResources } from '../kube/discovery.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import { getObject, type KubeObject } from '../kube/list.ts';
import { type FieldDifference, subsetDifferences } from './object-diff.ts';
import { NEVER_RESTORED } from './priorities.ts';
import { BACKUP_NAME_LABEL, RESTORE_NAME_LABEL } from './reset-metadata.ts';
import type { Restore } from './restore-object.ts';
import type { StagedBackup } from './staged-backup.ts';
import { transformItem } from './transform-item.ts';

export interface FidelityReport {
  checked: number;
  missing: string[];
  different: { object: string; differences: FieldDifference[] }[];
}

/** `ns/name(created)` entries of the restore's resource list, by `apiVersion/Kind`. */
function outcomes(resourceList: Record<string, string[]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [kind, entries] of Object.entries(resourceList)) {
    for (const entry of entries) {
      const m = /^(.*)\((created|updated|skipped|failed)\)$/.exec(entry);
      if (m) out.set(`${kind} ${m[1]}`, m[2]!);
    }
  }
  return out;
}

function withoutRestoreLabels(o: KubeObject): KubeObject {
  const labels = { ...(o.metadata.labels ?? {}) };
  delete labels[BACKUP_NAME_LABEL];
  delete labels[RESTORE_NAME_LABEL];
  return { ...o, metadata: { ...o.metadata, labels } };
}

export async function checkFidelity(restore: Restore, resourceList: Record<string, string[]>, staged: StagedBackup, client: KubeRequester): Promise<FidelityReport> {
  const served = new Map<string, ApiResource>((await discoverResources(client)).resources.map((r) => [r.groupResource, r]));
  const results = outcomes(resourceList);
  const mapping = restore.spec.namespaceMapping ?? {};
  const ctx = { preserveNodePorts: restore.spec.preserveNodePorts ?? false, namespaceMapping: mapping, backupName: restore.spec.backupName, restoreName: restore.metadata.name };
  const report: FidelityReport = { checked: 0, missing: [], different: [] };
  for (const [groupResource, items] of staged.items) {
    if (NEVER_RESTORED.has(groupResource)) continue;
    const resource = served.get(groupResource);
    for (const item of items) {
      const original = (await staged.read(item)) as KubeObject;
      const transformed = transformItem(groupResource, original, ctx);
      if ('skip' in transformed) continue;
      const wanted = transformed.item;
      const label = `${wanted.metadata.namespace ? `${wanted.metadata.namespace}/` : ''}${wanted.metadata.name}`;
      const outcome = results.get(`${original.apiVersion}/${original.kind} ${label}`);
      // Only what this restore created, updated or found unchanged is held to the backup's content.
      if (outcome !== 'created' && outcome !== 'updated' && outcome !== 'skipped') continue;
      report.checked++;
      const live = resource ? await getObject(client, resource, wanted.metadata.namespace, wanted.metadata.name) : undefined;
      if (!live) {
        report.missing.push(`${groupResource} ${label}`);
        continue;
      }
      // A kept ("skipped") object is compared without our labels, which it never received.
      const differences = subsetDifferences(outcome === 'skipped' ? withoutRestoreLabels(wanted) : wanted, live);
      if (differences.length) report.different.push({ object: `${groupResource} ${label}`, differences });
    }
  }
  return report;
}
