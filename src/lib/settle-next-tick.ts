/**
 * Runs process.nextTick many times, with one and with two arguments, and waits for them.
 *
 * Why: every request makes several tick objects inside Node.js (its streams call nextTick when a
 * request ends, a response is written, a socket is read). V8 settles the shape of those objects
 * from the first calls it sees. In a process that loads as much as apiusers does, what those first
 * calls are varies with timing, and in most launches the shape ends up one that V8 must migrate
 * on every use: about a sixth of a cached credential check's time went to runtime calls
 * (`DefineKeyedOwnPropertyInLiteral`, `MigrateToMap`) in those launches, none in the others.
 * Making the first calls uniform, before anything else is loaded, gives every launch the fast
 * shape: docs/benchmarks.md has the measurements. Costs a few milliseconds once.
 * @example await settleNextTick(); await import('./the-app.js');
 */
export function settleNextTick(calls = 5_000, onTick: (...args: unknown[]) => void = () => undefined): Promise<void> {
  const tick = onTick;
  // Every arity Node's internals use, each with the kinds of values they pass (numbers, objects,
  // strings, undefined, functions), so no later call meets a field it has not seen yet.
  const values: unknown[] = [0, 1.5, {}, 'x', undefined, null, tick];
  return new Promise((resolve) => {
    for (let i = 0; i < calls; i++) {
      const a = values[i % values.length];
      const b = values[(i + 3) % values.length];
      process.nextTick(tick);
      process.nextTick(tick, a);
      process.nextTick(tick, a, b);
      process.nextTick(tick, a, b, a);
      process.nextTick(tick, a, b, a, b);
    }
    process.nextTick(resolve);
  });
}
