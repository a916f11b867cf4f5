// The browser's ledger checks against what the server really produced (tests/fixtures/, fetched
// from a server with three configured witnesses, two of them running, quorum 2), and against
// tampered copies of it: each change must fail, and for the right reason.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  canonicalJson,
  checkAnsweredTree,
  emptyRoot,
  hashFromBase64,
  leafHash,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  rootOfLeaves,
  utf8,
  verifyCheckpoint,
  verifyCheckpointConsistency,
  verifyConsistency,
  verifyEntryInclusion,
  verifyInclusion,
  verifyReceipt,
  keyId,
  type Bytes,
  type Check,
  type ConsistencyProofJson,
  type InclusionProofJson,
  type LedgerEntry,
  type LedgerKeys,
  type ReceiptJson,
} from '@/lib/ledger'

function fixture(name: string): string {
  return readFileSync(join(__dirname, 'fixtures', name), 'utf8')
}
function json<T>(name: string): T {
  return JSON.parse(fixture(name)) as T
}

const keys = json<LedgerKeys>('keys.json')
const receipt5 = json<ReceiptJson>('receipt-5.json')
const receipt174 = json<ReceiptJson>('receipt-174.json')
const answered174 = json<{ index: number; leaf_hash: string; tree_size: number; root: string }>('exchange-receipt.json')
const checkpoint = (size: number) => fixture(`checkpoint-${size}.txt`)
const inclusion5 = json<InclusionProofJson>('inclusion-5-174.json')
const entries = json<{ items: LedgerEntry[] }>('entries.json').items
const consistency = (a: number, b: number) => json<ConsistencyProofJson>(`consistency-${a}-${b}.json`)

const hashes = (list: string[]) => list.map((h) => hashFromBase64(h)!)
const failing = (checks: Check[]) => checks.filter((c) => !c.ok && !c.informational)
const reasonOf = (checks: Check[], id: Check['id']) => checks.find((c) => c.id === id)?.reason

// Flips one bit of a base64 hash.
function flip(b64: string, byte = 0): string {
  const b = base64ToBytes(b64)!
  b[byte] ^= 1
  return bytesToBase64(b)
}

// A signed note by a fresh Ed25519 key, named as given (the log's name, to impersonate it).
async function signWithNewKey(text: string, name: string): Promise<{ note: string; vkey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const pub = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, utf8(text)))
  const id = await keyId(name, 1, pub)
  const idBytes = new Uint8Array([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255])
  const line = `— ${name} ${bytesToBase64(new Uint8Array([...idBytes, ...sig]))}\n`
  const vkey = `${name}+${id.toString(16).padStart(8, '0')}+${bytesToBase64(new Uint8Array([1, ...pub]))}`
  return { note: `${text}\n${line}`, vkey }
}

