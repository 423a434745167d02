// The base of every command that works on a backup storage location: it owns `--storage-location`
// and opens the location one way for all of them (cmd/location.ts: the plugin's config file, else
// a BackupStorageLocation of the cluster, else the implicit local directory).
import { Option } from 'clipanion';
import { KubeCommand } from './kube-options.ts';
import { assertWritable, type ResolvedLocation, resolveLocation } from './location.ts';

export abstract class LocationCommand extends KubeCommand {
  storageLocation = Option.String('--storage-location', { description: 'the backup storage location (default: the default location)' });

  /** The location named by --storage-location, or the default one. */
  openLocation(): Promise<ResolvedLocation> {
    return resolveLocation(this.storageLocation, this);
  }

  /** As openLocation, refusing a ReadOnly location (Velero's rule) before anything is written. */
  async openWritableLocation(action: string): Promise<ResolvedLocation> {
    const location = await this.openLocation();
    assertWritable(location, action);
    return location;
  }
}
