import { StoreError } from '../errors.js';
import { TokenSet } from '../tokens.js';

/** Layout version written to every token file; a reader refuses versions it does not know. */
const FILE_VERSION = 1;

/** Serialize a token set as the file's content: `{ version, tokens, savedAt }`. */
export function encodeTokenFile(tokens: TokenSet, savedAt: Date): string {
  const content = {
    version: FILE_VERSION,
    tokens: tokens.toTokens(),
    savedAt: savedAt.toISOString(),
  };
  return `${JSON.stringify(content, null, 2)}\n`;
}

/**
 * Read a token file's content back into a validated token set.
 *
 * @throws {StoreError} naming `path` when the content is not a version 1 token file.
 */
export function decodeTokenFile(text: string, path: string): TokenSet {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error in its message, which could be token text:
    // the cause is left out on purpose.
    throw corrupt(path, 'is not valid JSON');
  }

  if (typeof content !== 'object' || content === null) throw corrupt(path, 'is not a JSON object');

  const { version, tokens } = content as Record<string, unknown>;
  if (version !== FILE_VERSION) {
    throw corrupt(
      path,
      `has version ${String(version)}, but only version ${FILE_VERSION} is known`,
    );
  }

  try {
    return TokenSet.from(tokens);
  } catch (error) {
    throw corrupt(path, 'holds malformed tokens', error);
  }
}

function corrupt(path: string, problem: string, cause?: unknown): StoreError {
  return new StoreError(
    `Token file ${path} ${problem}; it was left unchanged. Restore it, or delete it and pass ` +
      '`tokens` again.',
    cause === undefined ? undefined : { cause },
  );
}
