// The wallet's presentations (lib/wallet.ts): base64url as JOSE writes it, the SD-JWT split,
// disclosures (RFC 9901's own example), sd_hash over exactly what the key-binding JWT covers,
// and a whole presentation whose key-binding JWT verifies with the holder's public key.
import { describe, expect, it } from 'vitest'
import {
  base64url,
  buildPresentation,
  chooseDisclosures,
  decodeDisclosure,
  decodeJsonPart,
  fromBase64url,
  holderKey,
  kbSigningInput,
  parseVerifyFragment,
  presentationPrefix,
  publicJwk,
  randomNonce,
  sdHash,
  signerOf,
  splitSdJwt,
  utf8,
  verifyLink,
} from '@/lib/wallet'

// RFC 9901 §4.2.1's disclosure of family_name, and its digest.
const RFC_DISCLOSURE = 'WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0'
const RFC_DIGEST = 'X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0'

const ISSUER_JWT = [base64url(JSON.stringify({ alg: 'EdDSA', typ: 'dc+sd-jwt', kid: 'k1' })), base64url(JSON.stringify({ iss: 'x', _sd: [] })), 'c2ln'].join('.')
const D1 = base64url(JSON.stringify(['salt1', 'spouse_name', '李娜']))
const D2 = base64url(JSON.stringify(['salt2', 'married_on', '2024-05-20']))
const D3 = base64url(JSON.stringify(['salt3', 'registered', true]))
const SD_JWT = `${ISSUER_JWT}~${D1}~${D2}~${D3}~`

describe('base64url', () => {
  it('has no padding and uses - and _', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
    expect(base64url('')).toBe('')
    expect(base64url('a')).toBe('YQ')
    expect(base64url('ab')).toBe('YWI')
    expect(base64url('abc')).toBe('YWJj')
  })

  it('encodes text as UTF-8', () => {
    expect(base64url('Möbius')).toBe(Buffer.from('Möbius').toString('base64url'))
    expect(base64url('结婚证')).toBe(Buffer.from('结婚证').toString('base64url'))
  })

  it('round-trips bytes, long ones too', () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 7) % 256)
    expect(fromBase64url(base64url(bytes))).toEqual(bytes)
  })

  it('refuses what is not base64url', () => {
    expect(fromBase64url('YQ==')).toBeNull()
    expect(fromBase64url('a+b/')).toBeNull()
    expect(fromBase64url('abcde')).toBeNull()
    expect(fromBase64url('-_8')).toEqual(new Uint8Array([0xfb, 0xff]))
  })

  it('decodes JSON parts, and null for anything else', () => {
    expect(decodeJsonPart(base64url('{"a":1}'))).toEqual({ a: 1 })
    expect(decodeJsonPart(base64url('not json'))).toBeNull()
    expect(decodeJsonPart('%%%')).toBeNull()
    expect(decodeJsonPart(base64url(new Uint8Array([0x22, 0xff, 0x22])))).toBeNull()
  })
})

describe('SD-JWT parts', () => {
  it("decodes RFC 9901's disclosure, whose digest is the RFC's", async () => {
    expect(decodeDisclosure(RFC_DISCLOSURE)).toEqual({ salt: '_26bc4LT-ac6q2KI6cBW5es', name: 'family_name', value: 'Möbius' })
    expect(await sdHash(RFC_DISCLOSURE)).toBe(RFC_DIGEST)
    expect(decodeDisclosure(base64url('["only two", "x"]'))).toBeNull()
    expect(decodeDisclosure(base64url('[1, "x", 2]'))).toBeNull()
  })

  it('splits an SD-JWT, a presentation and a plain JWT', () => {
    expect(splitSdJwt(SD_JWT)).toEqual({ jwt: ISSUER_JWT, disclosures: [D1, D2, D3], kbJwt: null })
    expect(splitSdJwt(`${ISSUER_JWT}~${D2}~a.b.c`)).toEqual({ jwt: ISSUER_JWT, disclosures: [D2], kbJwt: 'a.b.c' })
    expect(splitSdJwt(`${ISSUER_JWT}~a.b.c`)).toEqual({ jwt: ISSUER_JWT, disclosures: [], kbJwt: 'a.b.c' })
    expect(splitSdJwt(` ${ISSUER_JWT} `)).toEqual({ jwt: ISSUER_JWT, disclosures: [], kbJwt: null })
  })

  it('keeps the disclosures chosen, in the order issued', () => {
    const all = [
      { name: 'spouse_name', disclosure: D1 },
      { name: 'married_on', disclosure: D2 },
      { name: 'registered', disclosure: D3 },
    ]
    expect(chooseDisclosures(all, ['registered', 'spouse_name'])).toEqual([D1, D3])
    expect(chooseDisclosures(all, [])).toEqual([])
  })

  it('ends the prefix with a tilde, with or without disclosures', () => {
    expect(presentationPrefix(ISSUER_JWT, [])).toBe(`${ISSUER_JWT}~`)
    expect(presentationPrefix(ISSUER_JWT, [D1, D3])).toBe(`${ISSUER_JWT}~${D1}~${D3}~`)
  })

  it('hashes the prefix as SHA-256 in base64url', async () => {
    // SHA-256("abc"), FIPS 180-2's example.
    expect(await sdHash('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    const prefix = presentationPrefix(ISSUER_JWT, [D2])
    const expected = Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(prefix, 'ascii'))).toString('base64url')
    expect(await sdHash(prefix)).toBe(expected)
  })
})

