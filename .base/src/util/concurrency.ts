/**
 * Run `fn` over `items` with at most `limit` calls in flight; results keep the input order. The first
 * rejection stops new work from starting and is rethrown once the calls in flight have settled.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failed === null && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        if (failed === null) failed = { error };
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failed !== null) throw (failed as { error: unknown }).error;
  return results;
}