describe('RFC 9162 hashing', () => {
  it('hashes the empty tree, leaves and nodes as RFC 9162 §2.1.1 says', async () => {
    expect(bytesToHex(await emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    // RFC 6962 / 9162 test vectors (the CT reference implementation's tree of 8 leaves).
    expect(bytesToHex(await leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d')
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
      Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16)),
    )
    const lh = await Promise.all(leaves.map((l) => leafHash(l)))
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ]
    for (let n = 1; n <= 8; n++) expect(bytesToHex(await rootOfLeaves(lh.slice(0, n)))).toBe(roots[n - 1])
    expect(bytesToHex(await rootOfLeaves([]))).toBe(bytesToHex(await emptyRoot()))
  })

  it('verifies every inclusion and consistency proof of a small tree, and refuses wrong ones', async () => {
    const lh = await Promise.all(Array.from({ length: 13 }, (_, i) => leafHash(`entry ${i}`)))
    // Proofs built here the long way, from RFC 9162's PATH and PROOF definitions.
    async function path(m: number, d: Bytes[]): Promise<Bytes[]> {
      if (d.length <= 1) return []
      let k = 1
      while (k * 2 < d.length) k *= 2
      return m < k ? [...(await path(m, d.slice(0, k))), await rootOfLeaves(d.slice(k))] : [...(await path(m - k, d.slice(k))), await rootOfLeaves(d.slice(0, k))]
    }
    async function subproof(m: number, d: Bytes[], whole: boolean): Promise<Bytes[]> {
      if (m === d.length) return whole ? [] : [await rootOfLeaves(d)]
      let k = 1
      while (k * 2 < d.length) k *= 2
      return m <= k
        ? [...(await subproof(m, d.slice(0, k), whole)), await rootOfLeaves(d.slice(k))]
        : [...(await subproof(m - k, d.slice(k), false)), await rootOfLeaves(d.slice(0, k))]
    }
    for (let n = 1; n <= 13; n++) {
      const root = await rootOfLeaves(lh.slice(0, n))
      for (let m = 0; m < n; m++) {
        const p = await path(m, lh.slice(0, n))
        expect((await verifyInclusion(m, n, lh[m], p, root)).ok).toBe(true)
        expect((await verifyInclusion(m, n, lh[(m + 1) % 13], p, root)).reason).toBe('root_mismatch')
        // A size whose tree has a longer path from this leaf needs more hashes.
        expect((await verifyInclusion(m, 2 * n + 1, lh[m], p, root)).reason).toBe('proof_length')
      }
      expect((await verifyInclusion(n, n, lh[0], [], root)).reason).toBe('index_out_of_range')
      for (let m = 1; m <= n; m++) {
        const p = m === n ? [] : await subproof(m, lh.slice(0, n), true)
        const first = await rootOfLeaves(lh.slice(0, m))
        expect((await verifyConsistency(m, n, first, root, p)).ok).toBe(true)
        if (m < n) {
          expect((await verifyConsistency(m, n, root, root, p)).ok).toBe(false)
          expect((await verifyConsistency(m, n, first, root, [])).reason).toBe('proof_empty')
        }
      }
      expect((await verifyConsistency(0, n, await emptyRoot(), root, [])).ok).toBe(true)
      expect((await verifyConsistency(n, n - 1, root, root, [])).reason).toBe('order')
    }
  })
})

describe('keys and notes', () => {
  it('reads the log key and the witness keys the server publishes', async () => {
    const log = await parseVerifierKey(keys.log)
    expect(log?.name).toBe(keys.origin)
    expect(log?.type).toBe(1)
    for (const w of keys.witnesses) expect((await parseVerifierKey(w.vkey))?.type).toBe(4)
    // A key whose ID does not match its public key is no key.
    const [, name, id, key] = /^([^+]+)\+([0-9a-f]{8})\+(.*)$/.exec(keys.log)!
    expect(await parseVerifierKey(`${name}+${(parseInt(id, 16) ^ 1).toString(16).padStart(8, '0')}+${key}`)).toBeNull()
    expect(await parseVerifierKey('not a key')).toBeNull()
  })

  it('parses checkpoints as the server writes them', () => {
    const note = parseNote(checkpoint(103))!
    expect(note.signatures.map((s) => s.name)).toEqual([keys.origin, 'psb.onceonly.localhost/witness', 'hrss.onceonly.localhost/witness'])
    const cp = parseCheckpoint(note.text)!
    expect(cp.origin).toBe(keys.origin)
    expect(cp.size).toBe(103)
    expect(parseNote('no blank line\n— a AAAAAAA=\n')).toBeNull()
    expect(parseNote(checkpoint(103).replace('\n\n', '\n\u0001\n\n'))).toBeNull()
    expect(parseCheckpoint('origin\n012\n' + cp.rootBase64 + '\n')).toBeNull()
  })

  it('verifies the log signature and the witnesses cosignatures of real checkpoints', async () => {
    for (const size of [0, 14, 103, 174, 175]) {
      const v = await verifyCheckpoint(checkpoint(size), keys)
      expect(v.ok).toBe(true)
      expect(v.checkpoint?.size).toBe(size)
      expect(v.cosignatures.map((c) => c.name).sort()).toEqual(['hrss.onceonly.localhost/witness', 'psb.onceonly.localhost/witness'])
      expect(v.witnessed).toBe(true)
      expect(v.quorum).toBe(2)
    }
    // The empty tree's checkpoint carries the empty root.
    const empty = parseCheckpoint(parseNote(checkpoint(0))!.text)!
    expect(bytesToHex(empty.root)).toBe(bytesToHex(await emptyRoot()))
  })

  it('tells a changed signature from a note signed by another key', async () => {
    const note = checkpoint(103)
    const logLine = note.split('\n').find((l) => l.startsWith('— ' + keys.origin + ' '))!
    const sig = logLine.slice(logLine.lastIndexOf(' ') + 1)
    const tampered = note.replace(sig, flip(sig, 10))
    const v = await verifyCheckpoint(tampered, keys)
    expect(v.ok).toBe(false)
    expect(reasonOf(v.checks, 'signature')).toBe('bad_signature')

    const text = parseNote(note)!.text
    const forged = await signWithNewKey(text, keys.origin)
    const w = await verifyCheckpoint(forged.note, keys)
    expect(w.ok).toBe(false)
    expect(reasonOf(w.checks, 'signature')).toBe('no_signature')
    // …and the same note checked with that other key is fine, but not with a witness's name.
    const own = await verifyCheckpoint(forged.note, { ...keys, log: forged.vkey })
    expect(reasonOf(own.checks, 'signature')).toBe('ok')
    expect(own.cosignatures).toEqual([])
    const otherName = await signWithNewKey(text, 'elsewhere.example/log')
    const x = await verifyCheckpoint(otherName.note, { ...keys, log: otherName.vkey })
    expect(reasonOf(x.checks, 'origin')).toBe('origin_mismatch')
  })

  it('counts a cosignature only when it verifies', async () => {
    const note = checkpoint(103)
    const psbLine = note.split('\n').find((l) => l.startsWith('— psb.'))!
    const sig = psbLine.slice(psbLine.lastIndexOf(' ') + 1)
    const v = await verifyCheckpoint(note.replace(sig, flip(sig, 20)), keys)
    expect(v.ok).toBe(true) // the log's signature still holds…
    expect(v.cosignatures.map((c) => c.name)).toEqual(['hrss.onceonly.localhost/witness'])
    expect(v.witnessed).toBe(false) // …but 1 of 2 is not witnessed
    expect(reasonOf(v.checks, 'witnesses')).toBe('not_witnessed')
    const strict = await verifyCheckpoint(note.replace(sig, flip(sig, 20)), keys, { requireWitnesses: true })
    expect(strict.ok).toBe(false)
  })
})

