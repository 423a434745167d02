import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NamespaceFilter, validateNamespaceIncludesExcludes } from './namespace-filter.ts';

const active = ['default', 'kube-system', 'app-1', 'app-2', 'db'];

// [includes, excludes, expected included namespaces among `active`]
const cases: [string[], string[], string[]][] = [
  [[], [], active],
  [['*'], [], active],
  [['*'], ['kube-system'], ['default', 'app-1', 'app-2', 'db']],
  [['app-*'], [], ['app-1', 'app-2']],
  [['app-*'], ['app-2'], ['app-1']],
  [['*'], ['app-*'], ['default', 'kube-system', 'db']], // `*` include: excludes stay patterns
  [['nomatch-*'], [], []], // an include pattern matching nothing backs up nothing
  [['db', 'app-?'], [], ['app-1', 'app-2', 'db']],
  [['default'], ['default'], []],
];

for (const [includes, excludes, expected] of cases) {
  test(`namespaces ${JSON.stringify(includes)} minus ${JSON.stringify(excludes)}`, () => {
    const f = new NamespaceFilter(includes, excludes);
    f.expand(active);
    assert.equal(active.filter((ns) => f.shouldInclude(ns)), expected);
  });
}

test('namespacesToList: one cluster-wide list when all are included, else each included name', () => {
  const all = new NamespaceFilter(['*'], ['kube-system']);
  all.expand(active);
  assert.equal(all.namespacesToList(), [undefined]);
  const some = new NamespaceFilter(['db', 'default'], ['default']);
  some.expand(active);
  assert.equal(some.namespacesToList(), ['db']);
  const pattern = new NamespaceFilter(['app-*']);
  pattern.expand(active);
  assert.equal(pattern.namespacesToList(), ['app-1', 'app-2']);
});

test('validation of namespace names and patterns', () => {
  assert.equal(validateNamespaceIncludesExcludes(['app-*', 'db'], ['x?']), []);
  assert.ok(validateNamespaceIncludesExcludes(['{a,b}'])[0]?.includes('unsupported characters'));
  assert.ok(validateNamespaceIncludesExcludes(['a**'])[0]?.includes('consecutive asterisks'));
  assert.ok(validateNamespaceIncludesExcludes(['Upper'])[0]?.includes('RFC 1123'));
  assert.ok(validateNamespaceIncludesExcludes(['ns['])[0]?.includes('bracket'));
});

test.run();
