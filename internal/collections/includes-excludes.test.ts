import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IncludesExcludes, validateIncludesExcludes, validateScopedIncludesExcludes } from './includes-excludes.ts';

// [includes, excludes, value, expected] — the cases of Velero's includes_excludes_test.go, plus globs.
const cases: [string[], string[], string, boolean][] = [
  [[], [], 'foo', true],
  [['*'], [], 'foo', true],
  [['foo'], [], 'foo', true],
  [['foo'], [], 'bar', false],
  [['foo', 'bar'], [], 'bar', true],
  [[], ['foo'], 'foo', false],
  [[], ['foo'], 'bar', true],
  [['*'], ['foo'], 'foo', false],
  [['foo'], ['foo'], 'foo', false], // excludes win
  [['app-*'], [], 'app-1', true],
  [['app-*'], ['app-2'], 'app-2', false],
  [[], ['*'], 'anything', false],
  [['ns['], [], 'ns1', false], // a pattern that does not compile matches nothing
];

for (const [includes, excludes, value, expected] of cases) {
  test(`includes ${JSON.stringify(includes)} excludes ${JSON.stringify(excludes)}: ${value} → ${expected}`, () => {
    assert.is(new IncludesExcludes(includes, excludes).shouldInclude(value), expected);
  });
}

test('includeEverything only for empty or * includes and no excludes', () => {
  assert.ok(new IncludesExcludes().includeEverything());
  assert.ok(new IncludesExcludes(['*']).includeEverything());
  assert.not.ok(new IncludesExcludes(['*', 'a']).includeEverything());
  assert.not.ok(new IncludesExcludes(['a']).includeEverything());
  assert.not.ok(new IncludesExcludes([], ['a']).includeEverything());
});

test('strings for the log: * and <none> when empty', () => {
  const ie = new IncludesExcludes([], []);
  assert.is(ie.includesString(), '*');
  assert.is(ie.excludesString(), '<none>');
  assert.is(new IncludesExcludes(['b', 'a'], ['c']).includesString(), 'a, b');
});

test('validation: * with others, * in excludes, an item in both lists', () => {
  assert.equal(validateIncludesExcludes(['*', 'a'], []), ["includes list must either contain '*' only, or a non-empty list of items"]);
  assert.equal(validateIncludesExcludes([], ['*']), ["excludes list cannot contain '*'"]);
  assert.equal(validateIncludesExcludes(['a'], ['a']), ['excludes list cannot contain an item in the includes list: a']);
  assert.equal(validateIncludesExcludes(['a'], ['b']), []);
});

test('scoped validation allows excluding * alone, not with includes', () => {
  assert.equal(validateScopedIncludesExcludes([], ['*']), []);
  assert.equal(validateScopedIncludesExcludes(['pods'], ['*']), ["when exclude is '*', include cannot have value"]);
  assert.equal(validateScopedIncludesExcludes([], ['*', 'pods']), ["excludes list must either contain '*' only, or a non-empty list of items"]);
});

test.run();
