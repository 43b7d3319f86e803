import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach } from 'vitest';

/** A TypeScript script running in its own Node process. */
export interface Child {
  process: ChildProcess;
  /** Everything the child printed so far. */
  readonly stdout: string;
  /** Resolves once stdout contains `text`; rejects if the child exits first. */
  waitFor(text: string): Promise<void>;
  /** Resolves when the child exits, with its code (or the signal that killed it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const running = new Set<ChildProcess>();

afterEach(() => {
  // A failed test must not leave its children running.
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/**
 * Run the TypeScript file `script` (a URL or path) in its own Node process through tsx, with
 * `input` as its one JSON argument. `tsconfig` makes tsx resolve workspace packages its way.
 */
export function spawnChild(script: URL | string, input: unknown, tsconfig?: URL): Child {
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const name = path.split('/').pop() ?? path;
  const env =
    tsconfig === undefined
      ? process.env
      : { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(tsconfig) };
  const child = spawn(process.execPath, ['--import', 'tsx', path, JSON.stringify(input)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  running.add(child);

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stderr });
    }),
  );

  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!stdout.includes(text)) return;
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      void exited.then(({ code, signal }) =>
        reject(
          new Error(
            `child ${name} exited (${code ?? signal}) before printing "${text}": ${stderr}`,
          ),
        ),
      );
      check();
    });

  return {
    process: child,
    get stdout() {
      return stdout;
    },
    waitFor,
    exited,
  };
}

/** Wait for a child to exit 0 and parse the last line it printed as JSON. */
export async function resultOf<T>(child: Child): Promise<T> {
  const { code, signal, stderr } = await child.exited;
  if (code !== 0) throw new Error(`child exited with ${code ?? signal}: ${stderr}`);

  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as T;
}
