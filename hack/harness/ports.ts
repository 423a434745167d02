// Free loopback ports for one cluster's components, so clusters run side by side.
//
// Ports come from 20000–29999, below Linux's ephemeral range (32768–60999) and Kubernetes' NodePort
// range (30000–32767): a port the kernel hands out for listen(0) is also the kind it hands to
// outgoing connections, so one picked there can be taken by a client's socket between our check and
// the component's bind. Ports handed out are remembered for the life of the process, so clusters
// started side by side (Promise.all) never get the same one although each is free again when checked.
// Across processes (test files run side by side, E2E_JOBS) a port is also reserved with a file
// created exclusively in the cache, naming the process: another process skips it while that process
// lives and the reservation is recent (the component binds within seconds; after that, canBind
// sees it taken anyway). A process removes its reservations when it exits.
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { cacheRoot } from './paths.ts';

const LOW = 20_000;
const HIGH = 29_999;
const handedOut = new Set<number>();
const RESERVATION_MS = 10 * 60_000;

const reservationFile = (port: number): string => join(cacheRoot(), 'port-reservations', String(port));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** False when another live process reserved the port recently. */
export function reservePort(port: number): boolean {
  const file = reservationFile(port);
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid !== process.pid && alive(pid) && Date.now() - statSync(file).mtimeMs < RESERVATION_MS) return false;
    } catch {
      // Removed by its owner meanwhile: free.
    }
    writeFileSync(file, String(process.pid));
  }
  if (handedOut.size === 0) process.once('exit', releaseAll);
  return true;
}

function releaseAll(): void {
  for (const port of handedOut) {
    const file = reservationFile(port);
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
    } catch {
      // Already gone.
    }
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function onePort(): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    if ((await canBind(port)) && reservePort(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port in ${LOW}–${HIGH}`);
}

export async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const ports = {} as Record<K, number>;
  for (const name of names) ports[name] = await onePort();
  return ports;
}
