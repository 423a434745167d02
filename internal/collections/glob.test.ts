import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileGlob, containsWildcard, globMatch } from './glob.ts';

const cases: [pattern: string, value: string, match: boolean][] = [
  ['*', 'anything', true],
  ['*', '', true],
  ['app-*', 'app-1', true],
  ['app-*', 'app', false],
  ['app-*', 'xapp-1', false],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['ns[12]', 'ns1', true],
  ['ns[12]', 'ns3', false],
  ['ns[!12]', 'ns3', true],
  ['ns[a-c]', 'nsb', true],
  ['{dev,prod}-db', 'prod-db', true],
  ['{dev,prod}-db', 'qa-db', false],
  ['pods', 'pods', true],
  ['pods', 'podsx', false],
  ['deployments.apps', 'deploymentsXapps', false], // the dot is literal
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', false],
];

for (const [pattern, value, match] of cases) {
  test(`glob ${JSON.stringify(pattern)} ${match ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () => {
    assert.is(globMatch(pattern, value), match);
  });
}

test('broken patterns do not compile', () => {
  assert.is(compileGlob('ns['), null);
  assert.is(compileGlob('ns[]'), null);
  assert.is(compileGlob('{a,b'), null);
});

test('wildcard detection uses Velero\'s characters *, ? and [', () => {
  assert.ok(containsWildcard('a*'));
  assert.ok(containsWildcard('a?'));
  assert.ok(containsWildcard('a[b]'));
  assert.not.ok(containsWildcard('plain-name'));
  assert.not.ok(containsWildcard('{a,b}'));
});

test.run();
