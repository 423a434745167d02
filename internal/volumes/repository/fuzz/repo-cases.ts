// Every kind of damage the repository fuzzer applies, by family; the fuzzer runs them in turn, so
// each kind gets its share of cases. A case is one damage on a fresh copy of the base repository.
import { CONFIG_DAMAGES } from './damage-config.ts';
import { INDEX_DAMAGES } from './damage-indexes.ts';
import type { Damage } from './damage-kit.ts';
import { MANIFEST_DAMAGES } from './damage-manifests.ts';
import { PACK_DAMAGES } from './damage-packs.ts';

export type { CaseSetup, Damage, DamageContext } from './damage-kit.ts';

export const CASE_KINDS: Record<string, Damage> = { ...PACK_DAMAGES, ...INDEX_DAMAGES, ...MANIFEST_DAMAGES, ...CONFIG_DAMAGES };

/** How often a kind runs on the encrypted repository rather than the plain one: more for those about keys. */
const ENCRYPTED_SHARE: Record<string, number> = { 'ciphertext-flip': 1, 'key-wrong': 0.75, 'config-key-check': 0.75, 'config-encryption-params': 0.75 };

export function encryptedShare(kind: string): number {
  return ENCRYPTED_SHARE[kind] ?? 0.4;
}
