// Velero's resource modifier rules (internal/resourcemodifiers): a YAML document
//   version: v1
//   resourceModifierRules:
//   - conditions: { groupResource, resourceNameRegex, namespaces[], labelSelector, matches[{path, value}] }
//     patches: [{ operation, path, from, value }]   # JSON patch; value is text, typed as Velero types it
//     mergePatches: [{ patchData }]                  # JSON merge patch, YAML or JSON text
//     strategicPatches: [{ patchData }]              # not supported client-side (needs the Go types)
// read from a ConfigMap (one data key) or, beyond Velero, straight from a file.
import { parse as parseYaml } from 'yaml';
import type { LabelSelector } from '../../backup/label-selector.ts';
import type { JsonPatchOperation, JsonValue } from './json-patch.ts';

export interface ModifierRule {
  conditions: { groupResource: string; resourceNameRegex?: string; namespaces?: string[]; labelSelector?: LabelSelector; matches?: { path: string; value?: string }[] };
  patches?: { operation: string; path: string; from?: string; value?: string }[];
  mergePatches?: { patchData: string }[];
  strategicPatches?: { patchData: string }[];
}

export interface ResourceModifiers {
  version: string;
  resourceModifierRules: ModifierRule[];
}

export class BadResourceModifiersError extends Error {
  constructor(where: string, why: string) {
    super(`invalid resource modifiers in ${where}: ${why}`);
  }
}

const OPERATIONS = ['add', 'remove', 'replace', 'test', 'move', 'copy'];

/** Parses and validates the rules as Velero's validator does (version v1, one patch kind per rule…). */
export function parseResourceModifiers(text: string, where: string): ResourceModifiers {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new BadResourceModifiersError(where, `not YAML: ${(error as Error).message}`);
  }
  const fail = (why: string): never => {
    throw new BadResourceModifiersError(where, why);
  };
  const mods = (doc ?? {}) as ResourceModifiers;
  if (String(mods.version ?? '').toLowerCase() !== 'v1') fail(`unsupported resource modifier version ${mods.version ?? '(none)'}: use v1`);
  if (!Array.isArray(mods.resourceModifierRules) || mods.resourceModifierRules.length === 0) fail('resource modifier rules cannot be empty');
  mods.resourceModifierRules.forEach((rule, i) => {
    const at = `rule ${i + 1}`;
    if (!rule?.conditions?.groupResource) fail(`${at}: conditions.groupResource cannot be empty`);
    const kinds = [rule.patches, rule.mergePatches, rule.strategicPatches].filter((p) => p?.length).length;
    if (kinds > 1) fail(`${at}: only one of patches, mergePatches, strategicPatches can be specified`);
    if (kinds === 0) fail(`${at}: no patch data found`);
    if (rule.strategicPatches?.length) fail(`${at}: strategicPatches need the server's Go types and are not supported client-side; use mergePatches or patches`);
    for (const p of rule.patches ?? []) {
      if (!p.operation) fail(`${at}: operation cannot be empty`);
      if (!OPERATIONS.includes(p.operation.toLowerCase())) fail(`${at}: unsupported operation ${p.operation}`);
      if (!p.path) fail(`${at}: path cannot be empty`);
    }
    if (rule.conditions.resourceNameRegex) {
      try {
        new RegExp(rule.conditions.resourceNameRegex);
      } catch {
        fail(`${at}: bad resourceNameRegex ${rule.conditions.resourceNameRegex}`);
      }
    }
  });
  return mods;
}

/** A ConfigMap holding the rules must have exactly one data key (Velero's rule). */
export function rulesTextFromConfigMap(cm: { metadata?: { name?: string; namespace?: string }; data?: Record<string, string> }): string {
  const values = Object.values(cm.data ?? {});
  if (values.length !== 1) throw new BadResourceModifiersError(`configmap ${cm.metadata?.namespace}/${cm.metadata?.name}`, 'the ConfigMap must have exactly one data key');
  return values[0]!;
}

/**
 * A patch value is text in the rules; Velero quotes it as a string unless it is null, a boolean, a
 * number, or JSON object/array text — and a value wrapped in double quotes is always a string.
 */
export function typedPatchValue(value: string | undefined): JsonValue {
  const text = value ?? '';
  if (text === '') return '';
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  if (text === 'null') return null;
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (text.startsWith('{') || text.startsWith('[')) return JSON.parse(text) as JsonValue;
  if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

export function toJsonPatch(rule: ModifierRule['patches'] & object): JsonPatchOperation[] {
  return rule.map((p) => ({ op: p.operation.toLowerCase() as JsonPatchOperation['op'], path: p.path, ...(p.from ? { from: p.from } : {}), value: typedPatchValue(p.value) }));
}
