// Runs `work` over `items` with at most `limit` at a time, in order of start. Every item is worked
// on; the first rejection is thrown once all have settled (callers that must go on past a failure
// catch inside `work`).
export async function pool<T>(items: ArrayLike<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
