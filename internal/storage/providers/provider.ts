// What a storage provider is: one module per provider (local, aws, azure, gcp) behind the registry
// (registry.ts), as Velero looks an object store up by its provider name and then Init()s it with
// the location's config map. Everything the rest of the plugin knows about a provider goes through
// this interface, so a new provider touches its own file and the registry's list, nothing else.
//
// A provider module must stay light to import: the SDK behind it is loaded inside `open`, so that
// `kubectl velero version` and completion never pay for it.
import type { ObjectStore } from '../object-store.ts';

/** A location as the config file and a cluster's BackupStorageLocation both describe it. */
export interface LocationSpec {
  /** The provider's own name (`aws`, `azure`, `gcp`, `local`); Velero's aliases are resolved on read. */
  provider: string;
  /** The bucket (aws, gcp) or blob container (azure); unused by local. */
  bucket?: string;
  prefix?: string;
  /** Velero's `config` map; each provider says which keys it takes. */
  config?: Record<string, string>;
  /** A credentials file in the provider's format; only its path is kept, never its content. */
  credentialsFile?: string;
}

/** Where a location's credentials come from; `default` means the SDK's own default chain. */
export type CredentialSource =
  | { kind: 'file'; path: string; /** Where the path came from, when not --credential-file (`config key credentialsFile`). */ from?: string }
  | { kind: 'secret'; text: string; describe: string }
  | { kind: 'default' };

export interface StorageProvider<Credentials = unknown> {
  /** The name written to the config file and shown in tables. */
  readonly name: string;
  /** Velero's provider names this provider answers to (`aws`, `velero.io/aws`). */
  readonly aliases: readonly string[];
  /** One line for `backup-location create --help`. */
  readonly summary: string;
  /** Whether `--bucket` is required. */
  readonly needsBucket: boolean;
  /** The config keys the provider takes (Velero's names). */
  readonly configKeys: readonly string[];
  /** Velero's keys we know and do not support, each with the reason shown in the error. */
  readonly unsupportedKeys?: Readonly<Record<string, string>>;
  /** Checks what the key list cannot: required keys, values. Throws a one-line message (no location name). */
  validate?(spec: LocationSpec): void;
  /**
   * Parses credentials from the text of a file or of a cluster Secret's key, in the provider's own
   * format (Velero's credentials file for it). Messages never quote the text.
   */
  parseCredentials(text: string, spec: LocationSpec): Credentials;
  /** Makes the store; `credentials` undefined means the SDK's default chain (or none for local). */
  open(spec: LocationSpec, credentials: Credentials | undefined): Promise<ObjectStore>;
}
