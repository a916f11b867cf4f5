// Checking the verifiable ledger in the browser, trusting nothing but the log's published key:
// RFC 9162 §2.1 Merkle hashing with its inclusion and consistency proof verification, C2SP signed
// notes and checkpoints (c2sp.org/signed-note, tlog-checkpoint) with the log's Ed25519 signature,
// and witness cosignatures (c2sp.org/tlog-cosignature, cosignature/v1). It mirrors the server's
// src/ledger/{merkle,note,receipt}.cpp so that what the server accepts, this accepts too.
// WebCrypto only (crypto.subtle: SHA-256 and Ed25519). Verifiers never throw: each check comes
// back with a reason code (translated by the pages under `ledger.reason.*`) and parameters.

export type Bytes = Uint8Array<ArrayBuffer>

// ---- API shapes (docs/api.md, "Ledger") -------------------------------------------------------

export interface LedgerKeys {
  log: string
  origin: string
  witnesses: { name: string; vkey: string }[]
  quorum: number
}

export interface ReceiptJson {
  index: number
  leaf_hash: string
  tree_size: number
  inclusion_proof: string[]
  checkpoint: string
}

export interface InclusionProofJson {
  index: number
  size: number
  leaf_hash: string
  proof: string[]
  root: string
}

export interface ConsistencyProofJson {
  first: number
  second: number
  proof: string[]
  first_root: string
  second_root: string
}

export interface CheckpointInfo {
  size: number
  root: string
  signed_at: string
  cosigned_by: string[]
  witnessed: boolean
}

export interface LedgerEntry {
  index: number
  leaf_hash: string
  entry: unknown
}

// ---- Bytes, base64, hashing ---------------------------------------------------------------------

const encoder = new TextEncoder()

export function utf8(s: string): Bytes {
  const b = encoder.encode(s)
  const out = new Uint8Array(b.length)
  out.set(b)
  return out
}

function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function equalBytes(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

// Standard base64 with padding, as the server writes it (libsodium's original variant); null
// for anything else, so that a malformed hash is reported rather than silently decoded.
export function base64ToBytes(s: unknown): Bytes | null {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null
  try {
    const bin = atob(s)
    const out = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
    return out
  } catch {
    return null
  }
}

export function bytesToBase64(b: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i])
  return btoa(bin)
}

export function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

// A base64 SHA-256 hash (32 bytes), or null.
export function hashFromBase64(s: unknown): Bytes | null {
  const b = base64ToBytes(s)
  return b && b.length === 32 ? b : null
}

function subtle(): SubtleCrypto | null {
  return globalThis.crypto?.subtle ?? null
}

export async function sha256(...parts: Uint8Array[]): Promise<Bytes> {
  const s = subtle()
  if (!s) throw new Error('WebCrypto is not available')
  return new Uint8Array(await s.digest('SHA-256', concat(...parts)))
}

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])

// RFC 9162 §2.1.1: MTH({d}) = SHA-256(0x00 ‖ d).
export function leafHash(data: Uint8Array | string): Promise<Bytes> {
  return sha256(LEAF, typeof data === 'string' ? utf8(data) : data)
}

// MTH(D[n]) = SHA-256(0x01 ‖ MTH(left) ‖ MTH(right)).
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(NODE, left, right)
}

// MTH({}) = SHA-256().
export function emptyRoot(): Promise<Bytes> {
  return sha256()
}

// The root of a list of leaf hashes, computed the long way (RFC 9162 §2.1.1's recursion): for
// tests and for checking a short tree by hand.
export async function rootOfLeaves(leaves: Uint8Array[]): Promise<Bytes> {
  if (leaves.length === 0) return emptyRoot()
  if (leaves.length === 1) return concat(leaves[0])
  let k = 1
  while (k * 2 < leaves.length) k *= 2
  return nodeHash(await rootOfLeaves(leaves.slice(0, k)), await rootOfLeaves(leaves.slice(k)))
}

// ---- Proofs (RFC 9162 §2.1.3.2 and §2.1.4.2) ---------------------------------------------------

// Positions as BigInt: the algorithms shift and mask, and JS bit operators stop at 32 bits.
function position(n: unknown): bigint | null {
  if (typeof n === 'bigint') return n >= 0n ? n : null
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return BigInt(n)
  return null
}

function hashList(list: unknown): Bytes[] | null {
  if (!Array.isArray(list)) return null
  const out: Bytes[] = []
  for (const h of list) {
    const b = hashFromBase64(h)
    if (!b) return null
    out.push(b)
  }
  return out
}

