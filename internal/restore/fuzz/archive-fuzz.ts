// The backup-archive fuzzer: seeded hostile and broken tarballs fed, in-process, to the staging
// and restore code against an in-memory API server. What must hold for every case:
//   - no crash: staging either works or fails with the archive's own error; the restore ends with
//     a phase; nothing throws a raw TypeError/RangeError/SyntaxError out of the engine;
//   - no write outside the target: every request path has checked names and no dot segments, every
//     object sent is the kind its path names and sits in the namespace of its path;
//   - nothing unsafe printed: every error, result and log line is one line without control or
//     bidi characters, and short;
//   - no staging left behind, and the restore's memory stays bounded (checked by the caller).
import { Readable } from 'node:stream';
import { CorruptArchiveError } from '../../archive/reader.ts';
import { openStagingFiles, stagingNames } from '../staging.test-helpers.ts';
import { KubeApiError } from '../../kube/errors.ts';
import type { WriteMethod } from '../../kube/http-client.ts';
import { namespaceProblem, pathSegmentProblem } from '../../kube/names.ts';
import type { KubeObject } from '../../kube/list.ts';
import { FakeApi } from '../fake-api.test-helpers.ts';
import { runRestore } from '../run-restore.ts';
import { StagedBackup } from '../staged-backup.ts';
import { CASE_KINDS, validEntries } from './archive-cases.ts';
import { Prng } from './prng.ts';

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Small bounds, so bombs hit them in milliseconds rather than gigabytes. */
const LIMITS = { maxEntryBytes: 2 << 20, maxEntries: 4000, maxTotalBytes: 12 << 20 };

export interface FuzzReport {
  cases: number;
  byKind: Record<string, number>;
  /** How each case ended: staged-and-restored, refused, … */
  outcomes: Record<string, number>;
  failures: string[];
}

function checkLine(where: string, line: string, failures: string[]): void {
  if (UNSAFE.test(line)) failures.push(`${where}: unsafe character in ${JSON.stringify(line.slice(0, 200))}`);
  if (line.length > 6000) failures.push(`${where}: a ${line.length}-character line`);
}

/** Staging files left named in the temp dir, or left open by this process (a StagedBackup not disposed). */
const stagingFiles = () => new Set([...stagingNames(), ...openStagingFiles().map((f) => `${f} (open)`)]);

/**
 * The in-memory API server, made to behave as the real one where an attack depends on it: the
 * request path is normalised as a URL is (`…/serviceaccounts/..` is the namespace), and names the
 * API server would refuse answer 422 — the answer that once led to a patch of the wrong object.
 */
class ApiServerLike extends FakeApi {
  readonly requested: string[] = [];

  constructor() {
    super();
    this.createError = (path, body) => {
      const name = body?.metadata?.name;
      const problem = typeof name !== 'string' ? 'no name' : /\/namespaces$/.test(path.split('?')[0]!) ? namespaceProblem(name) : pathSegmentProblem(name);
      return problem ? new KubeApiError(422, 'Invalid', path, `metadata.name: Invalid value: ${problem}`) : undefined;
    };
  }

  private normalise(path: string): string {
    this.requested.push(path);
    const url = new URL(`http://api.invalid${path}`);
    return url.pathname.replace(/(.)\/$/, '$1') + url.search;
  }

  override getJson<T>(path: string): Promise<T> {
    return super.getJson<T>(this.normalise(path));
  }

  override sendJson<T>(method: WriteMethod, path: string, body?: unknown, query: Record<string, string | undefined> = {}): Promise<T> {
    return super.sendJson<T>(method, this.normalise(path), body, query);
  }
}

const PLANTED = 'pod-security.kubernetes.io/enforce';