describe('receipts', () => {
  it('verifies receipts the server gave', async () => {
    for (const r of [receipt5, receipt174]) {
      const v = await verifyReceipt(r, keys, { expectedLeafHash: r.leaf_hash })
      expect(failing(v.checks)).toEqual([])
      expect(v.ok).toBe(true)
      expect(v.treeSize).toBe(r.tree_size)
      expect(v.origin).toBe(keys.origin)
      expect(v.witnessed).toBe(true)
      expect(v.cosignatures.length).toBe(2)
    }
  })

  it('checks the entry text against the receipt', async () => {
    const entry = json<LedgerEntry>('entry-174.json')
    const text = canonicalJson(entry.entry)!
    expect((await verifyReceipt(receipt174, keys, { entryText: text })).ok).toBe(true)
    const other = await verifyReceipt(receipt174, keys, { entryText: text.replace('served', 'refused') })
    expect(reasonOf(other.checks, 'leaf')).toBe('leaf_computed_mismatch')
  })

  it('fails a changed leaf hash', async () => {
    const v = await verifyReceipt({ ...receipt5, leaf_hash: flip(receipt5.leaf_hash) }, keys)
    expect(v.ok).toBe(false)
    expect(reasonOf(v.checks, 'inclusion')).toBe('root_mismatch')
    const w = await verifyReceipt(receipt5, keys, { expectedLeafHash: receipt174.leaf_hash })
    expect(reasonOf(w.checks, 'leaf')).toBe('leaf_mismatch')
  })

  it('fails a changed proof hash', async () => {
    const proof = [...receipt5.inclusion_proof]
    proof[2] = flip(proof[2], 31)
    const v = await verifyReceipt({ ...receipt5, inclusion_proof: proof }, keys)
    expect(v.ok).toBe(false)
    expect(failing(v.checks).map((c) => [c.id, c.reason])).toEqual([['inclusion', 'root_mismatch']])
    const shorter = await verifyReceipt({ ...receipt5, inclusion_proof: receipt5.inclusion_proof.slice(1) }, keys)
    expect(reasonOf(shorter.checks, 'inclusion')).toBe('proof_length')
  })

  it('fails a wrong root', async () => {
    // The checkpoint's root changed: its signature no longer holds, nor does the proof.
    const cp = parseCheckpoint(parseNote(receipt5.checkpoint)!.text)!
    const v = await verifyReceipt({ ...receipt5, checkpoint: receipt5.checkpoint.replace(cp.rootBase64, flip(cp.rootBase64)) }, keys)
    expect(v.ok).toBe(false)
    expect(reasonOf(v.checks, 'signature')).toBe('bad_signature')
    expect(reasonOf(v.checks, 'inclusion')).toBe('root_mismatch')
    // The proof against another root alone.
    const leaf = hashFromBase64(receipt5.leaf_hash)!
    const wrong = hashFromBase64(flip(cp.rootBase64))!
    expect((await verifyInclusion(5, 14, leaf, hashes(receipt5.inclusion_proof), wrong)).reason).toBe('root_mismatch')
  })

  it('fails a wrong size', async () => {
    const v = await verifyReceipt({ ...receipt5, tree_size: 15 }, keys)
    expect(v.ok).toBe(false)
    expect(reasonOf(v.checks, 'size')).toBe('size_mismatch')
    // The path from entry 5 has the same shape in trees of 14 and 15: the signed size is what
    // binds the proof to its tree. In a tree of 100 it is longer.
    const longer = await verifyReceipt({ ...receipt5, tree_size: 100 }, keys)
    expect(reasonOf(longer.checks, 'size')).toBe('size_mismatch')
    expect(reasonOf(longer.checks, 'inclusion')).toBe('proof_length')
    const past = await verifyReceipt({ ...receipt5, index: 14 }, keys)
    expect(reasonOf(past.checks, 'inclusion')).toBe('index_out_of_range')
  })

  it('fails a changed signature and a note from another key', async () => {
    const line = receipt5.checkpoint.split('\n').find((l) => l.startsWith('— ' + keys.origin + ' '))!
    const sig = line.slice(line.lastIndexOf(' ') + 1)
    const v = await verifyReceipt({ ...receipt5, checkpoint: receipt5.checkpoint.replace(sig, flip(sig, 40)) }, keys)
    expect(v.ok).toBe(false)
    expect(failing(v.checks).map((c) => [c.id, c.reason])).toEqual([['signature', 'bad_signature']])

    const forged = await signWithNewKey(parseNote(receipt5.checkpoint)!.text, keys.origin)
    const w = await verifyReceipt({ ...receipt5, checkpoint: forged.note }, keys)
    expect(w.ok).toBe(false)
    expect(failing(w.checks).map((c) => [c.id, c.reason])).toEqual([['signature', 'no_signature']])
    expect(w.witnessed).toBe(false)
  })

  it('never throws on bad input', async () => {
    for (const bad of [null, 42, 'text', {}, { ...receipt5, leaf_hash: 'xyz' }, { ...receipt5, inclusion_proof: ['AAAA'] }, { ...receipt5, index: -1 }]) {
      const v = await verifyReceipt(bad, keys)
      expect(v.ok).toBe(false)
      expect(reasonOf(v.checks, 'receipt')).toBe('malformed')
    }
    const v = await verifyReceipt({ ...receipt5, checkpoint: 'not a note' }, keys)
    expect(reasonOf(v.checks, 'note')).toBe('note_malformed')
    const k = await verifyReceipt(receipt5, { ...keys, log: 'broken' })
    expect(reasonOf(k.checks, 'log_key')).toBe('key_malformed')
  })

  it('checks the tree an answer named against the signed checkpoint', async () => {
    const cp = parseCheckpoint(parseNote(receipt174.checkpoint)!.text)!
    expect((await checkAnsweredTree({ size: answered174.tree_size, root: answered174.root }, cp)).ok).toBe(true)
    expect((await checkAnsweredTree({ size: answered174.tree_size, root: flip(answered174.root) }, cp)).reason).toBe('root_mismatch')
    // A smaller tree than the checkpoint's: through a consistency proof.
    const c = consistency(174, 175)
    const cp175 = parseCheckpoint(parseNote(checkpoint(175))!.text)!
    expect((await checkAnsweredTree({ size: 174, root: c.first_root }, cp175, c)).ok).toBe(true)
    expect((await checkAnsweredTree({ size: 174, root: flip(c.first_root) }, cp175, c)).ok).toBe(false)
  })
})