export type ProofReason =
  | 'ok'
  | 'index_out_of_range' // index ≥ size
  | 'proof_length' // too many or too few hashes for this index and size
  | 'root_mismatch' // the proof leads to another root
  | 'order' // first > second
  | 'proof_not_empty' // equal sizes (or the empty tree) need an empty proof
  | 'proof_empty' // different sizes need a proof
  | 'first_root_mismatch'
  | 'second_root_mismatch'

export interface ProofOutcome {
  ok: boolean
  reason: ProofReason
  computedRoot?: Bytes
}

// RFC 9162 §2.1.3.2: from the leaf hash and the audit path to the root of the tree of this size.
export async function verifyInclusion(
  index: number | bigint,
  size: number | bigint,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): Promise<ProofOutcome> {
  const i = position(index)
  const n = position(size)
  if (i === null || n === null || i >= n) return { ok: false, reason: 'index_out_of_range' }
  let fn = i
  let sn = n - 1n
  let r: Bytes = concat(leaf)
  for (const p of proof) {
    if (sn === 0n) return { ok: false, reason: 'proof_length' }
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r)
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n
        sn >>= 1n
      }
    } else {
      r = await nodeHash(r, p)
    }
    fn >>= 1n
    sn >>= 1n
  }
  if (sn !== 0n) return { ok: false, reason: 'proof_length', computedRoot: r }
  return equalBytes(r, root) ? { ok: true, reason: 'ok', computedRoot: r } : { ok: false, reason: 'root_mismatch', computedRoot: r }
}

// RFC 9162 §2.1.4.2: the tree of size `second` extends the tree of size `first`.
export async function verifyConsistency(
  first: number | bigint,
  second: number | bigint,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: Uint8Array[],
): Promise<ProofOutcome> {
  const m = position(first)
  const n = position(second)
  if (m === null || n === null || m > n) return { ok: false, reason: 'order' }
  if (m === n) {
    if (proof.length) return { ok: false, reason: 'proof_not_empty' }
    return equalBytes(firstRoot, secondRoot) ? { ok: true, reason: 'ok' } : { ok: false, reason: 'root_mismatch' }
  }
  if (m === 0n) return proof.length ? { ok: false, reason: 'proof_not_empty' } : { ok: true, reason: 'ok' }
  if (!proof.length) return { ok: false, reason: 'proof_empty' }
  const path: Uint8Array[] = (m & (m - 1n)) === 0n ? [firstRoot, ...proof] : [...proof]
  let fn = m - 1n
  let sn = n - 1n
  while ((fn & 1n) === 1n) {
    fn >>= 1n
    sn >>= 1n
  }
  let fr: Bytes = concat(path[0])
  let sr: Bytes = concat(path[0])
  for (let k = 1; k < path.length; k++) {
    const c = path[k]
    if (sn === 0n) return { ok: false, reason: 'proof_length' }
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr)
      sr = await nodeHash(c, sr)
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n
        sn >>= 1n
      }
    } else {
      sr = await nodeHash(sr, c)
    }
    fn >>= 1n
    sn >>= 1n
  }
  if (sn !== 0n) return { ok: false, reason: 'proof_length' }
  if (!equalBytes(fr, firstRoot)) return { ok: false, reason: 'first_root_mismatch' }
  if (!equalBytes(sr, secondRoot)) return { ok: false, reason: 'second_root_mismatch' }
  return { ok: true, reason: 'ok' }
}

// ---- Keys and signed notes (c2sp.org/signed-note, tlog-checkpoint) ------------------------------

export const KEY_TYPE_NOTE = 0x01 // a log's Ed25519 note key
export const KEY_TYPE_COSIGNATURE = 0x04 // a witness's cosignature/v1 key

export interface VerifierKey {
  vkey: string
  name: string
  keyId: number
  type: number
  publicKey: Bytes
}