function checkWrites(where: string, api: ApiServerLike, failures: string[]): void {
  for (const path of api.requested) {
    const bare = path.split('?')[0]!;
    if (bare.split('/').some((s) => s === '.' || s === '..' || /^(%2e|\.){1,2}$/i.test(s))) failures.push(`${where}: a request to ${bare}, which has a dot segment`);
  }
  for (const object of api.objects.values()) {
    if (object.kind === 'Namespace' && object.metadata.labels?.[PLANTED]) failures.push(`${where}: the Namespace ${object.metadata.name} got the archive's ${PLANTED} label`);
  }
  for (const w of api.writes) {
    const bare = w.path.split('?')[0]!;
    const segments = bare.split('/').slice(1);
    if (segments.some((s) => s === '.' || s === '..' || /^(%2e|\.){1,2}$/i.test(s))) failures.push(`${where}: ${w.method} ${bare} has a dot segment`);
    const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?/.exec(bare);
    if (!m) {
      failures.push(`${where}: unexpected request path ${bare}`);
      continue;
    }
    const ns = m[1] && decodeURIComponent(m[1]);
    const name = m[3] && decodeURIComponent(m[3]);
    if (name !== undefined && pathSegmentProblem(name)) failures.push(`${where}: ${w.method} to an invalid name ${JSON.stringify(name)}`);
    const body = w.body as KubeObject | undefined;
    if (w.method === 'POST' && body) {
      if (ns !== undefined && body.metadata?.namespace !== ns) failures.push(`${where}: POST into ${ns} of an object in ${String(body.metadata?.namespace)}`);
      if (m[2] === 'namespaces' && m[1] === undefined && body.kind !== 'Namespace') failures.push(`${where}: a ${body.kind} sent as a Namespace`);
    }
  }
}

/** One case: stage and restore `data`, checking the invariants; returns how it ended. */
export async function runArchiveCase(label: string, data: Buffer, failures: string[]): Promise<string> {
  let staged: StagedBackup;
  try {
    staged = await StagedBackup.stage(Readable.from([data]), LIMITS);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (!(error instanceof CorruptArchiveError) && !/^the backup archive is corrupt/.test(message)) failures.push(`${label}: staging threw ${(error as Error).name}: ${message.slice(0, 300)}`);
    checkLine(label, message, failures);
    if (message.length > 1000) failures.push(`${label}: a ${message.length}-character error`);
    return 'refused';
  }
  const api = new ApiServerLike();
  try {
    const restore = { apiVersion: 'velero.io/v1', kind: 'Restore', metadata: { name: 'r', namespace: 'velero' }, spec: { backupName: 'b' }, status: { phase: 'InProgress' } } as Parameters<typeof runRestore>[0]['restore'];
    const run = await runRestore({ restore, staged, client: api, concurrency: 4, crdTimeoutMs: 1000 });
    if (!['Completed', 'PartiallyFailed'].includes(String(run.restore.status.phase))) failures.push(`${label}: phase ${run.restore.status.phase}`);
    for (const line of run.log.text().split('\n')) checkLine(`${label} log`, line, failures);
    const results = run.results.toJSON();
    for (const group of [results.errors, results.warnings]) for (const m of [...(group.velero ?? []), ...(group.cluster ?? []), ...Object.values(group.namespaces ?? {}).flat()]) checkLine(`${label} results`, m, failures);
    if (staged.corrupt.length && run.restore.status.phase === 'Completed') failures.push(`${label}: corrupt items, yet Completed`);
    checkWrites(label, api, failures);
    return run.restore.status.phase === 'Completed' ? 'restored' : 'partially-failed';
  } catch (error) {
    failures.push(`${label}: the restore threw ${(error as Error).name}: ${String((error as Error).message).slice(0, 300)}`);
    return 'crashed';
  } finally {
    await staged.dispose();
  }
}

export async function fuzzArchives(opts: { seed: number; cases: number; onCase?: (i: number, kind: string) => void }): Promise<FuzzReport> {
  const rng = new Prng(opts.seed);
  const kinds = Object.keys(CASE_KINDS);
  const report: FuzzReport = { cases: 0, byKind: {}, outcomes: {}, failures: [] };
  const before = stagingFiles();
  for (let i = 0; i < opts.cases; i++) {
    const kind = kinds[i % kinds.length]!;
    opts.onCase?.(i, kind);
    const caseRng = new Prng(rng.int(2 ** 32));
    const data = await CASE_KINDS[kind]!(caseRng, validEntries(caseRng));
    const outcome = await runArchiveCase(`seed ${opts.seed} case ${i} (${kind})`, data, report.failures);
    report.cases++;
    report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
  }
  const left = [...stagingFiles()].filter((d) => !before.has(d));
  if (left.length) report.failures.push(`staging files left behind: ${left.join(', ')}`);
  return report;
}
