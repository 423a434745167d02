// The README's database hook annotations are the ones e2e/databases-live.test.ts proves: rendered
// from the same functions, compared here so an edit on either side shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { repoRoot } from '../harness/paths.ts';
import { README_SQLITE_RESTORE, readmeAnnotations, sqliteRestoreHooks } from './hooks.ts';

/** The YAML block after `<!-- readme-hooks:DB -->` in the README. */
export function readmeBlock(readme: string, db: string): string {
  const at = readme.indexOf(`<!-- readme-hooks:${db} -->`);
  assert.ok(at >= 0, `README has the ${db} hooks`);
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, `a yaml block follows the ${db} marker`);
  return m[1]!;
}

for (const db of ['postgres', 'mariadb', 'ferretdb'] as const) {
  test(`README: the ${db} annotations are the tested ones, and parse back to them`, () => {
    const block = readmeBlock(readFileSync(join(repoRoot, 'README.md'), 'utf8'), db);
    const annotations = (parse(block) as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
    assert.equal(annotations, parse(readmeAnnotations(db, 'appdb')));
    const command = JSON.parse(annotations['pre.hook.backup.velero.io/command']!) as string[];
    assert.equal(command.slice(0, 2), ['sh', '-c']);
    if (db === 'postgres') assert.match(command[2]!, /DO \$\$DECLARE[\s\S]*END\$\$;/);
  });
}

test('README: the FerretDB restore hooks file is the tested one', () => {
  const block = readmeBlock(readFileSync(join(repoRoot, 'README.md'), 'utf8'), 'ferretdb-restore');
  assert.equal(parse(block), sqliteRestoreHooks(README_SQLITE_RESTORE));
});

test.run();
