// Makes sure the namespace an item is restored into exists (Velero's
// EnsureNamespaceExistsAndIsReady): made from the backed-up Namespace when the backup has it
// (labels and annotations kept), a bare one otherwise; one still terminating from an earlier
// delete is waited out first. Each namespace is handled once, however many items land in it.
import type { ApiResource } from '../kube/discovery.ts';
import type { KubeWriter } from '../kube/http-client.ts';
import { getObject, type KubeObject } from '../kube/list.ts';
import { KubeApiError } from '../kube/errors.ts';
import { applyItem } from './apply-item.ts';

export type EnsureResult = 'created' | 'existed' | 'previewed';

export class NamespaceEnsurer {
  private readonly done = new Map<string, Promise<EnsureResult>>();
  /** Namespaces a dry run would create: the server cannot dry-run objects inside them. */
  readonly previewOnly = new Set<string>();

  constructor(
    private readonly client: KubeWriter,
    private readonly namespaces: ApiResource,
    private readonly opts: { dryRun: boolean; terminatingTimeoutMs?: number; sleep?: (ms: number) => Promise<void> },
    /** The object to create for a target namespace (already transformed), from the backup. */
    private readonly objectFor: (name: string) => Promise<KubeObject>,
  ) {}

  /** Records a namespace the namespaces tier itself handled. */
  markReady(name: string, previewOnly: boolean): void {
    this.done.set(name, Promise.resolve(previewOnly ? 'previewed' : 'existed'));
    if (previewOnly) this.previewOnly.add(name);
  }

  /**
   * 'created' goes to the first caller only: every other item of the namespace finds it existing
   * (each caller records what it answers, and one namespace is one object restored).
   */
  ensure(name: string): Promise<EnsureResult> {
    const pending = this.done.get(name);
    if (pending) return pending.then((result) => (result === 'created' ? 'existed' : result));
    const made = this.make(name);
    this.done.set(name, made);
    return made;
  }

  private async make(name: string): Promise<EnsureResult> {
    try {
      await this.waitWhileTerminating(name);
    } catch (error) {
      // A user whose Role covers only the namespace's contents may not read Namespaces: go on as if it
      // exists; if it does not, each item's create says so (namespaces "x" not found).
      if (error instanceof KubeApiError && error.status === 403) return 'existed';
      throw error;
    }
    const outcome = await applyItem(this.client, this.namespaces, await this.objectFor(name), { policy: 'none', dryRun: this.opts.dryRun });
    if (outcome.action === 'failed') throw new Error(`could not create namespace ${name}: ${outcome.message}`);
    if (outcome.action !== 'created') return 'existed';
    if (this.opts.dryRun) {
      this.previewOnly.add(name);
      return 'previewed';
    }
    return 'created';
  }

  private async waitWhileTerminating(name: string): Promise<void> {
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = Date.now() + (this.opts.terminatingTimeoutMs ?? 10 * 60_000);
    for (;;) {
      const live = await getObject(this.client, this.namespaces, undefined, name);
      if (!live?.metadata.deletionTimestamp) return;
      if (this.opts.dryRun) throw new Error(`namespace ${name} is terminating: the restore would wait for it to go`);
      if (Date.now() > deadline) throw new Error(`namespace ${name} is still terminating: wait for it to go, or restore into another namespace with --namespace-mappings`);
      await sleep(1000);
    }
  }
}
