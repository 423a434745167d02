// The node's own network namespace, so that every node has its own iptables (kube-proxy), bridge,
// routes and ports, and two clusters with nodes never meet. A veth pair links it to the host:
//   host  kvnode<slot>  10.243.<slot>.1/30   ←→   node  eth0  10.243.<slot>.2/30 (the node's InternalIP)
// Pods live on the node's bridge cni0 in 10.244.<slot>.0/24. The namespace has no default route
// and the host does not forward, so nothing a pod sends can leave the machine.
// A slot (1..250) is claimed by creating /run/kubectl-velero/slots/<slot> exclusively.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SLOTS_DIR = '/run/kubectl-velero/slots';
export const MAX_SLOT = 250;

export const netnsName = (slot: number) => `kubectl-velero-node${slot}`;
export const hostLink = (slot: number) => `kvnode${slot}`;
export const hostIp = (slot: number) => `10.243.${slot}.1`;
export const nodeIp = (slot: number) => `10.243.${slot}.2`;
export const podCidr = (slot: number) => `10.244.${slot}.0/24`;
export const netnsPath = (slot: number) => `/run/netns/${netnsName(slot)}`;

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function linkExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A slot's owner is gone when its cluster dir no longer records that slot. */
function slotIsStale(file: string, slot: number): boolean {
  try {
    // Just claimed by a cluster that has not recorded it yet.
    if (Date.now() - statSync(file).mtimeMs < 60_000) return false;
    const owner = readFileSync(file, 'utf8').trim();
    const state = JSON.parse(readFileSync(join(owner, 'state.json'), 'utf8')) as { node?: { slot?: number } };
    return state.node?.slot !== slot;
  } catch {
    // No state.json (yet): a cluster being set up writes it before claiming, so this one is dead.
    return true;
  }
}

/** Claims the lowest free slot for the cluster in `clusterDir`. */
export function claimSlot(clusterDir: string): number {
  mkdirSync(SLOTS_DIR, { recursive: true });
  for (let slot = 1; slot <= MAX_SLOT; slot++) {
    const file = join(SLOTS_DIR, String(slot));
    if (existsSync(file)) {
      if (!slotIsStale(file, slot)) continue;
      removeNetwork(slot);
      rmSync(file, { force: true });
    }
    try {
      writeFileSync(file, `${clusterDir}\n`, { flag: 'wx' });
      return slot;
    } catch {
      /* taken a moment ago by another cluster: try the next */
    }
  }
  throw new Error(`no free node slot (1..${MAX_SLOT}) in ${SLOTS_DIR}`);
}

/** The cluster dir that holds the slot now, undefined when it is free. */
export function slotOwner(slot: number): string | undefined {
  try {
    return readFileSync(join(SLOTS_DIR, String(slot)), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether the slot's namespace, link and cgroups are this cluster's to remove: the slot is recorded
 * for it, or for nobody. A cluster whose `up` failed may have released its slot to another since.
 */
export function ownsSlot(slot: number, clusterDir: string): boolean {
  return (slotOwner(slot) ?? clusterDir) === clusterDir;
}

export function releaseSlot(slot: number, clusterDir: string): void {
  if (slotOwner(slot) === clusterDir) rmSync(join(SLOTS_DIR, String(slot)), { force: true });
}

/** Creates the namespace and the link; sysctls inside the namespace only. */
export function createNetwork(slot: number, serviceCidr: string): void {
  removeNetwork(slot); // leftovers of a crashed run with the same slot
  const ns = netnsName(slot);
  ip(['netns', 'add', ns]);
  ip(['link', 'add', hostLink(slot), 'type', 'veth', 'peer', 'name', `kvnode${slot}p`]);
  ip(['link', 'set', `kvnode${slot}p`, 'netns', ns]);
  ip(['-n', ns, 'link', 'set', `kvnode${slot}p`, 'name', 'eth0']);
  ip(['addr', 'add', `${hostIp(slot)}/30`, 'dev', hostLink(slot)]);
  ip(['link', 'set', hostLink(slot), 'up']);
  ip(['-n', ns, 'addr', 'add', `${nodeIp(slot)}/30`, 'dev', 'eth0']);
  ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
  ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  // Processes in the node's namespace (host-network pods, tools) need a route to ClusterIPs for
  // kube-proxy's OUTPUT rules to rewrite them; un-rewritten, they would only reach the host's end.
  ip(['-n', ns, 'route', 'add', serviceCidr, 'dev', 'eth0']);
  // Inside the node's namespace only: routing between the bridge and the node's own addresses, and
  // bridged pod traffic through iptables so kube-proxy's Service rules see pod-to-pod hops too.
  execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward; if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; fi'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function removeNetwork(slot: number): void {
  if (existsSync(netnsPath(slot))) {
    try {
      ip(['netns', 'delete', netnsName(slot)]);
    } catch {
      /* still in use by a process that is going away: the kernel frees it with the last one */
    }
  }
  if (linkExists(hostLink(slot))) {
    try {
      ip(['link', 'delete', hostLink(slot)]);
    } catch {
      /* gone with the namespace */
    }
  }
}
