/**
 * Child processes with a small request/response protocol over the IPC channel. Servers under load
 * run in their own process so they never share an event loop with the load generator.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const READY_TIMEOUT_MS = 30_000;
const CALL_TIMEOUT_MS = 120_000;

/**
 * Start `script` (a path relative to bench/src/children) and wait for its `ready` message.
 *
 * @param {string} script
 * @param {{ args?: string[], env?: Record<string, string>, execArgv?: string[] }} [options]
 */
export async function startChild(script, options = {}) {
  const path = fileURLToPath(new URL(`../children/${script}`, import.meta.url));
  const child = fork(path, options.args ?? [], {
    env: { ...process.env, ...options.env },
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 1;
  let exited = false;

  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready`));
    });
    child.on('message', (message) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve(message.info);
      } else if (message?.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${script} failed to start: ${message.error}`));
      }
    });
  });

  child.on('message', (message) => {
    if (message?.type !== 'result') return;
    const call = pending.get(message.id);
    if (call === undefined) return;
    pending.delete(message.id);
    clearTimeout(call.timer);
    if (message.error !== undefined) call.reject(new Error(`${script}: ${message.error}`));
    else call.resolve(message.value);
  });
  child.on('exit', (code) => {
    exited = true;
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(new Error(`${script} exited (code ${code})`));
    }
    pending.clear();
  });

  return {
    pid: child.pid,
    info,
    /** Call a handler of the child and resolve to what it returns. */
    call(method, params) {
      if (exited) return Promise.reject(new Error(`${script} has exited`));

      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: ${method} took longer than ${CALL_TIMEOUT_MS} ms`));
        }, CALL_TIMEOUT_MS);
        pending.set(id, { resolve, reject, timer });
        child.send({ type: 'call', id, method, params });
      });
    },
    /** Ask the child to exit; kill it if it has not within two seconds. */
    async close() {
      if (exited) return;

      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * The child side: answer calls with `handlers`, announce `info` once ready, and exit when the
 * parent goes away (so no child outlives an interrupted run).
 *
 * @param {() => Promise<{ info: unknown, handlers: Record<string, (params: any) => unknown>,
 *   close?: () => Promise<void> | void }>} setup
 */
export async function serveChild(setup) {
  let started;
  try {
    started = await setup();
  } catch (error) {
    process.send?.({ type: 'failed', error: String(error?.stack ?? error) });
    process.exit(1);
  }
  const { info, handlers, close } = started;

  process.on('message', async (message) => {
    if (message?.type !== 'call') return;
    const handler = handlers[message.method];
    try {
      if (handler === undefined) throw new Error(`no handler "${message.method}"`);
      const value = await handler(message.params);
      process.send?.({ type: 'result', id: message.id, value });
    } catch (error) {
      process.send?.({ type: 'result', id: message.id, error: String(error?.message ?? error) });
    }
  });
  process.once('disconnect', async () => {
    try {
      await close?.();
    } finally {
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', info });
}
