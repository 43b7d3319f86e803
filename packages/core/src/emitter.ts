/**
 * A minimal typed event emitter: runs on every runtime (no `node:events`), and a listener that
 * throws cannot break the token engine that emitted the event.
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /**
   * Listen for an event. Returns a function that removes the listener.
   *
   * @example
   * ```ts
   * const off = auth.on('refresh', (event) => metrics.increment('gecko.refresh'));
   * ```
   */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Remove a listener added with {@link Emitter.on}. */
  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Whether anyone listens for `event`. */
  protected hasListeners(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;

    for (const listener of set) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch {
        // A faulty listener is the application's bug; it must not fail a refresh or a request.
      }
    }
  }
}
