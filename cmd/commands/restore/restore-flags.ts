// `restore create` flags → a RestoreSpec, and the resource modifier rules from a file or ConfigMap.
import { readFile } from 'node:fs/promises';
import { BadFlagValueError, parseOptionalBool } from '../backup/flags.ts';
import { splitList } from '../../../internal/backup/spec.ts';
import { parseLabelSelector, parseOrSelectors } from '../../../internal/backup/label-selector.ts';
import type { KubeRequester } from '../../../internal/kube/http-client.ts';
import { nameSegment, namespaceSegment } from '../../../internal/kube/names.ts';
import { rulesTextFromConfigMap } from '../../../internal/restore/modifiers/rules.ts';
import type { ExistingResourcePolicy, RestoreSpec } from '../../../internal/restore/restore-object.ts';

/** `old:new,old2:new2` */
export function parseNamespaceMappings(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from, to, extra] = pair.split(':');
    if (!from || !to || extra !== undefined) throw new BadFlagValueError(`invalid --namespace-mappings entry "${pair}": use old:new`);
    out[from] = to;
  }
  return out;
}

export interface RestoreFlags {
  backupName: string;
  scheduleName?: string;
  includeNamespaces?: string[];
  excludeNamespaces?: string[];
  includeResources?: string[];
  excludeResources?: string[];
  includeClusterResources?: string | boolean;
  namespaceMappings?: string;
  selector?: string;
  orSelector?: string;
  statusIncludeResources?: string[];
  statusExcludeResources?: string[];
  existingResourcePolicy?: string;
  preserveNodePorts?: boolean;
  restoreVolumes?: string | boolean;
  resourceModifierConfigMap?: string;
}

export function buildRestoreSpec(f: RestoreFlags): RestoreSpec {
  const policy = f.existingResourcePolicy || undefined;
  if (policy !== undefined && policy !== 'none' && policy !== 'update') throw new BadFlagValueError(`invalid --existing-resource-policy "${policy}": use none or update`);
  if (f.selector && f.orSelector) throw new BadFlagValueError('--selector and --or-selector cannot be used together');
  const statusIncluded = splitList(f.statusIncludeResources);
  const statusExcluded = splitList(f.statusExcludeResources);
  const spec: RestoreSpec = {
    backupName: f.backupName,
    ...(f.scheduleName ? { scheduleName: f.scheduleName } : {}),
    includedNamespaces: splitList(f.includeNamespaces) ?? ['*'],
    excludedNamespaces: splitList(f.excludeNamespaces),
    includedResources: splitList(f.includeResources),
    excludedResources: splitList(f.excludeResources),
    includeClusterResources: parseOptionalBool('--include-cluster-resources', f.includeClusterResources),
    namespaceMapping: parseNamespaceMappings(f.namespaceMappings),
    labelSelector: f.selector ? parseLabelSelector(f.selector) : undefined,
    orLabelSelectors: f.orSelector ? parseOrSelectors(f.orSelector) : undefined,
    restoreStatus: statusIncluded || statusExcluded ? { includedResources: statusIncluded, excludedResources: statusExcluded } : undefined,
    existingResourcePolicy: policy as ExistingResourcePolicy | undefined,
    preserveNodePorts: f.preserveNodePorts || undefined,
    restorePVs: parseOptionalBool('--restore-volumes', f.restoreVolumes),
    resourceModifier: f.resourceModifierConfigMap ? { kind: 'ConfigMap', name: f.resourceModifierConfigMap } : undefined,
  };
  // Velero's JSON leaves unset fields out.
  for (const key of Object.keys(spec) as (keyof RestoreSpec)[]) if (spec[key] === undefined) delete spec[key];
  return spec;
}

/** The rules' YAML from --resource-modifiers FILE (client-side) or the ConfigMap in the Velero namespace. */
export async function readModifierRules(file: string | undefined, configMap: string | undefined, veleroNamespace: string, client: () => Promise<KubeRequester>): Promise<{ text: string; source: string } | undefined> {
  if (file && configMap) throw new BadFlagValueError('--resource-modifiers and --resource-modifier-configmap cannot be used together');
  if (file) {
    try {
      return { text: await readFile(file, 'utf8'), source: file };
    } catch (error) {
      throw new BadFlagValueError(`cannot read --resource-modifiers ${file}: ${(error as Error).message}`);
    }
  }
  if (!configMap) return undefined;
  const path = `/api/v1/namespaces/${namespaceSegment(veleroNamespace)}/configmaps/${nameSegment(configMap)}`;
  const cm = await (await client()).getJson<{ metadata?: { name?: string; namespace?: string }; data?: Record<string, string> }>(path).catch((error: Error) => {
    throw new BadFlagValueError(`cannot read the resource modifier ConfigMap ${veleroNamespace}/${configMap}: ${error.message}`);
  });
  return { text: rulesTextFromConfigMap(cm), source: `configmap ${veleroNamespace}/${configMap}` };
}
