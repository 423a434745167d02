// The node's cgroup parent. This machine mounts cgroup v1 hierarchies at /sys/fs/cgroup/<name>
// (cgroup2 only at /sys/fs/cgroup/unified, no systemd), which stay as they are: the kubelet runs
// with the cgroupfs driver and cgroupRoot /kubectl-velero-node<slot>, so each node's pods live in
// their own subtree of every hierarchy, created here and removed (leaves first) on stop.
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_FS = '/sys/fs/cgroup';

export const cgroupRootName = (slot: number) => `/kubectl-velero-node${slot}`;

/**
 * The hierarchies mounted under /sys/fs/cgroup: every v1 one (named ones like `systemd` included)
 * and, with `withUnified`, the hybrid cgroup2 mount (runc also places containers there).
 */
export function v1Hierarchies(withUnified = true): string[] {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  const dirs = new Set<string>();
  for (const line of mounts) {
    const [, mountPoint, type] = line.split(' ');
    if ((type === 'cgroup' || (withUnified && type === 'cgroup2')) && mountPoint?.startsWith(`${CGROUP_FS}/`)) dirs.add(mountPoint);
  }
  return [...dirs].sort();
}

/** True when the machine has cgroup v1 hierarchies the kubelet can use (the case it is set up for). */
export function hasCgroupV1(): boolean {
  return v1Hierarchies(false).some((d) => d.endsWith('/memory'));
}

export function createCgroupRoot(slot: number): void {
  for (const h of v1Hierarchies()) {
    const dir = join(h, cgroupRootName(slot));
    mkdirSync(dir, { recursive: true });
    // A new cpuset starts with no CPUs and no memory nodes: give it its parent's.
    if (h.endsWith('/cpuset')) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const parent = join(h, f);
        if (existsSync(parent) && readFileSync(join(dir, f), 'utf8').trim() === '') writeFileSync(join(dir, f), readFileSync(parent, 'utf8').trim());
      }
    }
  }
}

/** Every pid still in the subtree (used to kill what the runtime left behind). */
export function pidsInCgroupRoot(slot: number): number[] {
  const pids = new Set<number>();
  const walk = (dir: string) => {
    try {
      for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
      for (const e of readdirSync(dir)) if (statSync(join(dir, e)).isDirectory()) walk(join(dir, e));
    } catch {
      /* removed meanwhile */
    }
  };
  for (const h of v1Hierarchies()) walk(join(h, cgroupRootName(slot)));
  return [...pids];
}

/** rmdir of the subtree, deepest first; a cgroup that still has tasks stays (and is reported). */
export function removeCgroupRoot(slot: number): string[] {
  const left: string[] = [];
  const remove = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) if (statSync(join(dir, e)).isDirectory()) remove(join(dir, e));
    try {
      rmdirSync(dir);
    } catch {
      left.push(dir);
    }
  };
  for (const h of v1Hierarchies()) remove(join(h, cgroupRootName(slot)));
  return left;
}