// Key names: non-empty UTF-8 without '+', ASCII spaces and controls, or Unicode spaces (as the
// server's validKeyName).
export function validKeyName(name: string): boolean {
  if (!name) return false
  return !/[\u0000-\u0020+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(name)
}

// The 4-byte key ID: the first bytes of SHA-256(name ‖ "\n" ‖ type ‖ public key).
export async function keyId(name: string, type: number, publicKey: Uint8Array): Promise<number> {
  const h = await sha256(utf8(name + '\n'), new Uint8Array([type]), publicKey)
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0
}

// <name>+<8 hex key ID>+base64(type ‖ 32-byte Ed25519 public key); null unless well formed and
// the key ID matches the key.
export async function parseVerifierKey(vkey: unknown): Promise<VerifierKey | null> {
  if (typeof vkey !== 'string') return null
  const first = vkey.indexOf('+')
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1)
  if (second < 0) return null
  const name = vkey.slice(0, first)
  const idHex = vkey.slice(first + 1, second)
  const raw = base64ToBytes(vkey.slice(second + 1))
  if (!validKeyName(name) || !/^[0-9a-fA-F]{8}$/.test(idHex) || !raw || raw.length !== 33) return null
  const type = raw[0]
  if (type !== KEY_TYPE_NOTE && type !== KEY_TYPE_COSIGNATURE) return null
  const publicKey = raw.slice(1)
  const id = parseInt(idHex, 16) >>> 0
  try {
    if ((await keyId(name, type, publicKey)) !== id) return null
  } catch {
    return null
  }
  return { vkey, name, keyId: id, type, publicKey }
}

export interface NoteSignature {
  name: string
  keyId: number
  signature: Bytes // the bytes after the key ID
}

export interface SignedNote {
  text: string // including its final newline
  signatures: NoteSignature[]
}

const DASH = '\u2014' // EM DASH

export function parseSignatureLines(lines: string): NoteSignature[] | null {
  if (!lines.endsWith('\n')) return null
  const out: NoteSignature[] = []
  for (const line of lines.slice(0, -1).split('\n')) {
    if (!line.startsWith(DASH + ' ')) return null
    const rest = line.slice(2)
    const space = rest.indexOf(' ')
    if (space < 0) return null
    const name = rest.slice(0, space)
    const raw = base64ToBytes(rest.slice(space + 1))
    if (!validKeyName(name) || !raw || raw.length < 5) return null
    out.push({ name, keyId: ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0, signature: raw.slice(4) })
    if (out.length > 64) return null
  }
  return out
}

// The text ends at the last blank line; signature lines follow it.
export function parseNote(serialised: unknown): SignedNote | null {
  if (typeof serialised !== 'string' || !serialised.endsWith('\n') || serialised.length > 1 << 20) return null
  // Control characters other than newline, and lone surrogates (not UTF-8), are refused.
  if (/[\u0000-\u0009\u000b-\u001f]/.test(serialised)) return null
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(serialised)) return null
  const sep = serialised.lastIndexOf('\n\n')
  if (sep < 0) return null
  const signatures = parseSignatureLines(serialised.slice(sep + 2))
  if (!signatures) return null
  return { text: serialised.slice(0, sep + 1), signatures }
}

export interface Checkpoint {
  origin: string
  size: number
  root: Bytes
  rootBase64: string
  extensions: string[]
}

// <origin>\n<size>\n<base64 root>\n[extension lines\n]
export function parseCheckpoint(text: string): Checkpoint | null {
  if (!text.endsWith('\n')) return null
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3) return null
  const [origin, size, root64] = lines
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size)) return null
  const n = Number(size)
  if (!Number.isSafeInteger(n)) return null
  const root = hashFromBase64(root64)
  if (!root) return null
  const extensions = lines.slice(3)
  if (extensions.some((e) => !e)) return null
  return { origin, size: n, root, rootBase64: root64, extensions }
}

export function cosignedMessage(text: string, timestamp: bigint): string {
  return `cosignature/v1\ntime ${timestamp.toString()}\n${text}`
}

let ed25519Support: Promise<boolean> | null = null

// Whether this browser's WebCrypto verifies Ed25519 (Chromium, Firefox 129+, Safari 17+, Node 20).
export function ed25519Supported(): Promise<boolean> {
  ed25519Support ??= (async () => {
    const s = subtle()
    if (!s) return false
    try {
      await s.importKey('raw', new Uint8Array(32), { name: 'Ed25519' }, false, ['verify'])
      return true
    } catch {
      return false
    }
  })()
  return ed25519Support
}

async function ed25519Verify(publicKey: Bytes, signature: Bytes, message: Bytes): Promise<boolean> {
  const s = subtle()
  if (!s || signature.length !== 64) return false
  try {
    const key = await s.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify'])
    return await s.verify({ name: 'Ed25519' }, key, signature, message)
  } catch {
    return false
  }
}

// ---- Checks ----------------------------------------------------------------------------------

