// The wallet's side of selective disclosure (RFC 9901, SD-JWT with key binding). The browser keeps
// one Ed25519 holder key, made with WebCrypto so that its private half can never be exported, and
// stored in IndexedDB (a CryptoKey survives there as it is); the issuer binds an SD-JWT to its
// public JWK, and a presentation is the issuer-signed JWT, the disclosures the holder chose and a
// key-binding JWT that signs them: `<issuer-jwt>~<disclosure>~…~<kb-jwt>`. The pure parts
// (base64url, the split, sd_hash, the assembly) take no key, so that they can be tested alone.
import { utf8, type Bytes } from './ledger'

export { utf8, type Bytes }

// ---- base64url (RFC 4648 §5, no padding) ---------------------------------------------------------

export function base64url(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? utf8(data) : data
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

// The bytes of a base64url text, or null when it is not one (padding, '+' and '/' are refused).
export function fromBase64url(s: string): Bytes | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)
  let bin: string
  try {
    bin = atob(b64)
  } catch {
    return null
  }
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

// A base64url-encoded JSON value (a JWT's header or payload, a disclosure), or null.
export function decodeJsonPart(part: string): unknown {
  const bytes = fromBase64url(part)
  if (!bytes) return null
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return null
  }
}

// ---- SD-JWT ------------------------------------------------------------------------------------

export interface SdJwtParts {
  jwt: string // the issuer-signed JWT
  disclosures: string[]
  kbJwt: string | null // the key-binding JWT of a presentation; null for an SD-JWT without one
}

// Splits an SD-JWT (`<jwt>~<d>~…~`) or a presentation (`<jwt>~<d>~…~<kb-jwt>`); a plain JWT has
// no '~' and comes back with no disclosures.
export function splitSdJwt(s: string): SdJwtParts {
  const parts = s.trim().split('~')
  const jwt = parts[0] ?? ''
  if (parts.length === 1) return { jwt, disclosures: [], kbJwt: null }
  const last = parts[parts.length - 1]
  return { jwt, disclosures: parts.slice(1, -1), kbJwt: last === '' ? null : last }
}

// A disclosure's [salt, name, value], or null when it is not one of an object's members.
export function decodeDisclosure(d: string): { salt: string; name: string; value: unknown } | null {
  const v = decodeJsonPart(d)
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'string' || typeof v[1] !== 'string') return null
  return { salt: v[0], name: v[1], value: v[2] }
}

// What the key-binding JWT's sd_hash covers: the issuer-signed JWT and the chosen disclosures,
// each followed by '~' (RFC 9901 §4.3.1), in the order given.
export function presentationPrefix(jwt: string, disclosures: string[]): string {
  return jwt + '~' + disclosures.map((d) => d + '~').join('')
}

export async function sha256(data: Uint8Array | string): Promise<Bytes> {
  const bytes = typeof data === 'string' ? utf8(data) : data
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource))
}

// base64url(SHA-256(prefix)) of the US-ASCII prefix (the presentation up to its last '~').
export async function sdHash(prefix: string): Promise<string> {
  return base64url(await sha256(prefix))
}

export interface KbClaims {
  iat: number
  aud: string
  nonce: string
  sd_hash: string
}

export const KB_HEADER = { alg: 'EdDSA', typ: 'kb+jwt' } as const

// The text a key-binding JWT's signature covers: base64url(header) '.' base64url(payload).
export function kbSigningInput(claims: KbClaims): string {
  return base64url(JSON.stringify(KB_HEADER)) + '.' + base64url(JSON.stringify(claims))
}

// Signs data with the holder's key: 64 bytes of an Ed25519 signature.
export type Signer = (data: Bytes) => Promise<Uint8Array>

export interface Presentation {
  presentation: string
  prefix: string
  kbJwt: string
  claims: KbClaims
}

export interface PresentOptions {
  aud: string
  nonce: string
  iat?: number // seconds; now by default
}