describe('proofs from the server', () => {
  it('verifies an inclusion proof against the signed checkpoint, with the leaf hash computed from the entry', async () => {
    const entry = entries[5]
    const v = await verifyEntryInclusion(entry, inclusion5, checkpoint(174), keys)
    expect(failing(v.checks)).toEqual([])
    expect(v.ok).toBe(true)
    expect(v.leafSource).toBe('computed')
    expect(reasonOf(v.checks, 'leaf')).toBe('leaf_computed')

    const changed = await verifyEntryInclusion({ ...entry, entry: { ...(entry.entry as object), purpose: 'other' } }, inclusion5, checkpoint(174), keys)
    expect(changed.ok).toBe(false)
    expect(reasonOf(changed.checks, 'leaf')).toBe('leaf_computed_mismatch')

    const proof = { ...inclusion5, proof: [...inclusion5.proof] }
    proof.proof[0] = flip(proof.proof[0])
    expect(reasonOf((await verifyEntryInclusion(entry, proof, checkpoint(174), keys)).checks, 'inclusion')).toBe('root_mismatch')
    expect(reasonOf((await verifyEntryInclusion(entry, inclusion5, checkpoint(175), keys)).checks, 'size')).toBe('size_mismatch')
  })

  it('reproduces every leaf hash and the signed root from the entries', async () => {
    const leaves: Bytes[] = []
    for (const e of entries) {
      const text = canonicalJson(e.entry)
      expect(text).not.toBeNull()
      const h = await leafHash(text!)
      expect(bytesToBase64(h)).toBe(e.leaf_hash)
      leaves.push(h)
    }
    const cp = parseCheckpoint(parseNote(checkpoint(175))!.text)!
    expect(bytesToBase64(await rootOfLeaves(leaves))).toBe(cp.rootBase64)
  })

  it('serialises as the server does (keys by UTF-8 bytes, escapes)', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], '\uff01': 'é', '😀': '\u0001\n"\\/\u2028' })).toBe(
      '{"a":[true,null,"x"],"b":1,"\uff01":"é","😀":"\\u0001\\n\\"\\\\/\u2028"}',
    )
    expect(canonicalJson({ n: 1.5 })).toBeNull()
    expect(canonicalJson({ n: 2 ** 60 })).toBeNull()
  })

  it('verifies consistency proofs between real signed checkpoints', async () => {
    for (const [a, b] of [
      [103, 174],
      [14, 175],
      [174, 175],
      [0, 14],
      [103, 103],
    ]) {
      const v = await verifyCheckpointConsistency(checkpoint(a), checkpoint(b), consistency(a, b), keys)
      expect(failing(v.checks)).toEqual([])
      expect(v.ok).toBe(true)
    }
    // Proofs between tree sizes without checkpoints, against the roots the server named.
    for (const [a, b] of [
      [64, 174],
      [1, 175],
      [128, 175],
    ]) {
      const c = consistency(a, b)
      expect((await verifyConsistency(a, b, hashFromBase64(c.first_root)!, hashFromBase64(c.second_root)!, hashes(c.proof))).ok).toBe(true)
    }
  })

  it('fails a changed consistency proof, swapped or mismatched checkpoints', async () => {
    const c = consistency(103, 174)
    const changed = { ...c, proof: c.proof.map((h, i) => (i === 3 ? flip(h) : h)) }
    const v = await verifyCheckpointConsistency(checkpoint(103), checkpoint(174), changed, keys)
    expect(v.ok).toBe(false)
    expect(reasonOf(v.checks, 'consistency')).toMatch(/root_mismatch|proof_length/)

    const wrongCheckpoint = await verifyCheckpointConsistency(checkpoint(14), checkpoint(174), c, keys)
    expect(wrongCheckpoint.ok).toBe(false)
    expect(reasonOf(wrongCheckpoint.checks, 'proof_sizes')).toBe('proof_sizes_mismatch')

    const swapped = await verifyCheckpointConsistency(checkpoint(174), checkpoint(103), c, keys)
    expect(swapped.ok).toBe(false)

    const cp174 = parseNote(checkpoint(174))!
    const forged = await signWithNewKey(cp174.text, keys.origin)
    const f = await verifyCheckpointConsistency(checkpoint(103), forged.note, c, keys)
    expect(f.ok).toBe(false)
    expect(f.checks.find((x) => x.id === 'signature' && x.params?.which === 'second')?.reason).toBe('no_signature')

    expect((await verifyCheckpointConsistency(checkpoint(103), checkpoint(174), { nonsense: true }, keys)).ok).toBe(false)
  })
})

