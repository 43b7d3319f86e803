import { randomUUID } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Only the owner may read or write a file holding tokens. */
export const OWNER_ONLY = 0o600;

/**
 * Replace `path` with `data` so a reader (or a crash at any instant) sees either the whole old
 * file or the whole new one, never a mix or a truncated file: write a temporary file beside it,
 * flush it to disk, then rename it over the target, which is atomic within one directory.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `${temporaryPrefix(path)}${randomUUID()}.tmp`);
  try {
    // 'wx' never follows or reuses an existing file, and the mode applies from the first byte.
    const handle = await open(temporary, 'wx', OWNER_ONLY);
    try {
      // The umask can only clear bits, but an odd one could clear the owner's: set it exactly.
      await handle.chmod(OWNER_ONLY);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }

    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }

  await syncDirectory(directory);
}

/**
 * Delete temporary files a writer killed mid-write left beside `path`. Call it only while holding
 * the lock every writer takes: then no temporary file belongs to a write still in progress.
 */
export async function removeLeftovers(path: string): Promise<void> {
  const prefix = temporaryPrefix(path);
  const names = await readdir(dirname(path)).catch(() => []);
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      await rm(join(dirname(path), name), { force: true });
    }
  }
}

function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/**
 * Flush the directory entry so the rename itself survives a power cut. Some platforms (Windows)
 * cannot open a directory for syncing; the rename is still atomic there, only less durable.
 */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability is best effort here; the data itself was synced before the rename.
  }
}