export type CheckId =
  | 'receipt' // the receipt JSON is well formed
  | 'proof' // an inclusion or consistency proof answer is well formed
  | 'log_key' // the log's verifier key is well formed
  | 'note' // the checkpoint is a signed checkpoint note
  | 'origin' // the checkpoint is the log's (origin = key name)
  | 'signature' // signed by the log's key
  | 'witnesses' // cosigned by enough witnesses (informational unless required)
  | 'size' // the proof is for the checkpoint's tree size
  | 'leaf' // the leaf hash is the one expected
  | 'inclusion' // the inclusion proof leads to the checkpoint's root
  | 'answered_tree' // the tree named when the entry was written is part of the signed tree
  | 'consistency' // the second checkpoint's tree extends the first's
  | 'proof_sizes' // a consistency proof is for the two checkpoints' sizes

export type Reason =
  | ProofReason
  | 'malformed' // not the JSON shape expected
  | 'key_malformed'
  | 'note_malformed'
  | 'checkpoint_malformed'
  | 'origin_mismatch'
  | 'no_signature' // no signature line by this key: signed by another key, or not at all
  | 'bad_signature' // a line by this key whose signature does not verify
  | 'ed25519_unsupported'
  | 'witnessed'
  | 'not_witnessed'
  | 'no_witnesses'
  | 'size_mismatch'
  | 'proof_sizes_mismatch'
  | 'leaf_mismatch'
  | 'leaf_computed' // leaf hash computed from the entry's canonical JSON, equal to the server's
  | 'leaf_from_api' // the entry cannot be serialised exactly here: the server's leaf hash is used
  | 'leaf_computed_mismatch' // the entry's canonical JSON hashes to another leaf hash
  | 'skipped' // an earlier check failed, so this one could not run

export interface Check {
  id: CheckId
  ok: boolean
  reason: Reason
  params?: Record<string, string | number>
  // Reported but not part of the verdict (witnessing, unless required).
  informational?: boolean
}

function check(id: CheckId, ok: boolean, reason: Reason, params?: Record<string, string | number>): Check {
  return params ? { id, ok, reason, params } : { id, ok, reason }
}

// The sentence for a check, in the page's language: `ledger.pass.<id>` when it holds,
// `ledger.reason.<reason>` otherwise (and for the witness check, which says how it went).
export function checkText(c: Check, t: (key: string, params?: Record<string, unknown>) => string): string {
  const params = c.params ?? {}
  const text = c.reason === 'ok' ? t(`ledger.pass.${c.id}`, params) : t(`ledger.reason.${c.reason}`, params)
  return typeof params.which === 'string' ? `${t(`ledger.which.${params.which}`)}: ${text}` : text
}

// Why a verification failed, in words: the first check that failed and counts (informational
// ones do not), or '' when none did.
export function failureText(checks: Check[], t: (key: string, params?: Record<string, unknown>) => string): string {
  const c = checks.find((x) => !x.ok && !x.informational)
  return c ? checkText(c, t) : ''
}

function verdict(checks: Check[]): boolean {
  return checks.length > 0 && checks.every((c) => c.ok || c.informational)
}

export interface Cosignature {
  name: string
  vkey: string
  timestamp: number // POSIX seconds
}

export interface CheckpointVerification {
  ok: boolean
  checks: Check[]
  checkpoint: Checkpoint | null
  note: SignedNote | null
  origin: string | null
  cosignatures: Cosignature[] // verified with the configured witnesses' keys
  otherSigners: string[] // signature lines by keys that are neither the log's nor a witness's
  witnessed: boolean
  quorum: number
  witnessCount: number
}

// A witness's valid cosignature/v1 on the note: its timestamp, or null.
async function cosignedAt(w: VerifierKey, note: SignedNote): Promise<number | null> {
  for (const s of note.signatures) {
    if (s.name !== w.name || s.keyId !== w.keyId || s.signature.length !== 8 + 64) continue
    let t = 0n
    for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(s.signature[i])
    if (t >> 63n) continue
    if (await ed25519Verify(w.publicKey, s.signature.slice(8), utf8(cosignedMessage(note.text, t)))) return Number(t)
  }
  return null
}

export interface VerifyOptions {
  // Count the witness check in the verdict (as `onceonly ledger check-receipt --quorum`).
  requireWitnesses?: boolean
}

