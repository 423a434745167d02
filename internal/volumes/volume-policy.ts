// Velero's volume policies (internal/resourcepolicies, v1.18): the YAML a backup's
// `--resource-policies-configmap` ConfigMap holds, parsed and validated as Velero's decoder and
// validator do (known fields only, version v1, capacity ranges, action types), and the action of
// the first policy whose conditions all match a volume.
//
//   version: v1
//   volumePolicies:
//   - conditions: { capacity: "10,100Gi", storageClass: [gp2], csi: { driver, volumeAttributes },
//                   nfs: { server, path }, volumeTypes: [emptyDir, csi…], pvcLabels: { k: v }, pvcPhase: [Bound] }
//     action: { type: skip | snapshot | fs-backup | custom, parameters: {…} }
//
// A volume is described by its PV when it has one (capacity, class, nfs, csi, type) and otherwise
// by the pod's volume (nfs, csi, type; no capacity, no class); its claim adds labels and phase.
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../kube/list.ts';
import { parseQuantity } from '../kube/quantity.ts';

export type VolumeActionType = 'skip' | 'snapshot' | 'fs-backup' | 'custom';

export interface VolumeAction {
  type: VolumeActionType;
  parameters?: Record<string, unknown>;
}

/** What a policy is matched against: a claim, its PV, or a pod's volume (any of them may be missing). */
export interface VolumeFacts {
  pv?: KubeObject;
  podVolume?: Record<string, unknown>;
  claim?: KubeObject;
}

export class BadVolumePoliciesError extends Error {
  constructor(where: string, why: string) {
    super(`invalid resource policies in ${where}: ${why}`);
  }
}

export const SUPPORTED_VERSION = 'v1';
const ACTIONS: readonly string[] = ['skip', 'snapshot', 'fs-backup', 'custom'];
const TOP_LEVEL = ['version', 'volumePolicies', 'includeExcludePolicy'];
const CONDITIONS = ['capacity', 'storageClass', 'nfs', 'csi', 'volumeTypes', 'pvcLabels', 'pvcPhase'];

