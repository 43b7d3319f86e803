import { parseArgs } from 'node:util';
import { startEmulator, type Emulator } from './emulator.js';
import type { EmulatorOptions, TokenTriple } from './types.js';

/** Where the CLI writes, and the signal that stops it; injected so tests need no child process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Aborting it closes the emulator and ends `runCli`. */
  signal: AbortSignal;
}

const USAGE = `Usage: gecko-emulator [options]

Starts a local GeckoForm look-alike and prints its URLs and a fake token triple.

Options:
  --host <host>        interface to listen on (default 127.0.0.1)
  --port <port>        account server port, serving /tokens/refresh (default: a free port)
  --api-port <port>    API server port (default: a free port)
  --id-ttl <seconds>   ID and access token lifetime (default 86400)
  --json               print one JSON line instead of text
  -h, --help           show this help
`;

/** Runs the CLI with `args` until `io.signal` aborts; resolves to the process exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let options: EmulatorOptions;
  let json: boolean;
  try {
    const parsed = parseCliArgs(args);
    if (parsed === 'help') {
      io.out(USAGE);
      return 0;
    }
    ({ options, json } = parsed);
  } catch (error) {
    io.err(`gecko-emulator: ${messageOf(error)}\n\n${USAGE}`);
    return 2;
  }

  let emulator: Emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    // Bad option values are usage errors; anything else (say, a port in use) is a failure.
    const usage = error instanceof TypeError;
    io.err(`gecko-emulator: ${messageOf(error)}\n${usage ? `\n${USAGE}` : ''}`);
    return usage ? 2 : 1;
  }

  const tokens = await emulator.issueTokens();
  io.out(json ? `${JSON.stringify({ ...urls(emulator), tokens })}\n` : banner(emulator, tokens));

  if (!io.signal.aborted) {
    await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve()));
  }
  await emulator.close();
  return 0;
}

function parseCliArgs(args: readonly string[]) {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'api-port': { type: 'string' },
      'id-ttl': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';

  const options: EmulatorOptions = {
    host: values.host,
    accountPort: toInt('--port', values.port),
    apiPort: toInt('--api-port', values['api-port']),
    idTokenTtl: toInt('--id-ttl', values['id-ttl']),
  };
  return { options, json: values.json };
}

function toInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`${flag} expects a whole number, got "${raw}"`);

  return Number(raw);
}

function urls(emulator: Emulator) {
  const { accountUrl, refreshUrl, apiUrl } = emulator;
  return { accountUrl, refreshUrl, apiUrl };
}

function banner(emulator: Emulator, tokens: TokenTriple): string {
  const control = `${emulator.accountUrl}/__emulator`;
  return `GeckoForm emulator: a LOCAL FAKE. Its tokens work only against this process.

  Account URL  ${emulator.accountUrl}
  Refresh URL  ${emulator.refreshUrl}
  API URL      ${emulator.apiUrl}

Fake token triple, as the example apps read them (GECKO_* environment variables):
  GECKO_API_URL=${emulator.apiUrl}
  GECKO_REFRESH_URL=${emulator.refreshUrl}
  GECKO_ID=${tokens.id}
  GECKO_ACCESS=${tokens.access}
  GECKO_REFRESH=${tokens.refresh}

Control (local only):
  POST ${control}/advance?ms=<n>   move the emulated clock forward
  POST ${control}/tokens           mint another token triple

Stop with Ctrl+C.
`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