// A checkpoint note: well formed, the log's (origin), signed with the log's key, and which
// configured witnesses cosigned it (each cosignature verified with that witness's key).
export async function verifyCheckpoint(noteText: unknown, keys: LedgerKeys, opts: VerifyOptions = {}): Promise<CheckpointVerification> {
  const result: CheckpointVerification = {
    ok: false,
    checks: [],
    checkpoint: null,
    note: null,
    origin: null,
    cosignatures: [],
    otherSigners: [],
    witnessed: false,
    quorum: 0,
    witnessCount: 0,
  }
  const checks = result.checks
  const logKey = await parseVerifierKey(keys?.log)
  if (!logKey || logKey.type !== KEY_TYPE_NOTE) {
    checks.push(check('log_key', false, 'key_malformed'))
    return result
  }
  checks.push(check('log_key', true, 'ok', { name: logKey.name, key_id: logKey.keyId.toString(16).padStart(8, '0') }))

  const note = parseNote(noteText)
  const cp = note ? parseCheckpoint(note.text) : null
  if (!note || !cp) {
    checks.push(check('note', false, note ? 'checkpoint_malformed' : 'note_malformed'))
    return result
  }
  result.note = note
  result.checkpoint = cp
  result.origin = cp.origin
  checks.push(check('note', true, 'ok', { size: cp.size }))
  checks.push(
    cp.origin === logKey.name
      ? check('origin', true, 'ok', { origin: cp.origin })
      : check('origin', false, 'origin_mismatch', { origin: cp.origin, expected: logKey.name }),
  )

  const mine = note.signatures.filter((s) => s.name === logKey.name && s.keyId === logKey.keyId)
  if (!mine.length) {
    checks.push(check('signature', false, 'no_signature', { name: logKey.name }))
  } else if (!(await ed25519Supported())) {
    checks.push(check('signature', false, 'ed25519_unsupported'))
  } else {
    let valid = false
    for (const s of mine) if (await ed25519Verify(logKey.publicKey, s.signature, utf8(note.text))) valid = true
    checks.push(valid ? check('signature', true, 'ok', { name: logKey.name }) : check('signature', false, 'bad_signature', { name: logKey.name }))
  }

  // Witnesses: each configured key counts once, whatever the note's lines say.
  const witnesses: VerifierKey[] = []
  const seen = new Set<string>()
  for (const w of Array.isArray(keys.witnesses) ? keys.witnesses : []) {
    const k = await parseVerifierKey(w?.vkey)
    if (k && k.type === KEY_TYPE_COSIGNATURE && !seen.has(k.vkey)) {
      seen.add(k.vkey)
      witnesses.push(k)
    }
  }
  for (const w of witnesses) {
    const at = await cosignedAt(w, note)
    if (at !== null) result.cosignatures.push({ name: w.name, vkey: w.vkey, timestamp: at })
  }
  result.otherSigners = [
    ...new Set(
      note.signatures
        .filter((s) => !(s.name === logKey.name && s.keyId === logKey.keyId) && !witnesses.some((w) => w.name === s.name && w.keyId === s.keyId))
        .map((s) => s.name),
    ),
  ]
  const quorum = typeof keys.quorum === 'number' && keys.quorum > 0 ? keys.quorum : witnesses.length
  result.quorum = quorum
  result.witnessCount = witnesses.length
  result.witnessed = witnesses.length > 0 && result.cosignatures.length >= quorum
  const names = result.cosignatures.map((c) => c.name).join(', ')
  const witnessCheck: Check = !witnesses.length
    ? check('witnesses', !opts.requireWitnesses, 'no_witnesses')
    : result.witnessed
      ? check('witnesses', true, 'witnessed', { count: result.cosignatures.length, quorum, names })
      : check('witnesses', false, 'not_witnessed', { count: result.cosignatures.length, quorum, names })
  if (!opts.requireWitnesses) witnessCheck.informational = true
  checks.push(witnessCheck)
  result.ok = verdict(checks)
  return result
}

// ---- Receipts ---------------------------------------------------------------------------------

export interface ReceiptVerification {
  ok: boolean
  checks: Check[]
  index: number | null
  treeSize: number | null
  origin: string | null
  root: string | null // base64, from the signed checkpoint
  witnessed: boolean
  cosignatures: Cosignature[]
  quorum: number
  witnessCount: number
  checkpoint: CheckpointVerification | null
}

export interface ReceiptOptions extends VerifyOptions {
  // The leaf hash the answer or the access list gave: the receipt must be for that entry.
  expectedLeafHash?: string
  // The entry's canonical JSON text, when known: it must hash to the receipt's leaf hash.
  entryText?: string
}

function isReceipt(r: unknown): r is ReceiptJson {
  if (!r || typeof r !== 'object') return false
  const o = r as Record<string, unknown>
  return (
    position(o.index) !== null &&
    position(o.tree_size) !== null &&
    hashFromBase64(o.leaf_hash) !== null &&
    hashList(o.inclusion_proof) !== null &&
    typeof o.checkpoint === 'string'
  )
}