describe('ReceiptVerify', () => {
  // The component against the API answers above, served by a stand-in for fetch: the first
  // request for the receipt is 503 ledger.not_yet_checkpointed with Retry-After: 1.
  function serve(receipt: unknown, opts: { waitFirst?: boolean } = {}) {
    let asked = 0
    const calls: string[] = []
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      const url = String(input)
      calls.push(url)
      const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
      if (url.startsWith('/api/v1/ledger/keys')) return jsonAnswer(200, keys)
      if (url.startsWith('/api/v1/ledger/receipts/')) {
        if (opts.waitFirst && asked++ === 0)
          return jsonAnswer(503, { code: 'ledger.not_yet_checkpointed', status: 503, detail: 'not yet' }, { 'Retry-After': '1', 'content-type': 'application/problem+json' })
        return jsonAnswer(200, receipt)
      }
      return jsonAnswer(404, { code: 'not_found', status: 404, detail: url })
    })
    return calls
  }

  async function mountIt(receiptProp: object) {
    const { mount } = await import('@vue/test-utils')
    const ElementPlus = (await import('element-plus')).default
    const { i18n } = await import('@/i18n')
    i18n.global.locale.value = 'en'
    const ReceiptVerify = (await import('@/components/ReceiptVerify.vue')).default
    return mount(ReceiptVerify, { props: { receipt: receiptProp as never }, global: { plugins: [i18n, ElementPlus] } })
  }

  afterEach(() => vi.unstubAllGlobals())

  it('waits for the next checkpoint, then shows the receipt verified', async () => {
    const calls = serve(receipt174, { waitFirst: true })
    const w = await mountIt(answered174)
    expect(w.text()).toContain('#174')
    await w.find('[data-test=receipt-verify]').trigger('click')
    await vi.waitFor(() => expect(w.find('[data-test=receipt-waiting]').exists()).toBe(true), { timeout: 3000 })
    await vi.waitFor(() => expect(w.find('[data-test=receipt-result]').exists()).toBe(true), { timeout: 5000 })
    const result = w.find('[data-test=receipt-result]')
    expect(result.attributes('data-ok')).toBe('true')
    expect(result.text()).toContain('✓ Included in the log of size 175 signed by onceonly.localhost/ledger')
    expect(result.text()).toContain('Witnessed by psb.onceonly.localhost/witness, hrss.onceonly.localhost/witness')
    expect(result.text()).toContain('agrees with the signed checkpoint')
    expect(calls.filter((c) => c.includes('/receipts/174')).length).toBe(2)
    w.unmount()
  })

  it('shows a tampered receipt as not verified, saying why', async () => {
    const proof = [...receipt174.inclusion_proof]
    proof[1] = flip(proof[1])
    serve({ ...receipt174, inclusion_proof: proof })
    const w = await mountIt(answered174)
    await w.find('[data-test=receipt-verify]').trigger('click')
    await vi.waitFor(() => expect(w.find('[data-test=receipt-result]').exists()).toBe(true), { timeout: 3000 })
    const result = w.find('[data-test=receipt-result]')
    expect(result.attributes('data-ok')).toBe('false')
    expect(result.text()).toContain('✗ Could not be verified: The proof does not lead to the signed root hash')
    w.unmount()
  })

  it('says an entry without an index is on its way', async () => {
    const w = await mountIt({ index: null, leaf_hash: answered174.leaf_hash, url: null })
    expect(w.find('[data-test=receipt-verify]').exists()).toBe(false)
    expect(w.find('[data-test=receipt-pending]').text()).toBe('On its way to the ledger')
    w.unmount()
  })
})