describe('presentations', () => {
  it('assembles jwt~disclosures~kb-jwt, with a key-binding JWT over exactly them', async () => {
    const signed: string[] = []
    const p = await buildPresentation(SD_JWT, [D1, D3], { aud: 'https://verifier.example', nonce: 'n-1', iat: 1_700_000_000 }, async (data) => {
      signed.push(new TextDecoder().decode(data))
      return new Uint8Array(64).fill(7)
    })
    expect(p.prefix).toBe(`${ISSUER_JWT}~${D1}~${D3}~`)
    expect(p.presentation).toBe(p.prefix + p.kbJwt)
    const [h, pl, sig] = p.kbJwt.split('.')
    expect(decodeJsonPart(h)).toEqual({ alg: 'EdDSA', typ: 'kb+jwt' })
    expect(decodeJsonPart(pl)).toEqual({ iat: 1_700_000_000, aud: 'https://verifier.example', nonce: 'n-1', sd_hash: await sdHash(p.prefix) })
    expect(signed).toEqual([`${h}.${pl}`])
    expect(fromBase64url(sig)).toEqual(new Uint8Array(64).fill(7))
    expect(kbSigningInput(p.claims)).toBe(`${h}.${pl}`)
    // Split again, it gives back its parts.
    expect(splitSdJwt(p.presentation)).toEqual({ jwt: ISSUER_JWT, disclosures: [D1, D3], kbJwt: p.kbJwt })
  })

  it('presents no disclosure at all as jwt~kb-jwt', async () => {
    const p = await buildPresentation(SD_JWT, [], { aud: 'a', nonce: 'n' }, async () => new Uint8Array(64))
    expect(p.presentation.split('~')).toHaveLength(2)
    expect(p.presentation.startsWith(`${ISSUER_JWT}~`)).toBe(true)
    expect(Math.abs(p.claims.iat - Date.now() / 1000)).toBeLessThan(5)
  })

  it("signs with the holder's Ed25519 key so that its public JWK verifies", async () => {
    const pair = await holderKey()
    expect(pair.privateKey.extractable).toBe(false)
    expect(await holderKey()).toBe(pair)
    const jwk = await publicJwk(pair)
    expect(jwk.kty).toBe('OKP')
    expect(jwk.crv).toBe('Ed25519')
    expect(fromBase64url(jwk.x)).toHaveLength(32)
    const p = await buildPresentation(SD_JWT, [D2], { aud: 'x', nonce: randomNonce() }, signerOf(pair))
    const [h, pl, sig] = p.kbJwt.split('.')
    const verifier = await crypto.subtle.importKey('jwk', { ...jwk }, { name: 'Ed25519' }, false, ['verify'])
    expect(await crypto.subtle.verify({ name: 'Ed25519' }, verifier, fromBase64url(sig)!, utf8(`${h}.${pl}`))).toBe(true)
    // A disclosure added afterwards no longer matches sd_hash.
    const tampered = presentationPrefix(ISSUER_JWT, [D2, D3])
    expect(await sdHash(tampered)).not.toBe(p.claims.sd_hash)
  })

  it('makes different nonces of 16 bytes', () => {
    const a = randomNonce()
    expect(fromBase64url(a)).toHaveLength(16)
    expect(randomNonce()).not.toBe(a)
  })
})

describe('verification links', () => {
  it('puts the presentation, audience and nonce in the fragment, and reads them back', () => {
    const vc = `${ISSUER_JWT}~${D1}~a.b.c`
    const link = verifyLink({ vc, aud: 'https://example.org/x?y=1&z', nonce: 'n+1' }, 'http://127.0.0.1:8080')
    expect(link.startsWith(`http://127.0.0.1:8080/verify#vc=${vc}&aud=`)).toBe(true)
    const hash = link.slice(link.indexOf('#'))
    expect(parseVerifyFragment(hash)).toEqual({ vc, aud: 'https://example.org/x?y=1&z', nonce: 'n+1' })
  })

  it('leaves out what is not given, and ignores other members', () => {
    expect(verifyLink({ vc: 'a.b.c' })).toBe('/verify#vc=a.b.c')
    expect(parseVerifyFragment('#vc=a.b.c&other=1')).toEqual({ vc: 'a.b.c', aud: '', nonce: '' })
    expect(parseVerifyFragment('')).toEqual({ vc: '', aud: '', nonce: '' })
    expect(parseVerifyFragment('vc=%E0')).toEqual({ vc: '%E0', aud: '', nonce: '' })
  })
})
