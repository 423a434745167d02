// The cluster's PKI, made with the openssl command line: a CA, the API server's serving cert, client
// certs for the admin and for each control-plane component, and the service-account signing key.
// EC P-256 keys keep generation fast.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterPki {
  caCert: string;
  caKey: string;
  apiServerCert: string;
  apiServerKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  clients: Record<ClientIdentity, { cert: string; key: string }>;
}

/** Identities the default RBAC policy already grants what each needs. */
export const CLIENT_IDENTITIES = {
  admin: { cn: 'kubectl-velero-admin', org: 'system:masters' },
  'kube-controller-manager': { cn: 'system:kube-controller-manager', org: '' },
  'kube-scheduler': { cn: 'system:kube-scheduler', org: '' },
  'apiserver-kubelet-client': { cn: 'kube-apiserver-kubelet-client', org: 'system:masters' },
} as const;
export type ClientIdentity = keyof typeof CLIENT_IDENTITIES;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, file: string): void {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

function signedCert(dir: string, base: string, subject: string, extensions: string): void {
  newKey(dir, `${base}.key`);
  openssl(dir, ['req', '-new', '-key', `${base}.key`, '-subj', subject, '-out', `${base}.csr`]);
  writeFileSync(join(dir, `${base}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-extfile', `${base}.ext`, '-out', `${base}.crt`]);
}

export function createPki(dir: string, serviceIp: string): ClusterPki {
  newKey(dir, 'ca.key');
  openssl(dir, ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=kubectl-velero-harness-ca', '-days', '365', '-out', 'ca.crt']);
  const sans = ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP:127.0.0.1', `IP:${serviceIp}`];
  signedCert(dir, 'apiserver', '/CN=kube-apiserver', `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(',')}\n`);
  const clients = {} as ClusterPki['clients'];
  for (const [id, { cn, org }] of Object.entries(CLIENT_IDENTITIES) as [ClientIdentity, { cn: string; org: string }][]) {
    signedCert(dir, id, `${org ? `/O=${org}` : ''}/CN=${cn}`, 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
    clients[id] = { cert: join(dir, `${id}.crt`), key: join(dir, `${id}.key`) };
  }
  newKey(dir, 'sa.key');
  openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiServerCert: join(dir, 'apiserver.crt'),
    apiServerKey: join(dir, 'apiserver.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    clients,
  };
}