/** Velero's volume types: the field of a PV's spec or a pod's volume that says what it is. */
const VOLUME_TYPES: readonly (readonly [field: string, type: string])[] = [
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['azureDisk', 'azureDisk'],
  ['azureFile', 'azureFile'],
  ['cephfs', 'cephfs'],
  ['cinder', 'cinder'],
  ['csi', 'csi'],
  ['fc', 'fc'],
  ['flocker', 'flocker'],
  ['flexVolume', 'flexVolume'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['gitRepo', 'gitRepo'],
  ['glusterfs', 'glusterfs'],
  ['iscsi', 'iscsi'],
  ['local', 'local'],
  ['nfs', 'nfs'],
  ['secret', 'secret'],
  ['rbd', 'rbd'],
  ['downwardAPI', 'downwardAPI'],
  ['configMap', 'configMap'],
  ['projected', 'projected'],
  ['ephemeral', 'ephemeral'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['quobyte', 'quobyte'],
  ['scaleIO', 'scaleIO'],
  ['storageos', 'storageOS'],
  ['vsphereVolume', 'vsphereVolume'],
  ['hostPath', 'hostPath'],
  ['emptyDir', 'emptyDir'],
];

interface Conditions {
  capacity?: { lower: number; upper: number };
  storageClass?: string[];
  nfs?: { server?: string; path?: string };
  csi?: { driver?: string; volumeAttributes?: Record<string, string> };
  volumeTypes?: string[];
  pvcLabels?: Record<string, string>;
  pvcPhase?: string[];
}

interface Policy {
  conditions: Conditions;
  action: VolumeAction;
}

/** The volume as Velero's structuredVolume sees it. */
interface Described {
  capacity: number;
  storageClass: string;
  nfs?: { server?: string; path?: string };
  csi?: { driver?: string; volumeAttributes?: Record<string, string> };
  volumeType: string;
  pvcLabels?: Record<string, string>;
  pvcPhase: string;
}

export class VolumePolicies {
  constructor(readonly policies: readonly Policy[]) {}

  /** The action of the first policy whose every condition matches, or undefined. */
  actionFor(facts: VolumeFacts): VolumeAction | undefined {
    const volume = describe(facts);
    return this.policies.find((p) => matches(p.conditions, volume))?.action;
  }
}

/** Parses and validates `text` (from `where`, e.g. "ConfigMap velero/policies") as Velero does; a problem is one line. */
export function parseVolumePolicies(text: string, where: string): VolumePolicies {
  const fail = (why: string): never => {
    throw new BadVolumePoliciesError(where, why);
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    fail(`not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const top = mapping(doc ?? {}, 'the document', fail);
  unknownKeys(top, TOP_LEVEL, '', fail);
  const version = top.version === undefined || top.version === null ? '' : scalar(top.version, 'version', fail);
  if (version !== SUPPORTED_VERSION) fail(`incompatible version number "${version}": the supported version is ${SUPPORTED_VERSION}`);
  // Velero narrows the backup's resource filters with it; not built here, so refused rather than ignored.
  if (top.includeExcludePolicy !== undefined && top.includeExcludePolicy !== null) fail('includeExcludePolicy is not supported by kubectl-velero: use the backup\'s --include/--exclude flags');
  const list = top.volumePolicies === undefined || top.volumePolicies === null ? [] : sequence(top.volumePolicies, 'volumePolicies', fail);
  return new VolumePolicies(list.map((raw, i) => parsePolicy(raw, `volumePolicies[${i}]`, fail)));
}

function parsePolicy(raw: unknown, at: string, fail: (why: string) => never): Policy {
  const policy = mapping(raw, at, fail);
  unknownKeys(policy, ['conditions', 'action'], `${at}.`, fail);
  const c = policy.conditions === undefined || policy.conditions === null ? {} : mapping(policy.conditions, `${at}.conditions`, fail);
  const where = (field: string) => `${at}.conditions.${field}`;
  unknownKeys(c, CONDITIONS, `${at}.conditions.`, fail);
  const conditions: Conditions = {};
  if (present(c.capacity)) conditions.capacity = parseCapacity(scalar(c.capacity, where('capacity'), fail), where('capacity'), fail);
  if (present(c.storageClass)) conditions.storageClass = strings(c.storageClass, where('storageClass'), fail);
  if (present(c.nfs)) {
    const nfs = mapping(c.nfs, where('nfs'), fail);
    unknownKeys(nfs, ['server', 'path'], `${where('nfs')}.`, fail);
    conditions.nfs = { server: optionalScalar(nfs.server, where('nfs.server'), fail), path: optionalScalar(nfs.path, where('nfs.path'), fail) };
  }
  if (present(c.csi)) {
    const csi = mapping(c.csi, where('csi'), fail);
    unknownKeys(csi, ['driver', 'volumeAttributes'], `${where('csi')}.`, fail);
    const driver = optionalScalar(csi.driver, where('csi.driver'), fail);
    const volumeAttributes = present(csi.volumeAttributes) ? stringMap(csi.volumeAttributes, where('csi.volumeAttributes'), fail) : undefined;
    if (!driver && volumeAttributes) fail(`${where('csi')}: csi driver should not be empty when filtering by volume attributes`);
    conditions.csi = { driver, volumeAttributes };
  }
  if (present(c.volumeTypes)) conditions.volumeTypes = strings(c.volumeTypes, where('volumeTypes'), fail);
  if ('pvcLabels' in c) {
    if (!isMapping(c.pvcLabels)) fail(`${where('pvcLabels')}: pvcLabels must be a map of string to string`);
    conditions.pvcLabels = stringMap(c.pvcLabels, where('pvcLabels'), fail);
  }
  if (present(c.pvcPhase)) conditions.pvcPhase = strings(c.pvcPhase, where('pvcPhase'), fail);

  const rawAction = policy.action === undefined || policy.action === null ? {} : mapping(policy.action, `${at}.action`, fail);
  unknownKeys(rawAction, ['type', 'parameters'], `${at}.action.`, fail);
  const type = optionalScalar(rawAction.type, `${at}.action.type`, fail) ?? '';
  if (!ACTIONS.includes(type)) fail(`${at}.action.type: invalid action type "${type}": use skip, snapshot, fs-backup or custom`);
  const action: VolumeAction = { type: type as VolumeActionType };
  if (present(rawAction.parameters)) action.parameters = mapping(rawAction.parameters, `${at}.action.parameters`, fail);
  return { conditions, action };
}

/** Velero's "lower,upper": either side may be empty (0); upper 0 means no upper bound. */
function parseCapacity(text: string, at: string, fail: (why: string) => never): { lower: number; upper: number } {
  const parts = (text === '' ? ',' : text).split(',');
  if (parts.length !== 2) fail(`${at}: wrong format of capacity "${text}": use "lower,upper", e.g. "10Gi,100Gi" or ",10Gi"`);
  const [lower, upper] = parts.map((p) => {
    const t = p.trim();
    if (t === '') return 0;
    const q = parseQuantity(t);
    if (q === undefined) fail(`${at}: wrong format of capacity "${t}": not a quantity such as 10Gi`);
    return q!;
  }) as [number, number];
  if (!(upper >= lower || (lower !== 0 && upper === 0))) fail(`${at}: illegal values for capacity "${text}": the lower bound is above the upper one`);
  return { lower, upper };
}

function describe(facts: VolumeFacts): Described {
  const v: Described = { capacity: 0, storageClass: '', volumeType: '', pvcPhase: '' };
  const source = (facts.pv?.spec ?? (facts.pv ? {} : facts.podVolume)) as Record<string, unknown> | undefined;
  if (source) {
    if (facts.pv) {
      const spec = source as { capacity?: { storage?: unknown }; storageClassName?: unknown };
      v.capacity = typeof spec.capacity?.storage === 'string' ? (parseQuantity(spec.capacity.storage) ?? 0) : typeof spec.capacity?.storage === 'number' ? spec.capacity.storage : 0;
      v.storageClass = typeof spec.storageClassName === 'string' ? spec.storageClassName : '';
    }
    if (isMapping(source.nfs)) v.nfs = source.nfs as Described['nfs'];
    if (isMapping(source.csi)) v.csi = source.csi as Described['csi'];
    v.volumeType = VOLUME_TYPES.find(([field]) => source[field] !== undefined && source[field] !== null)?.[1] ?? '';
  }
  if (facts.claim) {
    const labels = facts.claim.metadata.labels;
    if (labels && Object.keys(labels).length) v.pvcLabels = labels;
    v.pvcPhase = (facts.claim.status as { phase?: string } | undefined)?.phase ?? '';
  }
  return v;
}

function matches(c: Conditions, v: Described): boolean {
  if (c.capacity && !inRange(c.capacity, v.capacity)) return false;
  if (c.storageClass?.length && (v.storageClass === '' || !c.storageClass.includes(v.storageClass))) return false;
  if (c.nfs && !nfsMatches(c.nfs, v.nfs)) return false;
  if (c.csi && !csiMatches(c.csi, v.csi)) return false;
  if (c.volumeTypes?.length && !c.volumeTypes.includes(v.volumeType)) return false;
  if (c.pvcLabels && Object.keys(c.pvcLabels).length) {
    if (!v.pvcLabels) return false;
    for (const [key, value] of Object.entries(c.pvcLabels)) if (v.pvcLabels[key] !== value) return false;
  }
  if (c.pvcPhase?.length && (v.pvcPhase === '' || !c.pvcPhase.includes(v.pvcPhase))) return false;
  return true;
}

/** [0, upper], [lower, ∞) when upper is 0, else [lower, upper]. */
function inRange({ lower, upper }: { lower: number; upper: number }, size: number): boolean {
  if (lower === 0 && upper >= size) return true;
  if (upper === 0 && lower <= size) return true;
  return lower !== 0 && upper !== 0 && lower <= size && size <= upper;
}

function nfsMatches(want: NonNullable<Conditions['nfs']>, have: Described['nfs']): boolean {
  if (!have) return false;
  if (want.path && want.path !== have.path) return false;
  if (want.server && want.server !== have.server) return false;
  return true;
}

function csiMatches(want: NonNullable<Conditions['csi']>, have: Described['csi']): boolean {
  if (!have) return false;
  if (!want.driver) return true;
  if (want.driver !== have.driver) return false;
  const attributes = Object.entries(want.volumeAttributes ?? {});
  if (!attributes.length) return true;
  return attributes.every(([key, value]) => have.volumeAttributes?.[key] === value);
}

// YAML shapes, checked as Go's strict decoder checks them against Velero's structs.

const present = (value: unknown) => value !== undefined && value !== null;
const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function mapping(value: unknown, at: string, fail: (why: string) => never): Record<string, unknown> {
  if (!isMapping(value)) fail(`${at}: expected a mapping, got ${shape(value)}`);
  return value as Record<string, unknown>;
}

function sequence(value: unknown, at: string, fail: (why: string) => never): unknown[] {
  if (!Array.isArray(value)) fail(`${at}: expected a list, got ${shape(value)}`);
  return value as unknown[];
}

/** A string field: YAML scalars (numbers, booleans) decode into it as their text. */
function scalar(value: unknown, at: string, fail: (why: string) => never): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`${at}: expected a string, got ${shape(value)}`);
}

function optionalScalar(value: unknown, at: string, fail: (why: string) => never): string | undefined {
  return present(value) ? scalar(value, at, fail) : undefined;
}

function strings(value: unknown, at: string, fail: (why: string) => never): string[] {
  return sequence(value, at, fail).map((v, i) => scalar(v, `${at}[${i}]`, fail));
}

function stringMap(value: unknown, at: string, fail: (why: string) => never): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping(value, at, fail)).map(([k, v]) => [k, present(v) ? scalar(v, `${at}.${k}`, fail) : '']));
}

function unknownKeys(object: Record<string, unknown>, known: string[], prefix: string, fail: (why: string) => never): void {
  const unknown = Object.keys(object).find((k) => !known.includes(k));
  if (unknown !== undefined) fail(`${prefix}${unknown}: unknown field (known: ${known.join(', ')})`);
}

function shape(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
