// Resource modifier rules: parsing/validation, Velero's value typing, matching and both patch kinds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../kube/list.ts';
import { applyResourceModifiers } from './apply-modifiers.ts';
import { applyJsonPatch, applyMergePatch, TestFailedError } from './json-patch.ts';
import { parseResourceModifiers, rulesTextFromConfigMap, typedPatchValue } from './rules.ts';

const deployment = (name: string, ns = 'shop', labels: Record<string, string> = { app: name }): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, labels },
  spec: { replicas: 3, template: { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
});

const RULES = `
version: v1
resourceModifierRules:
- conditions:
    groupResource: deployments.apps
    resourceNameRegex: "^web"
    namespaces: [shop]
  patches:
  - operation: replace
    path: /spec/replicas
    value: "1"
  - operation: replace
    path: /spec/template/spec/containers/0/image
    value: nginx:1.27
- conditions:
    groupResource: "*.apps"
    labelSelector: { matchLabels: { tier: db } }
    matches:
    - path: /spec/replicas
      value: "3"
  mergePatches:
  - patchData: |
      metadata:
        annotations:
          restored: "yes"
        labels:
          tier: null
`;

test('rules: a JSON patch rule changes matching deployments only', () => {
  const mods = parseResourceModifiers(RULES, 'test');
  const web = applyResourceModifiers(mods, deployment('web'), 'deployments.apps');
  assert.equal(web.applied, [1]);
  assert.is((web.item as any).spec.replicas, 1, '"1" is typed as a number');
  assert.is((web.item as any).spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.equal(applyResourceModifiers(mods, deployment('web', 'other'), 'deployments.apps').applied, [], 'namespace not included');
  assert.equal(applyResourceModifiers(mods, deployment('api'), 'deployments.apps').applied, [], 'name regex');
  assert.equal(applyResourceModifiers(mods, deployment('web'), 'statefulsets.apps').applied, [], 'groupResource');
});

test('rules: merge patch with label selector and matches; conditions see the item before earlier rules', () => {
  const mods = parseResourceModifiers(RULES, 'test');
  const db = applyResourceModifiers(mods, deployment('web-db', 'shop', { tier: 'db' }), 'deployments.apps');
  // Rule 1 set replicas to 1, but rule 2 matches replicas == 3 on the original item.
  assert.equal(db.applied, [1, 2]);
  assert.equal(db.item.metadata.annotations, { restored: 'yes' });
  assert.equal(db.item.metadata.labels, {});
  assert.is((db.item as any).spec.replicas, 1);
});

test('rules: * in groupResource does not cross a dot; ** does', () => {
  const mods = (gr: string) => parseResourceModifiers(`version: v1\nresourceModifierRules:\n- conditions: { groupResource: "${gr}" }\n  mergePatches: [{ patchData: '{"metadata":{"labels":{"x":"1"}}}' }]\n`, 't');
  assert.equal(applyResourceModifiers(mods('*'), deployment('a'), 'deployments.apps').applied, []);
  assert.equal(applyResourceModifiers(mods('*'), deployment('a'), 'configmaps').applied, [1]);
  assert.equal(applyResourceModifiers(mods('**'), deployment('a'), 'deployments.apps').applied, [1]);
});

test('rules: a failing patch is an error for the item, not a crash', () => {
  const mods = parseResourceModifiers('version: v1\nresourceModifierRules:\n- conditions: { groupResource: deployments.apps }\n  patches: [{ operation: remove, path: /spec/nothing }]\n', 't');
  const out = applyResourceModifiers(mods, deployment('a'), 'deployments.apps');
  assert.is(out.errors.length, 1);
  assert.match(out.errors[0]!, /rule 1 .*deployments.apps a/);
});

const invalid: [string, RegExp][] = [
  ['version: v2\nresourceModifierRules: [{conditions: {groupResource: x}, patches: [{operation: add, path: /a}]}]', /unsupported resource modifier version v2/],
  ['version: v1\nresourceModifierRules: []', /cannot be empty/],
  ['version: v1\nresourceModifierRules: [{conditions: {}, patches: [{operation: add, path: /a}]}]', /groupResource cannot be empty/],
  ['version: v1\nresourceModifierRules: [{conditions: {groupResource: x}, patches: [{operation: frob, path: /a}]}]', /unsupported operation frob/],
  ['version: v1\nresourceModifierRules: [{conditions: {groupResource: x}, patches: [{operation: add, path: /a}], mergePatches: [{patchData: "{}"}]}]', /only one of/],
  ['version: v1\nresourceModifierRules: [{conditions: {groupResource: x}, strategicPatches: [{patchData: "{}"}]}]', /strategicPatches .* not supported/],
  ['version: v1\nresourceModifierRules: [{conditions: {groupResource: x}}]', /no patch data/],
];
for (const [text, why] of invalid) {
  test(`rules: invalid — ${why.source}`, () => {
    assert.throws(() => parseResourceModifiers(text, 'f'), why);
  });
}

test("rules: a ConfigMap must hold exactly one key (Velero's rule)", () => {
  assert.is(rulesTextFromConfigMap({ data: { 'rules.yaml': 'x' } }), 'x');
  assert.throws(() => rulesTextFromConfigMap({ metadata: { name: 'm', namespace: 'velero' }, data: { a: '1', b: '2' } }), /exactly one data key/);
});

test("patch values are typed as Velero types them", () => {
  assert.equal([typedPatchValue('1'), typedPatchValue('true'), typedPatchValue('null'), typedPatchValue('"1"'), typedPatchValue('nginx'), typedPatchValue('{"a":1}'), typedPatchValue('')], [1, true, null, '1', 'nginx', { a: 1 }, '']);
});

test('JSON patch: add/remove/replace/move/copy/test per RFC 6902', () => {
  const doc = { a: { b: 1 }, list: [1, 2] };
  assert.equal(applyJsonPatch(doc, [{ op: 'add', path: '/list/-', value: 3 }, { op: 'add', path: '/list/0', value: 0 }]), { a: { b: 1 }, list: [0, 1, 2, 3] });
  assert.equal(applyJsonPatch(doc, [{ op: 'move', from: '/a/b', path: '/c' }, { op: 'copy', from: '/c', path: '/d' }, { op: 'remove', path: '/list/0' }]), { a: {}, list: [2], c: 1, d: 1 });
  assert.equal(applyJsonPatch({ 'x/y': { '~': 1 } }, [{ op: 'replace', path: '/x~1y/~0', value: 2 }]), { 'x/y': { '~': 2 } });
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/b', value: 2 }]), (e: unknown) => e instanceof TestFailedError);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 2 }]), /does not exist/);
  assert.equal(doc, { a: { b: 1 }, list: [1, 2] }, 'the input is not changed');
});

test('merge patch per RFC 7386', () => {
  assert.equal(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { a: null, b: { c: 9 }, e: [2], f: 'x' }), { b: { c: 9, d: 3 }, e: [2], f: 'x' });
});

test.run();