// A receipt (GET /api/v1/ledger/receipts/{index}) checked as `onceonly ledger check-receipt`
// does: the checkpoint is signed by the log's key, it is for the receipt's tree size, the
// inclusion proof leads from the leaf hash to the checkpoint's root; and who witnessed it.
export async function verifyReceipt(receipt: unknown, keys: LedgerKeys, opts: ReceiptOptions = {}): Promise<ReceiptVerification> {
  const out: ReceiptVerification = {
    ok: false,
    checks: [],
    index: null,
    treeSize: null,
    origin: null,
    root: null,
    witnessed: false,
    cosignatures: [],
    quorum: 0,
    witnessCount: 0,
    checkpoint: null,
  }
  try {
    if (!isReceipt(receipt)) {
      out.checks.push(check('receipt', false, 'malformed'))
      return out
    }
    out.index = receipt.index
    out.treeSize = receipt.tree_size
    out.checks.push(check('receipt', true, 'ok', { index: receipt.index, size: receipt.tree_size }))

    const cv = await verifyCheckpoint(receipt.checkpoint, keys, opts)
    out.checkpoint = cv
    out.checks.push(...cv.checks)
    out.origin = cv.origin
    out.witnessed = cv.witnessed
    out.cosignatures = cv.cosignatures
    out.quorum = cv.quorum
    out.witnessCount = cv.witnessCount
    const cp = cv.checkpoint
    const leaf = hashFromBase64(receipt.leaf_hash)!

    if (opts.expectedLeafHash !== undefined) {
      const expected = hashFromBase64(opts.expectedLeafHash)
      out.checks.push(
        equalBytes(expected, leaf)
          ? check('leaf', true, 'ok', { leaf: receipt.leaf_hash })
          : check('leaf', false, 'leaf_mismatch', { leaf: receipt.leaf_hash, expected: opts.expectedLeafHash }),
      )
    }
    if (opts.entryText !== undefined) {
      const computed = await leafHash(opts.entryText)
      out.checks.push(
        equalBytes(computed, leaf)
          ? check('leaf', true, 'leaf_computed', { leaf: receipt.leaf_hash })
          : check('leaf', false, 'leaf_computed_mismatch', { leaf: receipt.leaf_hash, computed: bytesToBase64(computed) }),
      )
    }

    if (!cp) {
      out.checks.push(check('inclusion', false, 'skipped'))
      return out
    }
    out.root = cp.rootBase64
    out.checks.push(
      cp.size === receipt.tree_size
        ? check('size', true, 'ok', { size: cp.size })
        : check('size', false, 'size_mismatch', { size: receipt.tree_size, checkpoint: cp.size }),
    )
    const inc = await verifyInclusion(receipt.index, receipt.tree_size, leaf, hashList(receipt.inclusion_proof)!, cp.root)
    out.checks.push(check('inclusion', inc.ok, inc.reason, { index: receipt.index, size: receipt.tree_size }))
    out.ok = verdict(out.checks)
  } catch {
    out.ok = false
    out.checks.push(check('inclusion', false, 'skipped'))
  }
  return out
}

// The tree an answer named when the entry was written (its size and root, unsigned) checked
// against the signed checkpoint: the same tree, or one a consistency proof shows is a prefix
// of the other. `proof` is GET /ledger/proofs/consistency between the smaller and larger size.
export async function checkAnsweredTree(
  answered: { size: number; root: string },
  signed: Checkpoint,
  proof?: ConsistencyProofJson | null,
): Promise<Check> {
  const root = hashFromBase64(answered.root)
  const params = { size: answered.size, checkpoint: signed.size }
  if (!root || position(answered.size) === null) return check('answered_tree', false, 'malformed', params)
  if (answered.size === signed.size)
    return equalBytes(root, signed.root) ? check('answered_tree', true, 'ok', params) : check('answered_tree', false, 'root_mismatch', params)
  const path = hashList(proof?.proof)
  if (!proof || !path) return check('answered_tree', false, 'malformed', params)
  const [m, n, rm, rn] =
    answered.size < signed.size ? [answered.size, signed.size, root, signed.root] : [signed.size, answered.size, signed.root, root]
  if (proof.first !== m || proof.second !== n) return check('answered_tree', false, 'size_mismatch', params)
  const r = await verifyConsistency(m, n, rm, rn, path)
  return check('answered_tree', r.ok, r.reason, params)
}

// ---- Consistency between two signed checkpoints ----------------------------------------------

