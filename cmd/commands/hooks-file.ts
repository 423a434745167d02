// --hooks-file: Velero's hooks spec in YAML or JSON — `resources: [...]`, or a whole Backup/Restore
// (`spec.hooks.resources`), or `hooks: {resources: [...]}` — so hooks written for Velero work as they are.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BadFlagValueError } from './backup/flags.ts';

export function readHooksFile(file: string | undefined): { resources: unknown[] } | undefined {
  if (!file) return undefined;
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BadFlagValueError(`cannot read --hooks-file ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const d = doc as { resources?: unknown; hooks?: { resources?: unknown }; spec?: { hooks?: { resources?: unknown } } } | null;
  const resources = d?.resources ?? d?.hooks?.resources ?? d?.spec?.hooks?.resources;
  if (!Array.isArray(resources)) throw new BadFlagValueError(`--hooks-file ${file}: expected Velero's hooks spec with a "resources" list`);
  return { resources };
}
