import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalStore } from './local-store.ts';
import { registerStoreContract } from './store-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'kv-local-store-'));
const contract = suite('LocalStore contract');
contract.after(() => rmSync(root, { recursive: true, force: true }));
registerStoreContract(contract, () => new LocalStore(root));
contract('no temp files are left behind', () => {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [e.name]));
  assert.not.ok(walk(root).some((n) => n.includes('.kv-partial-')));
});
contract.run();