export interface ConsistencyVerification {
  ok: boolean
  checks: Check[]
  first: CheckpointVerification | null
  second: CheckpointVerification | null
}

function prefixed(checks: Check[], which: 'first' | 'second'): Check[] {
  return checks.map((c) => ({ ...c, params: { ...(c.params ?? {}), which } }))
}

// Two checkpoints, each signed by the log, and the consistency proof between their trees: the
// second extends the first (nothing was rewritten or cut back). The proof's own first_root and
// second_root are ignored: the roots are the signed ones.
export async function verifyCheckpointConsistency(
  firstNote: unknown,
  secondNote: unknown,
  proof: unknown,
  keys: LedgerKeys,
): Promise<ConsistencyVerification> {
  const out: ConsistencyVerification = { ok: false, checks: [], first: null, second: null }
  try {
    const a = await verifyCheckpoint(firstNote, keys)
    const b = await verifyCheckpoint(secondNote, keys)
    out.first = a
    out.second = b
    // Witnessing is shown with each checkpoint; the verdict is about signatures and the proof.
    out.checks.push(...prefixed(a.checks.filter((c) => c.id !== 'witnesses'), 'first'))
    out.checks.push(...prefixed(b.checks.filter((c) => c.id !== 'witnesses' && c.id !== 'log_key'), 'second'))
    const p = proof as ConsistencyProofJson | null
    const path = hashList(p?.proof)
    if (!p || typeof p !== 'object' || !path || position(p.first) === null || position(p.second) === null) {
      out.checks.push(check('proof', false, 'malformed'))
      return out
    }
    if (!a.checkpoint || !b.checkpoint) {
      out.checks.push(check('consistency', false, 'skipped'))
      return out
    }
    const sizes = { first: a.checkpoint.size, second: b.checkpoint.size }
    out.checks.push(
      p.first === sizes.first && p.second === sizes.second
        ? check('proof_sizes', true, 'ok', sizes)
        : check('proof_sizes', false, 'proof_sizes_mismatch', { ...sizes, proof_first: p.first, proof_second: p.second }),
    )
    const r = await verifyConsistency(sizes.first, sizes.second, a.checkpoint.root, b.checkpoint.root, path)
    out.checks.push(check('consistency', r.ok, r.reason, sizes))
    out.ok = verdict(out.checks)
  } catch {
    out.ok = false
    out.checks.push(check('consistency', false, 'skipped'))
  }
  return out
}

// ---- Entries: canonical JSON and inclusion -----------------------------------------------------

function compareUtf8(a: string, b: string): number {
  const x = utf8(a)
  const y = utf8(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}

// The entry as the server serialises it (nlohmann's dump(): keys sorted by their UTF-8 bytes,
// no spaces, non-ASCII as is, control characters escaped as JSON.stringify does), or null when
// this value cannot be reproduced exactly here: fractional numbers (the log refuses them) or
// integers beyond 2^53, which JSON.parse has already rounded.
export function canonicalJson(value: unknown): string | null {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      return Number.isSafeInteger(value) ? String(value) : null
    case 'string':
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) {
        const parts: string[] = []
        for (const v of value) {
          const s = canonicalJson(v)
          if (s === null) return null
          parts.push(s)
        }
        return '[' + parts.join(',') + ']'
      }
      const o = value as Record<string, unknown>
      const parts: string[] = []
      for (const k of Object.keys(o).sort(compareUtf8)) {
        const s = canonicalJson(o[k])
        if (s === null) return null
        parts.push(JSON.stringify(k) + ':' + s)
      }
      return '{' + parts.join(',') + '}'
    }
    default:
      return null
  }
}

export interface InclusionVerification {
  ok: boolean
  checks: Check[]
  leafSource: 'computed' | 'api'
  leafHash: string | null
  checkpoint: CheckpointVerification | null
}

