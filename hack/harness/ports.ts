// Free loopback ports for one cluster's components, so clusters run side by side.
//
// Ports come from 20000–29999, below Linux's ephemeral range (32768–60999) and Kubernetes' NodePort
// range (30000–32767): a port the kernel hands out for listen(0) is also the kind it hands to
// outgoing connections, so one picked there can be taken by a client's socket between our check and
// the component's bind. Ports handed out are remembered for the life of the process, so clusters
// started side by side (Promise.all) never get the same one although each is free again when checked.
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 29_999;
const handedOut = new Set<number>();

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
    if (await canBind(port)) {
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
