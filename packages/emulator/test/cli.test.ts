import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-run.ts';
import { apiGet } from './helpers.ts';
import type { Emulator } from '../src/index.ts';

function capture() {
  const stop = new AbortController();
  const io = { out: '', err: '' };
  return {
    stop,
    io,
    cli: {
      out: (text: string) => void (io.out += text),
      err: (text: string) => void (io.err += text),
      signal: stop.signal,
    },
  };
}

describe('gecko-emulator CLI', () => {
  it('prints labelled URLs and a working token triple, then stops on the signal', async () => {
    const { stop, io, cli } = capture();
    const running = runCli(['--id-ttl', '120'], cli);
    await expect.poll(() => io.out).toContain('GECKO_REFRESH=');

    const apiUrl = /API URL +(\S+)/.exec(io.out)?.[1];
    const refreshUrl = /Refresh URL +(\S+)/.exec(io.out)?.[1];
    const id = /GECKO_ID=(\S+)/.exec(io.out)?.[1] ?? '';
    expect(io.out).toContain('LOCAL FAKE');
    expect(refreshUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tokens\/refresh$/);
    expect(io.out).toContain(`GECKO_API_URL=${apiUrl}\n`);
    expect(io.out).toContain(`GECKO_REFRESH_URL=${refreshUrl}\n`);
    const res = await apiGet({ apiUrl } as Emulator, '/forms', id);
    expect(res.status).toBe(200);

    stop.abort();
    expect(await running).toBe(0);
    await expect(fetch(`${apiUrl}/forms`)).rejects.toThrow(TypeError);
  });

  it('prints one JSON line with --json', async () => {
    const { stop, io, cli } = capture();
    const running = runCli(['--json'], cli);
    await expect.poll(() => io.out).toContain('\n');
    stop.abort();
    await running;

    const printed = JSON.parse(io.out) as { refreshUrl: string; tokens: Record<string, string> };
    expect(Object.keys(printed.tokens).sort()).toEqual(['access', 'id', 'refresh']);
    expect(printed.refreshUrl).toMatch(/\/tokens\/refresh$/);
  });

  it('exits 2 with usage for an unknown flag or a bad value', async () => {
    for (const args of [['--bogus'], ['--port', 'eighty'], ['--id-ttl', '0']]) {
      const { io, cli } = capture();

      expect(await runCli(args, cli)).toBe(2);
      expect(io.err).toContain('Usage: gecko-emulator');
      expect(io.out).toBe('');
    }
  });

  it('prints help with -h', async () => {
    const { io, cli } = capture();

    expect(await runCli(['-h'], cli)).toBe(0);
    expect(io.out).toContain('--api-port');
  });
});