// An entry (GET /ledger/entries) in a signed checkpoint's tree: its leaf hash computed here from
// its canonical JSON (or, when that cannot be reproduced exactly, the server's, and says so), the
// inclusion proof (GET /ledger/proofs/inclusion?index=&size=) for it, and the checkpoint note of
// that size signed by the log.
export async function verifyEntryInclusion(
  entry: LedgerEntry,
  proof: unknown,
  checkpointNote: unknown,
  keys: LedgerKeys,
): Promise<InclusionVerification> {
  const out: InclusionVerification = { ok: false, checks: [], leafSource: 'api', leafHash: null, checkpoint: null }
  try {
    const apiLeaf = hashFromBase64(entry?.leaf_hash)
    const text = entry ? canonicalJson(entry.entry) : null
    let leaf: Bytes | null = apiLeaf
    if (text !== null) {
      const computed = await leafHash(text)
      out.leafSource = 'computed'
      leaf = computed
      out.checks.push(
        equalBytes(computed, apiLeaf)
          ? check('leaf', true, 'leaf_computed', { leaf: bytesToBase64(computed) })
          : check('leaf', false, 'leaf_computed_mismatch', { leaf: entry.leaf_hash, computed: bytesToBase64(computed) }),
      )
    } else {
      out.checks.push(apiLeaf ? check('leaf', true, 'leaf_from_api', { leaf: entry.leaf_hash }) : check('leaf', false, 'malformed'))
    }
    out.leafHash = leaf ? bytesToBase64(leaf) : null

    const p = proof as InclusionProofJson | null
    const path = hashList(p?.proof)
    if (!p || typeof p !== 'object' || !path || position(p.index) === null || position(p.size) === null || !hashFromBase64(p.leaf_hash)) {
      out.checks.push(check('proof', false, 'malformed'))
      return out
    }
    if (p.index !== entry.index || !equalBytes(hashFromBase64(p.leaf_hash), leaf))
      out.checks.push(check('proof', false, 'leaf_mismatch', { index: p.index, leaf: p.leaf_hash }))
    else out.checks.push(check('proof', true, 'ok', { index: p.index, size: p.size }))

    const cv = await verifyCheckpoint(checkpointNote, keys)
    out.checkpoint = cv
    out.checks.push(...cv.checks)
    if (!cv.checkpoint || !leaf) {
      out.checks.push(check('inclusion', false, 'skipped'))
      return out
    }
    out.checks.push(
      p.size === cv.checkpoint.size
        ? check('size', true, 'ok', { size: p.size })
        : check('size', false, 'size_mismatch', { size: p.size, checkpoint: cv.checkpoint.size }),
    )
    const r = await verifyInclusion(entry.index, cv.checkpoint.size, leaf, path, cv.checkpoint.root)
    out.checks.push(check('inclusion', r.ok, r.reason, { index: entry.index, size: cv.checkpoint.size }))
    out.ok = verdict(out.checks)
  } catch {
    out.ok = false
    out.checks.push(check('inclusion', false, 'skipped'))
  }
  return out
}

// ---- Fetching a receipt politely -------------------------------------------------------------

export interface LedgerProblem {
  status: number
  code: string
  detail: string
}

// GET /api/v1/ledger/receipts/{index}, waiting as the server asks while no signed checkpoint
// covers the entry yet (503 ledger.not_yet_checkpointed with Retry-After). The API client hides
// response headers, hence fetch here. Rejects with a LedgerProblem.
export async function fetchReceipt(
  index: number,
  opts: { lang?: string; signal?: AbortSignal; onWait?: (seconds: number) => void; maxWaits?: number } = {},
): Promise<unknown> {
  const maxWaits = opts.maxWaits ?? 12
  for (let attempt = 0; ; attempt++) {
    let res: Response
    try {
      res = await fetch(`/api/v1/ledger/receipts/${index}`, {
        headers: { Accept: 'application/json', 'Accept-Language': opts.lang ?? 'zh-CN' },
        credentials: 'same-origin',
        signal: opts.signal,
      })
    } catch {
      if (opts.signal?.aborted) throw { status: 0, code: 'aborted', detail: '' } satisfies LedgerProblem
      throw { status: 0, code: 'network', detail: '' } satisfies LedgerProblem
    }
    if (res.ok) return res.json()
    let problem: LedgerProblem = { status: res.status, code: 'http.' + res.status, detail: res.statusText }
    try {
      const p = (await res.json()) as { code?: string; detail?: string }
      problem = { status: res.status, code: p.code ?? problem.code, detail: p.detail ?? problem.detail }
    } catch {
      // not a problem document: keep the status line
    }
    if (res.status !== 503 || problem.code !== 'ledger.not_yet_checkpointed' || attempt >= maxWaits) throw problem
    const asked = Number(res.headers.get('Retry-After'))
    const seconds = Number.isFinite(asked) && asked >= 1 ? Math.min(asked, 60) : 5
    opts.onWait?.(seconds)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, seconds * 1000)
      opts.signal?.addEventListener('abort', () => {
        clearTimeout(timer)
        reject({ status: 0, code: 'aborted', detail: '' } satisfies LedgerProblem)
      })
    })
  }
}
