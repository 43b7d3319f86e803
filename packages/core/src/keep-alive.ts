/** What the keep-alive loop needs from its owner. */
export interface KeepAliveHost {
  now(): number;
  /** When the next keep-alive refresh is due (epoch ms on the host's clock). */
  dueAt(): number;
  /** Run the keep-alive refresh; reports its own failures and moves `dueAt` forward. */
  run(): Promise<void>;
}

/**
 * Wake up at least every `checkIntervalMs` and run the host's refresh once it is due. Polling
 * rather than one long timer keeps it right when the clock jumps (suspend, an injected clock).
 * The timer never keeps the process alive. Returns a function that stops the loop.
 */
export function startKeepAlive(host: KeepAliveHost, checkIntervalMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const schedule = (delay: number): void => {
    if (stopped) return;

    timer = setTimeout(tick, Math.max(0, Math.min(delay, checkIntervalMs)));
    // Node and Bun return an object with unref(); browsers and edge runtimes a number.
    (timer as { unref?: () => void }).unref?.();
  };
  const tick = (): void => {
    const wait = host.dueAt() - host.now();
    if (wait > 0) {
      schedule(wait);
      return;
    }
    host.run().then(
      () => schedule(host.dueAt() - host.now()),
      () => schedule(checkIntervalMs),
    );
  };

  schedule(0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
