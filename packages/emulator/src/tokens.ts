import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, errors, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import type { EmulatorClock, IssueTokensOptions, TokenTriple } from './types.js';

/** The `token_use` claim: which of the three tokens a JWT is. */
export type TokenUse = 'id' | 'access' | 'refresh';

/** The claims the emulator relies on, checked once per token string. */
export interface TokenClaims {
  sub: string;
  jti: string;
  exp: number;
  use: TokenUse;
}

/** Why a token was refused; each maps to its own 401 message. */
export type RejectReason = 'malformed' | 'expired' | 'revoked' | 'wrong-kind';

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: RejectReason };

/** Lifetimes in seconds. */
export interface Lifetimes {
  idTokenTtl: number;
  refreshTokenTtl: number;
}

const ALGORITHM = 'ES256';
const DEFAULT_SUBJECT = 'emulator-profile';
// Benchmarks mint many tokens; past this many cached verifications the cache starts over, which
// costs one signature check per token again instead of growing without bound.
const VERIFIED_CACHE_LIMIT = 100_000;

/** Mints and checks the emulator's JWTs, signed with a key pair made at start. */
export class TokenAuthority {
  readonly #keys: CryptoKeyPair;
  readonly #issuer: string;
  readonly #clock: EmulatorClock;
  readonly #defaults: Lifetimes;
  // Signature checks are the expensive part, so each token string is verified once; expiry and
  // revocation are cheap comparisons done on every use.
  readonly #verified = new Map<string, Promise<TokenClaims | undefined>>();
  readonly #revoked = new Set<string>();
  // Lifetimes chosen at issue time, by refresh token jti, so a refreshed triple keeps them.
  readonly #chains = new Map<string, Lifetimes>();

  private constructor(keys: CryptoKeyPair, issuer: string, clock: EmulatorClock, d: Lifetimes) {
    this.#keys = keys;
    this.#issuer = issuer;
    this.#clock = clock;
    this.#defaults = d;
  }

  static async create(issuer: string, clock: EmulatorClock, defaults: Lifetimes) {
    const keys = await generateKeyPair(ALGORITHM);
    return new TokenAuthority(keys, issuer, clock, defaults);
  }

  /** A brand-new triple, as a person creating an API token would get. */
  issue(options: IssueTokensOptions = {}): Promise<TokenTriple> {
    const lifetimes: Lifetimes = {
      idTokenTtl: options.idTokenTtl ?? this.#defaults.idTokenTtl,
      refreshTokenTtl: options.refreshTokenTtl ?? this.#defaults.refreshTokenTtl,
    };
    return this.#mint(options.subject ?? DEFAULT_SUBJECT, lifetimes);
  }

  /** New tokens for a verified refresh token, with the lifetimes of its chain. */
  async refresh(claims: TokenClaims): Promise<{ tokens: TokenTriple; expiresIn: number }> {
    const lifetimes = this.#chains.get(claims.jti) ?? this.#defaults;
    const tokens = await this.#mint(claims.sub, lifetimes);
    return { tokens, expiresIn: lifetimes.idTokenTtl };
  }

  /** Checks signature (once per token), kind, revocation and expiry against the emulated clock. */
  async verify(token: string, expected: TokenUse): Promise<VerifyResult> {
    const claims = await this.#claims(token);
    if (claims === undefined) return { ok: false, reason: 'malformed' };
    if (claims.use !== expected) return { ok: false, reason: 'wrong-kind' };
    if (this.#revoked.has(claims.jti)) return { ok: false, reason: 'revoked' };

    // Same rule as jose's own check, so cached and fresh verifications agree.
    if (claims.exp <= Math.floor(this.#clock.now() / 1000)) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  /** Refuses `token` from now on. Synchronous: reads the jti without checking the signature. */
  revoke(token: string): void {
    let jti: unknown;
    try {
      jti = decodeJwt(token).jti;
    } catch {
      jti = undefined;
    }

    if (typeof jti !== 'string') {
      throw new TypeError('revoke(token) expects a token issued by this emulator');
    }
    this.#revoked.add(jti);
  }

  async #mint(sub: string, lifetimes: Lifetimes): Promise<TokenTriple> {
    const iat = Math.floor(this.#clock.now() / 1000);
    const refreshJti = randomUUID();
    const [id, access, refresh] = await Promise.all([
      this.#sign('id', sub, iat, iat + lifetimes.idTokenTtl, randomUUID()),
      this.#sign('access', sub, iat, iat + lifetimes.idTokenTtl, randomUUID()),
      this.#sign('refresh', sub, iat, iat + lifetimes.refreshTokenTtl, refreshJti),
    ]);

    this.#chains.set(refreshJti, lifetimes);
    return { id, access, refresh };
  }

  #sign(use: TokenUse, sub: string, iat: number, exp: number, jti: string): Promise<string> {
    return new SignJWT({ token_use: use })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(this.#keys.privateKey);
  }

  #claims(token: string): Promise<TokenClaims | undefined> {
    const cached = this.#verified.get(token);
    if (cached !== undefined) return cached;

    if (this.#verified.size >= VERIFIED_CACHE_LIMIT) this.#verified.clear();
    const pending = this.#verifySignature(token);
    this.#verified.set(token, pending);
    // Only tokens with a good signature stay cached, so junk tokens cannot fill the cache.
    void pending.then((claims) => {
      if (claims === undefined) this.#verified.delete(token);
    });
    return pending;
  }

  async #verifySignature(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#keys.publicKey, {
        issuer: this.#issuer,
        algorithms: [ALGORITHM],
        currentDate: new Date(this.#clock.now()),
      });
      return toClaims(payload);
    } catch (error) {
      // jose checks the signature before the claims, so an expired token's payload is genuine;
      // caching it lets later checks answer "expired" rather than "malformed".
      if (error instanceof errors.JWTExpired) return toClaims(error.payload);
      return undefined;
    }
  }
}

function toClaims(payload: JWTPayload): TokenClaims | undefined {
  const { sub, jti, exp, token_use: use } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') {
    return undefined;
  }

  if (!isTokenUse(use)) return undefined;
  return { sub, jti, exp, use };
}

function isTokenUse(value: unknown): value is TokenUse {
  return value === 'id' || value === 'access' || value === 'refresh';
}
