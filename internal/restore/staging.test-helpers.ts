// What a restore's staging leaves in the temp dir and in this process, for the tests and the
// archive fuzzer: the staging file is unlinked once open, so it shows by name only if that failed,
// and an open one is a StagedBackup not disposed yet.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { STAGING_FILE_PREFIX } from './staged-backup.ts';

/** Staging files the temp dir names. */
export function stagingNames(): string[] {
  return readdirSync(tmpdir()).filter((d) => d.startsWith(STAGING_FILE_PREFIX));
}

/**
 * Staging files this process holds open, as /proc names them ("… (deleted)" once unlinked);
 * none where there is no /proc.
 */
export function openStagingFiles(): string[] {
  if (!existsSync('/proc/self/fd')) return [];
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.includes(`/${STAGING_FILE_PREFIX}`) ? [target] : [];
    } catch {
      return []; // closed since it was listed
    }
  });
}