// The presentation of the chosen disclosures (encoded, as the SD-JWT carries them) of an
// SD-JWT: the issuer-signed JWT comes from `sdJwt`, whatever disclosures it holds itself.
export async function buildPresentation(sdJwt: string, chosen: string[], opts: PresentOptions, sign: Signer): Promise<Presentation> {
  const { jwt } = splitSdJwt(sdJwt)
  const prefix = presentationPrefix(jwt, chosen)
  const claims: KbClaims = {
    iat: opts.iat ?? Math.floor(Date.now() / 1000),
    aud: opts.aud,
    nonce: opts.nonce,
    sd_hash: await sdHash(prefix),
  }
  const input = kbSigningInput(claims)
  const signature = await sign(utf8(input))
  const kbJwt = input + '.' + base64url(signature)
  return { presentation: prefix + kbJwt, prefix, kbJwt, claims }
}

// The chosen fields' disclosures, in the order the SD-JWT answer gave them.
export function chooseDisclosures(all: { name: string; disclosure: string }[], names: Iterable<string>): string[] {
  const wanted = new Set(names)
  return all.filter((d) => wanted.has(d.name)).map((d) => d.disclosure)
}

// A nonce of 16 random bytes.
export function randomNonce(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)))
}

// ---- links to the verification page --------------------------------------------------------------

export interface VerifyRequest {
  vc: string
  aud: string
  nonce: string
}

// The verification page's link: what it checks goes in the fragment, which the browser never
// sends to a server.
export function verifyLink(r: Partial<VerifyRequest> & { vc: string }, base = ''): string {
  const parts = [`vc=${encodeURIComponent(r.vc)}`]
  if (r.aud) parts.push(`aud=${encodeURIComponent(r.aud)}`)
  if (r.nonce) parts.push(`nonce=${encodeURIComponent(r.nonce)}`)
  return `${base}/verify#${parts.join('&')}`
}

// `vc`, `aud` and `nonce` of a fragment ("#vc=…&aud=…"); empty strings for what it lacks.
export function parseVerifyFragment(hash: string): VerifyRequest {
  const out: VerifyRequest = { vc: '', aud: '', nonce: '' }
  const s = hash.startsWith('#') ? hash.slice(1) : hash
  for (const pair of s.split('&')) {
    const eq = pair.indexOf('=')
    if (eq < 0) continue
    const key = pair.slice(0, eq)
    if (key !== 'vc' && key !== 'aud' && key !== 'nonce') continue
    let value = pair.slice(eq + 1)
    try {
      value = decodeURIComponent(value)
    } catch {
      // a stray '%': keep the text as it is
    }
    out[key] = value
  }
  return out
}

// ---- the holder key ------------------------------------------------------------------------------

export interface HolderJwk {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
}

export class WalletError extends Error {
  // `unsupported`: the browser has no Ed25519 in WebCrypto.
  constructor(readonly code: 'unsupported' | 'key') {
    super(code)
  }
}

const DB_NAME = 'onceonly-wallet'
const STORE = 'keys'
const KEY_NAME = 'holder'

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE)
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function idb<T>(db: IDBDatabase, mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode)
    const req = run(tx.objectStore(STORE))
    tx.oncomplete = () => resolve(req.result as T)
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error)
  })
}

async function generate(): Promise<CryptoKeyPair> {
  try {
    return (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair
  } catch {
    throw new WalletError('unsupported')
  }
}

let cached: Promise<CryptoKeyPair> | null = null

// The browser's holder key: the one stored, or a new one stored now. Where IndexedDB cannot be
// used (some private windows), the key lives as long as the page.
export function holderKey(): Promise<CryptoKeyPair> {
  if (!cached) {
    cached = (async () => {
      let db: IDBDatabase | null = null
      try {
        db = await openDb()
        const stored = await idb<CryptoKeyPair | undefined>(db, 'readonly', (s) => s.get(KEY_NAME))
        if (stored?.privateKey && stored.publicKey) return stored
      } catch {
        db = null
      }
      const pair = await generate()
      if (db) await idb(db, 'readwrite', (s) => s.put(pair, KEY_NAME)).catch(() => undefined)
      return pair
    })().catch((e) => {
      cached = null
      throw e instanceof WalletError ? e : new WalletError('key')
    })
  }
  return cached
}

export async function publicJwk(pair: CryptoKeyPair): Promise<HolderJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) throw new WalletError('key')
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x }
}

export function signerOf(pair: CryptoKeyPair): Signer {
  return async (data) => new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, data))
}
