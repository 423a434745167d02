// Applies resource modifier rules to one item, as Velero's ApplyResourceModifierRules does: every
// rule is matched against the item as it was before any rule changed it (namespace, groupResource
// glob with `.` as separator, name regex, label selector, `matches` as JSON-patch tests), and the
// matching rules' patches are applied in order. Errors are collected, not thrown: Velero records
// them as restore errors for the item's namespace and still restores the item.
import { IncludesExcludes } from '../../collections/includes-excludes.ts';
import { selectorMatches } from '../../backup/label-selector.ts';
import type { KubeObject } from '../../kube/list.ts';
import { applyJsonPatch, applyMergePatch, type JsonValue, TestFailedError, PathMissingError } from './json-patch.ts';
import { type ModifierRule, type ResourceModifiers, toJsonPatch, typedPatchValue } from './rules.ts';
import { parse as parseYaml } from 'yaml';

/** gobwas/glob with separator '.': `*` stays within one dot-separated part, `**` crosses them. */
function groupResourceGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^.]*';
    else if (ch === '?') re += '[^.]';
    else re += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matches(rule: ModifierRule, item: KubeObject, groupResource: string): boolean {
  const c = rule.conditions;
  const ns = item.metadata.namespace;
  if (ns && !new IncludesExcludes(c.namespaces ?? [], []).shouldInclude(ns)) return false;
  if (!groupResourceGlob(c.groupResource).test(groupResource)) return false;
  if (c.resourceNameRegex && !new RegExp(c.resourceNameRegex).test(item.metadata.name)) return false;
  if (c.labelSelector && !selectorMatches(c.labelSelector, item.metadata.labels ?? {})) return false;
  if (c.matches?.length) {
    try {
      applyJsonPatch(item as unknown as JsonValue, c.matches.map((m) => ({ op: 'test' as const, path: m.path, value: typedPatchValue(m.value) })));
    } catch (error) {
      if (error instanceof TestFailedError || error instanceof PathMissingError) return false;
      throw error;
    }
  }
  return true;
}

function applyRule(rule: ModifierRule, item: JsonValue): JsonValue {
  if (rule.patches?.length) {
    try {
      return applyJsonPatch(item, toJsonPatch(rule.patches));
    } catch (error) {
      // A failed test inside the patch list leaves the item as it was (Velero logs it and goes on).
      if (error instanceof TestFailedError) return item;
      throw error;
    }
  }
  let out = item;
  for (const p of rule.mergePatches ?? []) out = applyMergePatch(out, parseYaml(p.patchData) as JsonValue);
  return out;
}

export interface ModifierOutcome {
  item: KubeObject;
  /** Rules that matched, by their 1-based position, for the log. */
  applied: number[];
  errors: string[];
}

export function applyResourceModifiers(modifiers: ResourceModifiers | undefined, item: KubeObject, groupResource: string): ModifierOutcome {
  if (!modifiers) return { item, applied: [], errors: [] };
  const original = item;
  let current = item as unknown as JsonValue;
  const applied: number[] = [];
  const errors: string[] = [];
  modifiers.resourceModifierRules.forEach((rule, i) => {
    try {
      if (!matches(rule, original, groupResource)) return;
      current = applyRule(rule, current);
      applied.push(i + 1);
    } catch (error) {
      errors.push(`error in applying resource modifier rule ${i + 1} to ${groupResource} ${original.metadata.name}: ${(error as Error).message}`);
    }
  });
  return { item: current as unknown as KubeObject, applied, errors };
}
