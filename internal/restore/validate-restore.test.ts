import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateRestoreSpec } from './validate-restore.ts';

const cases: [string, Parameters<typeof validateRestoreSpec>[0], RegExp | undefined][] = [
  ['a plain restore is valid', { backupName: 'b' }, undefined],
  ['* with others in includes', { backupName: 'b', includedResources: ['*', 'pods'] }, /includes list must either contain '\*' only/],
  ['the same resource included and excluded', { backupName: 'b', includedResources: ['pods'], excludedResources: ['pods'] }, /excludes list cannot contain an item in the includes list: pods/],
  ['a bad namespace name', { backupName: 'b', includedNamespaces: ['Shop!'] }, /invalid namespace/],
  ['selector and or-selectors together', { backupName: 'b', labelSelector: { matchLabels: { a: 'b' } }, orLabelSelectors: [{ matchLabels: { c: 'd' } }] }, /only one can be specified/],
  ['a mapping to an invalid name', { backupName: 'b', namespaceMapping: { shop: 'Shop_B' } }, /invalid namespace mapping target "Shop_B"/],
];
for (const [name, spec, want] of cases) {
  test(`restore validation: ${name}`, () => {
    const errors = validateRestoreSpec(spec);
    if (!want) assert.equal(errors, []);
    else assert.ok(errors.some((e) => want.test(e)), errors.join('\n'));
  });
}

test.run();
