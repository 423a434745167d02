// Completion: the engine on a made-up command set (names, flags, values), and the real CLI through
// `__complete`, in-process, in the exact wire format kubectl reads from kubectl_complete-velero.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli as run } from '../cli.test-helpers.ts';
import { completionScript, SHELLS } from './scripts.ts';
import { complete, Directive, formatCompletion, type CommandSpec } from './engine.ts';
import { listNames, nameKindForFlag, nameKindForPositional, registerNameLister, unregisterNameLister, type NameKind } from './names.ts';

const specs: CommandSpec[] = [
  { path: ['version'], description: 'print the plugin version', positionals: [], options: [{ names: ['-o', '--output'], takesValue: true }] },
  {
    path: ['backup', 'create'],
    description: 'create a backup',
    positionals: ['<name>'],
    options: [
      { names: ['--include-namespaces'], takesValue: true },
      { names: ['--storage-location'], takesValue: true, description: 'where to store it' },
      { names: ['--wait'], takesValue: false },
    ],
  },
  { path: ['backup', 'describe'], description: 'describe backups', positionals: ['<names>', '...'], options: [] },
  { path: ['restore', 'create'], description: 'create a restore', positionals: ['[name]'], options: [{ names: ['--from-backup'], takesValue: true }] },
  { path: ['apply'], description: 'apply a file', positionals: ['<file>'], options: [] },
];

const names: Record<NameKind, string[]> = { backup: ['nightly-1', 'nightly-2', 'adhoc'], restore: [], schedule: [], location: ['default', 'dr-site'] };
const env = { env: {}, listNames: async (kind: NameKind) => names[kind] };
const values = async (args: string[]) => (await complete(specs, args, env)).candidates.map((c) => c.value);

test('sub-commands at each level, filtered by the typed prefix', async () => {
  assert.equal(await values(['']), ['version', 'backup', 'restore', 'apply']);
  assert.equal(await values(['b']), ['backup']);
  assert.equal(await values(['backup', '']), ['create', 'describe']);
  assert.equal(await values(['backup', 'd']), ['describe']);
  const r = await complete(specs, ['backup', ''], env);
  assert.is(r.directive, Directive.NoFileComp);
  assert.equal(r.candidates[0], { value: 'create', description: 'create a backup' });
});

test('flags of the command, without the ones already given', async () => {
  assert.equal(await values(['backup', 'create', '--']), ['--include-namespaces', '--storage-location', '--wait', '--help']);
  assert.equal(await values(['backup', 'create', '--wait', '--w']), []);
  assert.equal(await values(['version', '-o', 'json', '-']), ['-h', '--help']);
});

test('flag values: fixed words, object names, files for the rest', async () => {
  assert.equal(await values(['version', '--output', '']), ['table', 'json', 'yaml']);
  assert.equal(await values(['version', '--output=y']), ['--output=yaml']);
  assert.equal(await values(['backup', 'create', 'b1', '--storage-location', 'd']), ['default', 'dr-site']);
  assert.equal(await values(['restore', 'create', '--from-backup', 'night']), ['nightly-1', 'nightly-2']);
  const files = await complete(specs, ['backup', 'create', '--include-namespaces', ''], env);
  assert.equal(files, { candidates: [], directive: Directive.Default });
});

test('positional names of existing objects, not repeated; none for a new object; files for unknown args', async () => {
  assert.equal(await values(['backup', 'describe', '']), ['nightly-1', 'nightly-2', 'adhoc']);
  assert.equal(await values(['backup', 'describe', 'adhoc', 'n']), ['nightly-1', 'nightly-2']);
  assert.equal(await values(['backup', 'create', '']), []);
  assert.is((await complete(specs, ['apply', ''], env)).directive, Directive.Default);
});

test('flags before and between words do not confuse the command path', async () => {
  assert.equal(await values(['backup', '--verbose', 'describe', 'a']), ['adhoc']);
  assert.equal(await values(['backup', 'create', '--include-namespaces', 'ns1', 'b1', '--st']), ['--storage-location']);
});

test('name kinds by command and flag', () => {
  assert.is(nameKindForPositional(['backup', 'describe']), 'backup');
  assert.is(nameKindForPositional(['backup-location', 'get']), 'location');
  assert.is(nameKindForPositional(['backup', 'create']), undefined);
  assert.is(nameKindForFlag('--from-schedule'), 'schedule');
  assert.is(nameKindForFlag('--output'), undefined);
});

test('name listers: registered, slow ones time out to no names, failures give no names', async () => {
  assert.is(await listNames('restore', new Map(), {}), undefined);
  registerNameLister('restore', async (q) => [`r-${q.flags.get('namespace') ?? 'x'}`]);
  assert.equal(await listNames('restore', new Map([['namespace', 'velero']]), {}), ['r-velero']);
  registerNameLister('restore', () => new Promise(() => {}));
  assert.equal(await listNames('restore', new Map(), {}, 50), []);
  registerNameLister('restore', async () => {
    throw new Error('no cluster');
  });
  assert.equal(await listNames('restore', new Map(), {}), []);
  unregisterNameLister('restore');
});

test('wire format: candidates with descriptions, then the directive', () => {
  const out = formatCompletion({ candidates: [{ value: 'a', description: 'first\tone' }, { value: 'b' }], directive: 4 }, true);
  assert.is(out, 'a\tfirst one\nb\n:4\n');
  assert.is(formatCompletion({ candidates: [{ value: 'a', description: 'x' }], directive: 0 }, false), 'a\n:0\n');
});

test('the CLI answers __complete from its registered commands, hidden commands left out', async () => {
  const { code, stdout, stderr } = await run(['__complete', '']);
  assert.is(code, 0);
  assert.is(stderr, '');
  const lines = stdout.trimEnd().split('\n');
  assert.is(lines[lines.length - 1], ':4');
  const words = lines.slice(0, -1).map((l) => l.split('\t')[0]);
  assert.ok(words.includes('version'));
  assert.ok(words.includes('completion'));
  assert.not.ok(words.some((w) => w?.startsWith('__')));
  assert.is((await run(['__completeNoDesc', 'version', '--output', ''])).stdout, 'table\njson\nyaml\n:4\n');
  assert.is((await run(['__complete', 'version', '--he'])).stdout, '--help\tshow the help of this command\n:4\n');
  assert.is((await run(['__complete', 'completion', 'f'])).stdout, 'fish\n:4\n');
});

test('completion <shell> prints each script; an unknown shell is an error', async () => {
  for (const shell of SHELLS) {
    const { code, stdout } = await run(['completion', shell]);
    assert.is(code, 0);
    assert.is(stdout, completionScript(shell));
    assert.match(stdout, /__complete/);
  }
  const bad = await run(['completion', 'tcsh']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /unknown shell "tcsh"/);
});

test.run();
