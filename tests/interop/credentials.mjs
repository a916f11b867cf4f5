// Interoperability of the electronic certificates (docs/credentials.md) with libraries this
// project did not write: `jose` (RFC 7515/7519/8037/7638, VC-JOSE-COSE's vc+jwt) and the OpenWallet
// Foundation's `@sd-jwt/sd-jwt-vc` (RFC 9901 SD-JWT, SD-JWT VC, key binding, and the IETF Token
// Status List through its own status check), plus Node's own crypto and zlib for the W3C Bitstring
// Status List and the Token Status List bits. Nothing from web/src is used.
//
// Usage: node tests/interop/credentials.mjs <base URL of a running server seeded with seed-demo>
// The packages are resolved from web/node_modules (next to this file's ../../web, or
// $ONCEONLY_WEB_DIR), so the script runs from any directory; tests/interop/credentials.sh starts
// the server and runs it. Ends with "interop: N passed, N failed"; exits 1 on any failure.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const webDir = process.env.ONCEONLY_WEB_DIR
  ? path.resolve(process.env.ONCEONLY_WEB_DIR)
  : fileURLToPath(new URL('../../web/', import.meta.url));
const requireFromWeb = createRequire(path.join(webDir, 'package.json'));
async function load(name) {
  let resolved;
  try {
    resolved = requireFromWeb.resolve(name);
  } catch {
    console.error(`interop: ${name} is not installed in ${webDir}/node_modules (run scripts/web.sh or npm ci there)`);
    process.exit(2);
  }
  const mod = await import(pathToFileURL(resolved).href);
  return mod.default && Object.keys(mod).length <= 1 ? mod.default : mod;
}
const jose = await load('jose');
const { SDJwtVcInstance } = await load('@sd-jwt/sd-jwt-vc');
const { digest, generateSalt } = await load('@sd-jwt/crypto-nodejs');

const base = (process.argv[2] || process.env.ONCEONLY_BASE_URL || '').replace(/\/+$/, '');
if (!base) {
  console.error('usage: node tests/interop/credentials.mjs <base URL>');
  process.exit(2);
}
const PASSWORD = 'onceonly-demo-2026';
const CITIZEN = '44030519850312001X';
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const MIN_BITS = 131072;

// ---- a tiny harness: every check is reported; a failed prerequisite ends the run ----
let passed = 0;
let failed = 0;
const notes = [];
class Fatal extends Error {}
function fail(msg) { throw new Error(msg); }
function assert(cond, msg) { if (!cond) fail(msg); }
function eq(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected)) {
    fail(`${what}: expected ${JSON.stringify(expected)}, server sent ${JSON.stringify(actual)}`);
  }
}
async function check(name, fn, { required = false } = {}) {
  try {
    const r = await fn();
    passed++;
    console.log(`ok   ${name}`);
    return r;
  } catch (e) {
    failed++;
    const msg = e instanceof Error && e.constructor !== Error ? `${e.name}${e.code ? ` [${e.code}]` : ''}: ${e.message}` : String(e && e.message);
    console.log(`FAIL ${name}\n     ${msg.split('\n').join('\n     ')}`);
    if (required) throw new Fatal(name);
    return undefined;
  }
}
function note(msg) { notes.push(msg); console.log(`note ${msg}`); } // repeated above the summary
async function expectThrow(fn, pred, what) {
  let err;
  try { await fn(); } catch (e) { err = e; }
  if (!err) fail(`${what}: the library accepted it`);
  if (pred && !pred(err)) fail(`${what}: failed for another reason: ${err.name}${err.code ? ` [${err.code}]` : ''}: ${err.message}`);
  return err;
}

// ---- HTTP ----
async function http(method, p, { token, body, headers = {} } = {}) {
  const url = p.startsWith('http') ? p : base + p;
  const h = { accept: 'application/json', ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json, url };
}
async function api(method, p, opts = {}, expect = [200]) {
  const r = await http(method, p, opts);
  if (!expect.includes(r.status)) fail(`${method} ${p}: HTTP ${r.status} (expected ${expect.join('/')}): ${r.text.slice(0, 600)}`);
  if (r.json === undefined) fail(`${method} ${p}: not JSON: ${r.text.slice(0, 200)}`);
  return r.json;
}
const signIn = async (body) => (await api('POST', '/api/v1/sessions', { body }, [200, 201])).token;

// ---- encodings (Node only) ----
const b64u = (buf) => Buffer.from(buf).toString('base64url');
const fromB64u = (s) => {
  assert(/^[A-Za-z0-9_-]*$/.test(s), `not base64url (RFC 4648 §5, no padding): ${s.slice(0, 40)}…`);
  return Buffer.from(s, 'base64url');
};
const jsonPart = (s) => JSON.parse(fromB64u(s).toString('utf8'));
const bitMsbFirst = (bytes, i) => (bytes[i >> 3] >> (7 - (i & 7))) & 1; // W3C Bitstring Status List
const bitLsbFirst = (bytes, i) => (bytes[i >> 3] >> (i & 7)) & 1; // the other order, to diagnose

function decodeBitstring(encodedList) {
  assert(typeof encodedList === 'string' && encodedList.startsWith('u'),
    `encodedList must be multibase base64url ('u' prefix), server sent ${String(encodedList).slice(0, 20)}…`);
  const gz = fromB64u(encodedList.slice(1));
  assert(gz[0] === 0x1f && gz[1] === 0x8b, `encodedList is not GZIP (RFC 1952 magic 1f 8b), first bytes ${gz.subarray(0, 2).toString('hex')}`);
  return zlib.gunzipSync(gz);
}
function decodeTokenList(lst) {
  const z = fromB64u(lst);
  try {
    return zlib.inflateSync(z); // DEFLATE in the ZLIB format (RFC 1950), as the Token Status List draft requires
  } catch (e) {
    let how = 'neither ZLIB nor raw DEFLATE';
    try { zlib.inflateRawSync(z); how = 'raw DEFLATE without the ZLIB wrapper'; } catch {}
    try { zlib.gunzipSync(z); how = 'GZIP'; } catch {}
    fail(`lst is not DEFLATE in the ZLIB format (RFC 1950) as the Token Status List draft requires; it is ${how} (${e.message})`);
  }
}
function sampleValue(field) {
  switch (field.type) {
    case 'date': return '2024-05-20';
    case 'integer': return 2024;
    case 'boolean': return true;
    default: // non-ASCII on purpose: UTF-8 through signatures, disclosures and digests
      if (/spouse.*name/.test(field.name)) return '王芳';
      if (/name/.test(field.name)) return '张伟';
      if (/id_number/.test(field.name)) return '44030519870615002X';
      return `岚山-${field.name}-0001`;
  }
}
const issuerUrl = (org) => `${base}/api/v1/credentials/issuers/${org}`;

// ---- state shared by the steps ----
const s = {};

async function main() {
  // a. Issue a marriage certificate as the civil affairs bureau's approver.
  s.approver = await check('sign in as cab.approver', () =>
    signIn({ username: 'cab.approver', password: PASSWORD }), { required: true });
  s.type = await check('GET /api/v1/credentials/types lists marriage_certificate', async () => {
    let cursor;
    for (let page = 0; page < 20; page++) {
      const r = await api('GET', `/api/v1/credentials/types?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const items = Array.isArray(r) ? r : r.items;
      assert(Array.isArray(items), `no items in ${JSON.stringify(r).slice(0, 200)}`);
      const t = items.find((x) => x.code === 'marriage_certificate');
      if (t) return t;
      cursor = !Array.isArray(r) && (r.next_cursor || r.cursor);
      if (!cursor) break;
    }
    fail('no type with code marriage_certificate');
  }, { required: true });
  s.org = s.type.issuer_org_id;
  s.issuer = issuerUrl(s.org);
  s.claims = Object.fromEntries(s.type.fields.map((f) => [f.name, sampleValue(f)]));
  s.cred = await check('POST /api/v1/credentials issues it to the citizen (201)', async () => {
    const c = await api('POST', '/api/v1/credentials', {
      token: s.approver, body: { type_id: s.type.id, subject: CITIZEN, claims: s.claims },
    }, [201]);
    assert(typeof c.jwt === 'string' && c.jwt.split('.').length === 3, `no compact JWS in jwt: ${String(c.jwt).slice(0, 80)}`);
    assert(c.status_list && Number.isInteger(c.status_list.index), `no status_list.index: ${JSON.stringify(c.status_list)}`);
    return c;
  }, { required: true });

  // b. The vc+jwt with jose.
  const jwks = jose.createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
  const vopts = { algorithms: ['EdDSA'], typ: 'vc+jwt', issuer: s.issuer };
  const verified = await check('jose jwtVerify(vc+jwt) against /.well-known/jwks.json (EdDSA, typ vc+jwt, iss)', () =>
    jose.jwtVerify(s.cred.jwt, jwks, vopts), { required: true });
  s.vc = verified.payload;
  s.vcHeader = verified.protectedHeader;
  await check('JOSE header is {alg EdDSA, typ vc+jwt, kid} and kid is the RFC 7638 thumbprint of the key', async () => {
    eq(s.vcHeader.alg, 'EdDSA', 'alg');
    eq(s.vcHeader.typ, 'vc+jwt', 'typ');
    assert(typeof s.vcHeader.kid === 'string' && s.vcHeader.kid, 'no kid in the header');
    const set = await api('GET', '/.well-known/jwks.json');
    assert(Array.isArray(set.keys), 'JWKS has no keys array');
    for (const k of set.keys) {
      assert(!('d' in k), `the JWKS publishes private key material (d) for kid ${k.kid}`);
      eq([k.kty, k.crv], ['OKP', 'Ed25519'], `key type of kid ${k.kid} (RFC 8037)`);
      assert(fromB64u(k.x).length === 32, `x of kid ${k.kid} is not 32 bytes`);
      if (k.alg !== undefined) eq(k.alg, 'EdDSA', `alg of kid ${k.kid}`);
      eq(await jose.calculateJwkThumbprint(k, 'sha256'), k.kid, 'kid vs RFC 7638 thumbprint');
    }
    assert(set.keys.some((k) => k.kid === s.vcHeader.kid), 'the signing kid is not in /.well-known/jwks.json');
  });
  await check('jose jwtVerify against the issuer\'s own JWKS /api/v1/credentials/issuers/{org}/jwks.json', () =>
    jose.jwtVerify(s.cred.jwt, jose.createRemoteJWKSet(new URL(`${s.issuer}/jwks.json`)), vopts));
  await check('GET the issuer identifier URL answers 200', () => api('GET', `/api/v1/credentials/issuers/${s.org}`));
  await check('the payload is a W3C VC 2.0 with the claims (VC-JOSE-COSE)', () => {
    const vc = s.vc;
    assert(Array.isArray(vc['@context']) && vc['@context'][0] === VC_V2, `@context[0] must be ${VC_V2}, server sent ${JSON.stringify(vc['@context'])}`);
    const types = [].concat(vc.type);
    assert(types.includes('VerifiableCredential'), `type lacks VerifiableCredential: ${JSON.stringify(vc.type)}`);
    const iss = typeof vc.issuer === 'string' ? vc.issuer : vc.issuer && vc.issuer.id;
    eq(iss, s.issuer, 'issuer (VC) ');
    eq(vc.iss, iss, 'iss must equal the VC issuer');
    assert(typeof vc.id === 'string' && vc.id, 'no id');
    assert(typeof vc.jti === 'string' && vc.jti, 'no jti');
    assert(typeof vc.validFrom === 'string' && !Number.isNaN(Date.parse(vc.validFrom)), `validFrom not a dateTime: ${vc.validFrom}`);
    assert(Number.isInteger(vc.iat) && Number.isInteger(vc.nbf), 'iat/nbf must be NumericDates');
    eq(vc.nbf, Math.floor(Date.parse(vc.validFrom) / 1000), 'nbf vs validFrom');
    if (vc.validUntil != null) eq(vc.exp, Math.floor(Date.parse(vc.validUntil) / 1000), 'exp vs validUntil');
    else if (vc.exp !== undefined) fail(`exp ${vc.exp} but no validUntil`);
    const cs = vc.credentialSubject;
    assert(cs && typeof cs === 'object' && !Array.isArray(cs), `credentialSubject not an object: ${JSON.stringify(cs)}`);
    for (const [k, v] of Object.entries(s.claims)) eq(cs[k], v, `credentialSubject.${k}`);
  });
  await check('credentialStatus: BitstringStatusListEntry for revocation and suspension', () => {
    const list = [].concat(s.vc.credentialStatus || []);
    const byPurpose = {};
    for (const e of list) byPurpose[e.statusPurpose] = e;
    s.statusEntries = byPurpose; // the lists are checked below even if an entry is malformed here
    for (const e of list) {
      eq(e.type, 'BitstringStatusListEntry', 'credentialStatus[].type');
      assert(typeof e.statusListIndex === 'string' && /^(0|[1-9][0-9]*)$/.test(e.statusListIndex),
        `statusListIndex must be a base-10 integer expressed as a string (Bitstring Status List §2.1), server sent ${JSON.stringify(e.statusListIndex)}`);
      eq(Number(e.statusListIndex), s.cred.status_list.index, 'statusListIndex vs the certificate\'s status_list.index');
      assert(typeof e.statusListCredential === 'string' && /^https?:\/\//.test(e.statusListCredential), `statusListCredential not a URL: ${e.statusListCredential}`);
    }
    assert(byPurpose.revocation, `no revocation entry in ${JSON.stringify(list)}`);
    assert(byPurpose.suspension, `no suspension entry in ${JSON.stringify(list)}`);
    return byPurpose;
  });
  await check('jose refuses a payload with one character changed (JWSSignatureVerificationFailed)', async () => {
    const [h, p, sig] = s.cred.jwt.split('.');
    const json = fromB64u(p).toString('utf8');
    const at = json.indexOf('"validFrom":"') + '"validFrom":"'.length + 2; // a digit of the year
    assert(at > 15, 'no validFrom to tamper with');
    const changed = json.slice(0, at) + (json[at] === '9' ? '8' : '9') + json.slice(at + 1);
    s.tampered = `${h}.${b64u(changed)}.${sig}`;
    await expectThrow(() => jose.jwtVerify(s.tampered, jwks, vopts),
      (e) => e instanceof jose.errors.JWSSignatureVerificationFailed, 'tampered payload');
  });
  await check('jose refuses the token with alg edited to ES256 / HS256 (JOSEAlgNotAllowed)', async () => {
    const [h, p, sig] = s.cred.jwt.split('.');
    for (const alg of ['ES256', 'HS256']) {
      const edited = `${b64u(JSON.stringify({ ...jsonPart(h), alg }))}.${p}.${sig}`;
      await expectThrow(() => jose.jwtVerify(edited, jwks, vopts),
        (e) => e instanceof jose.errors.JOSEAlgNotAllowed, `alg ${alg}`);
      await expectThrow(() => jose.jwtVerify(edited, jwks, { typ: 'vc+jwt' }), null, `alg ${alg} without an allow-list`);
      if (alg === 'HS256') s.algEdited = edited;
    }
  });
  await check('server /verify: the vc+jwt is valid, every applicable check passes', async () => {
    const r = await api('POST', '/api/v1/credentials/verify', { body: { credential: s.cred.jwt } });
    eq(r.valid, true, `valid (${r.reason})`);
    eq(r.format, 'vc+jwt', 'format');
    for (const c of r.checks) assert(c.result !== 'fail', `check ${c.name} failed: ${c.reason} ${c.detail}`);
  });
  await check('server /verify agrees: tampered → signature, alg edited → alg', async () => {
    const t = await api('POST', '/api/v1/credentials/verify', { body: { credential: s.tampered } });
    eq([t.valid, t.reason], [false, 'signature'], 'tampered payload verdict');
    const a = await api('POST', '/api/v1/credentials/verify', { body: { credential: s.algEdited } });
    eq([a.valid, a.reason], [false, 'alg'], 'alg HS256 verdict');
  });

  // c. SD-JWT VC with @sd-jwt/sd-jwt-vc.
  s.citizen = await check('sign in as the citizen', () =>
    signIn({ resident_id: CITIZEN, password: PASSWORD }), { required: true });
  const holder = crypto.generateKeyPairSync('ed25519');
  const holderJwk = holder.publicKey.export({ format: 'jwk' });
  s.sd = await check('POST /api/v1/credentials/{id}/sd-jwt with the wallet\'s Ed25519 JWK', async () => {
    const r = await api('POST', `/api/v1/credentials/${s.cred.id}/sd-jwt`, {
      token: s.citizen, body: { holder_jwk: { kty: holderJwk.kty, crv: holderJwk.crv, x: holderJwk.x } },
    }, [200, 201]);
    assert(typeof r.sd_jwt === 'string' && r.sd_jwt.endsWith('~'), `sd_jwt must be <JWT>~<disclosure>~…~ (RFC 9901 §4), server sent …${String(r.sd_jwt).slice(-40)}`);
    return r;
  }, { required: true });

  const sdHeader = jsonPart(s.sd.sd_jwt.split('~')[0].split('.')[0]);
  const sdPayloadRaw = jsonPart(s.sd.sd_jwt.split('~')[0].split('.')[1]);
  // The SD-JWT VC way to find the issuer's keys: <iss host>/.well-known/jwt-vc-issuer<iss path>.
  s.issuerKeys = await check('SD-JWT VC issuer metadata (/.well-known/jwt-vc-issuer/…) names iss and its keys', async () => {
    const iss = new URL(sdPayloadRaw.iss);
    const md = await api('GET', `${iss.origin}/.well-known/jwt-vc-issuer${iss.pathname.replace(/\/$/, '')}`);
    eq(md.issuer, sdPayloadRaw.iss, 'metadata issuer vs iss');
    const set = md.jwks || (md.jwks_uri && await api('GET', md.jwks_uri));
    assert(set && Array.isArray(set.keys), `no jwks or jwks_uri in ${JSON.stringify(md).slice(0, 300)}`);
    return set.keys;
  }) || (await api('GET', '/.well-known/jwks.json')).keys;

  const keyFor = (kid) => {
    const k = s.issuerKeys.find((x) => x.kid === kid);
    if (!k) throw new Error(`kid ${kid} is not in the issuer's JWKS`);
    return crypto.createPublicKey({ key: k, format: 'jwk' });
  };
  const issuerVerifier = (expectTyp) => (data, sig) => {
    const header = jsonPart(data.split('.')[0]);
    if (header.alg !== 'EdDSA') throw new Error(`issuer JWT alg ${header.alg}, expected EdDSA`);
    if (header.typ !== expectTyp) throw new Error(`issuer JWT typ ${header.typ}, expected ${expectTyp}`);
    return crypto.verify(null, Buffer.from(data), keyFor(header.kid), fromB64u(sig));
  };
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    signAlg: 'EdDSA',
    verifier: issuerVerifier('dc+sd-jwt'),
    statusVerifier: issuerVerifier('statuslist+jwt'),
    kbSignAlg: 'EdDSA',
    kbSigner: (data) => b64u(crypto.sign(null, Buffer.from(data), holder.privateKey)),
    kbVerifier: (data, sig, payload) => {
      const jwk = payload && payload.cnf && payload.cnf.jwk;
      if (!jwk) throw new Error('no cnf.jwk in the SD-JWT');
      return crypto.verify(null, Buffer.from(data), crypto.createPublicKey({ key: jwk, format: 'jwk' }), fromB64u(sig));
    },
  });

  s.decoded = await check('the library decodes the SD-JWT: dc+sd-jwt header, sha-256, cnf is the wallet key, every field a disclosure', async () => {
    const d = await sdjwt.decode(s.sd.sd_jwt);
    eq([sdHeader.alg, sdHeader.typ], ['EdDSA', 'dc+sd-jwt'], 'SD-JWT header alg, typ');
    const key = s.issuerKeys.find((k) => k.kid === sdHeader.kid);
    assert(key, `SD-JWT kid ${sdHeader.kid} is not among the issuer's keys`);
    eq(await jose.calculateJwkThumbprint(key, 'sha256'), sdHeader.kid, 'SD-JWT kid vs RFC 7638 thumbprint');
    eq(sdPayloadRaw._sd_alg, 'sha-256', '_sd_alg');
    eq(sdPayloadRaw.iss, s.issuer, 'iss');
    assert(typeof sdPayloadRaw.vct === 'string' && sdPayloadRaw.vct, 'no vct');
    assert(Number.isInteger(sdPayloadRaw.iat), 'iat must be a NumericDate');
    eq(sdPayloadRaw.cnf && sdPayloadRaw.cnf.jwk && [sdPayloadRaw.cnf.jwk.kty, sdPayloadRaw.cnf.jwk.crv, sdPayloadRaw.cnf.jwk.x],
      ['OKP', 'Ed25519', holderJwk.x], 'cnf.jwk (the wallet key)');
    for (const f of Object.keys(s.claims)) assert(!(f in sdPayloadRaw), `field ${f} is in plain view, not a disclosure`);
    const claims = await sdjwt.getClaims(s.sd.sd_jwt);
    for (const [k, v] of Object.entries(s.claims)) eq(claims[k], v, `disclosed claim ${k}`);
    eq((await sdjwt.presentableKeys(s.sd.sd_jwt)).sort(), Object.keys(s.claims).sort(), 'selectively disclosable keys');
    eq(d.disclosures.length, Object.keys(s.claims).length, 'number of disclosures');
    for (const x of s.sd.disclosures || []) {
      const arr = jsonPart(x.disclosure);
      eq([arr.length, arr[1], arr[2]], [3, x.name, x.value], `the answer's disclosure for ${x.name}`);
    }
    return d;
  });
  await check('the library verifies the issued SD-JWT (issuer signature via JWKS, token status list)', () =>
    sdjwt.verify(s.sd.sd_jwt));

  const names = Object.keys(s.claims);
  // Two fields to show: a name and, if the type has one, a date (a value that is not just text).
  const first = names.find((n) => /name/.test(n)) || names[0];
  const chosen = [first, s.type.fields.find((f) => f.type === 'date' && f.name !== first)?.name || names.find((n) => n !== first)];
  const audience = 'https://verifier.example/interop';
  const nonce = b64u(crypto.randomBytes(16));
  s.presentation = await check(`the library presents only ${chosen.join(', ')} with a KB-JWT (aud, nonce)`, async () => {
    assert(chosen[0] && chosen[1] && chosen[0] !== chosen[1], `the type needs two fields, has ${names.join(', ')}`);
    return sdjwt.present(s.sd.sd_jwt, { [chosen[0]]: true, [chosen[1]]: true }, {
      kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: audience, nonce } },
    });
  }, { required: true });
  await check('the library verifies the presentation, key binding required; exactly the two claims + the always-visible ones', async () => {
    const r = await sdjwt.verify(s.presentation, { keyBindingNonce: nonce });
    const alwaysVisible = Object.keys(sdPayloadRaw).filter((k) => k !== '_sd' && k !== '_sd_alg');
    for (const k of ['iss', 'vct', 'iat', 'cnf', 'status']) assert(alwaysVisible.includes(k), `${k} is not always visible`);
    eq(Object.keys(r.payload).sort(), [...alwaysVisible, ...chosen].sort(), 'claims after disclosure');
    for (const k of chosen) eq(r.payload[k], s.claims[k], k);
    assert(r.kb, 'no key binding result');
    eq([r.kb.header.typ, r.kb.payload.aud, r.kb.payload.nonce], ['kb+jwt', audience, nonce], 'KB-JWT typ, aud, nonce');
  });
  await check('server /verify accepts the presentation (same aud, nonce); key_binding passes; only the two claims', async () => {
    const r = await api('POST', '/api/v1/credentials/verify', { body: { credential: s.presentation, audience, nonce } });
    eq(r.valid, true, `valid (reason ${r.reason}; checks ${JSON.stringify(r.checks)})`);
    const kb = r.checks.find((c) => c.name === 'key_binding');
    eq(kb && kb.result, 'pass', 'key_binding check');
    eq(r.checks.find((c) => c.name === 'disclosures')?.result, 'pass', 'disclosures check');
    eq(Object.keys(r.credential.claims).sort(), [...chosen].sort(), 'claims the server shows');
  });
  await check('server /verify: wrong nonce → nonce, wrong audience → audience', async () => {
    const n = await api('POST', '/api/v1/credentials/verify', { body: { credential: s.presentation, audience, nonce: 'other' } });
    eq([n.valid, n.reason], [false, 'nonce'], 'wrong nonce verdict');
    const a = await api('POST', '/api/v1/credentials/verify', { body: { credential: s.presentation, audience: 'https://other.example', nonce } });
    eq([a.valid, a.reason], [false, 'audience'], 'wrong audience verdict');
  });
  await check('the library refuses the presentation with its KB-JWT dropped (key binding required)', async () => {
    const withoutKb = s.presentation.slice(0, s.presentation.lastIndexOf('~') + 1);
    await expectThrow(() => sdjwt.verify(withoutKb, { keyBindingNonce: nonce }),
      (e) => /Key Binding JWT not exist/i.test(e.message), 'no KB-JWT');
    const r = await api('POST', '/api/v1/credentials/verify', { body: { credential: withoutKb, audience, nonce } });
    eq([r.valid, r.reason], [false, 'key_binding_missing'], 'server verdict without KB-JWT');
  });
  await check('a made-up disclosure (not issued) is refused', async () => {
    const fakeName = names.find((n) => !chosen.includes(n)) || 'extra';
    const fake = b64u(JSON.stringify([generateSalt(16), fakeName, 'forged']));
    const cut = s.presentation.lastIndexOf('~');
    const prefix = s.presentation.slice(0, cut + 1); // <JWT>~<d1>~<d2>~
    // (1) the made-up disclosure slipped in, the wallet's KB-JWT kept: sd_hash no longer matches.
    const keptKb = `${prefix}${fake}~${s.presentation.slice(cut + 1)}`;
    await expectThrow(() => sdjwt.verify(keptKb, { keyBindingNonce: nonce }), null, 'made-up disclosure, original KB-JWT');
    // (2) the holder itself adds it and signs a fresh KB-JWT over it: only the digests in the
    // issuer-signed JWT can catch it (RFC 9901 §7.1: a Disclosure not referenced → reject).
    const forged = `${prefix}${fake}~`;
    const kbJwt = await new jose.SignJWT({ nonce, aud: audience, sd_hash: b64u(crypto.createHash('sha256').update(forged).digest()) })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'kb+jwt' }).setIssuedAt().sign(holder.privateKey);
    let accepted;
    let refusal;
    try { accepted = await sdjwt.verify(forged + kbJwt, { keyBindingNonce: nonce }); } catch (e) { refusal = e; }
    if (refusal) {
      assert(/disclosure|digest/i.test(refusal.message), `the library refused the made-up disclosure for another reason: ${refusal.message}`);
      console.log(`     the library: ${refusal.message}`);
    } else {
      assert(accepted.payload[fakeName] !== 'forged', `the library took the made-up ${fakeName} as a claim`);
      note(`@sd-jwt/sd-jwt-vc accepted a presentation with a made-up disclosure and a fresh KB-JWT, ignoring the unreferenced disclosure (RFC 9901 §7.1 says reject); the made-up claim was not surfaced`);
    }
    for (const [what, cred, reasons] of [['original KB-JWT', keptKb, ['disclosure_not_issued', 'sd_hash']],
      ['fresh KB-JWT', forged + kbJwt, ['disclosure_not_issued']]]) {
      const r = await api('POST', '/api/v1/credentials/verify', { body: { credential: cred, audience, nonce } });
      assert(r.valid === false && reasons.includes(r.reason), `server verdict on a made-up disclosure with the ${what}: expected valid false, reason ${reasons.join(' or ')}; server sent valid ${r.valid}, reason ${r.reason}`);
    }
  });

  // d. Status lists.
  const fetchList = async (url, accept) => {
    const r = await http('GET', url, { headers: { accept, 'cache-control': 'no-cache' } });
    if (r.status !== 200) fail(`GET ${url}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    return r;
  };
  const index = s.cred.status_list.index;
  const bitstring = async (purpose) => {
    const entry = s.statusEntries && s.statusEntries[purpose];
    assert(entry, `no ${purpose} entry`);
    const r = await fetchList(entry.statusListCredential, 'application/vc+jwt');
    const ct = r.headers.get('content-type') || '';
    assert(ct.startsWith('application/vc+jwt'), `content-type of the status list credential: expected application/vc+jwt, server sent ${ct}`);
    const { payload, protectedHeader } = await jose.jwtVerify(r.text.trim(), jwks, vopts);
    assert([].concat(payload.type).includes('BitstringStatusListCredential'), `type: ${JSON.stringify(payload.type)}`);
    assert(Array.isArray(payload['@context']) && payload['@context'][0] === VC_V2, `@context: ${JSON.stringify(payload['@context'])}`);
    const cs = payload.credentialSubject;
    eq(cs && cs.type, 'BitstringStatusList', 'credentialSubject.type');
    eq(cs.statusPurpose, purpose, 'credentialSubject.statusPurpose');
    if (payload.id !== entry.statusListCredential) note(`status list credential id ${payload.id} differs from the URL it was fetched from ${entry.statusListCredential}`);
    const bits = decodeBitstring(cs.encodedList);
    return { bits, cacheControl: r.headers.get('cache-control'), protectedHeader };
  };
  // The certificate's state as both lists tell it: [revocation bit, suspension bit] of the W3C
  // lists (most significant bit first) and the Token Status List value (least significant first).
  const w3cBits = async () => {
    const out = [];
    for (const purpose of ['revocation', 'suspension']) {
      const { bits } = await bitstring(purpose);
      assert(index < bits.length * 8, `index ${index} beyond the ${purpose} list`);
      out.push(bitMsbFirst(bits, index));
    }
    return out;
  };
  const expectW3c = async (expected, when) => {
    const got = await w3cBits();
    if (isDeepStrictEqual(got, expected)) return;
    const purposes = ['revocation', 'suspension'];
    const why = [];
    for (const [i, purpose] of purposes.entries()) {
      if (got[i] === expected[i]) continue;
      const { bits } = await bitstring(purpose);
      why.push(expected[i] === 1 && bitLsbFirst(bits, index) === 1
        ? `the ${purpose} bit ${index} is set least-significant-bit first; the W3C Bitstring Status List wants index 0 as the most significant bit of the first byte`
        : `the ${purpose} bit ${index} is ${got[i]}, expected ${expected[i]}`);
    }
    fail(`${when}: ${why.join('; ')} (lists fetched with Cache-Control: no-cache; the server sent Cache-Control: ${s.cacheControl}; Node's fetch keeps no HTTP cache)`);
  };
  await check('bitstring status lists (revocation, suspension): jose verifies vc+jwt; GZIP, ≥131,072 bits; bit is 0', async () => {
    for (const purpose of ['revocation', 'suspension']) {
      const { bits, cacheControl } = await bitstring(purpose);
      assert(bits.length * 8 >= MIN_BITS, `${purpose} list has ${bits.length * 8} bits, the spec's minimum is ${MIN_BITS}`);
      if (purpose === 'revocation') {
        s.cacheControl = cacheControl;
        console.log(`     Cache-Control of the status list: ${cacheControl}`);
      }
    }
    await expectW3c([0, 0], 'before any change');
  });
  const tokenList = async () => {
    const ref = sdPayloadRaw.status && sdPayloadRaw.status.status_list;
    assert(ref && typeof ref.uri === 'string' && Number.isInteger(ref.idx), `SD-JWT status.status_list: ${JSON.stringify(sdPayloadRaw.status)}`);
    const r = await fetchList(ref.uri, 'application/statuslist+jwt');
    const ct = r.headers.get('content-type') || '';
    assert(ct.startsWith('application/statuslist+jwt'), `content-type: expected application/statuslist+jwt, server sent ${ct}`);
    const { payload } = await jose.jwtVerify(r.text.trim(), jwks, { algorithms: ['EdDSA'], typ: 'statuslist+jwt' });
    eq(payload.sub, ref.uri, 'Token Status List sub vs the referenced uri');
    assert(Number.isInteger(payload.iat), 'iat');
    const bits = payload.status_list && payload.status_list.bits;
    assert([1, 2, 4, 8].includes(bits), `status_list.bits must be 1, 2, 4 or 8, server sent ${bits}`);
    const bytes = decodeTokenList(payload.status_list.lst);
    assert(bytes.length * 8 >= (ref.idx + 1) * bits, `idx ${ref.idx} beyond the list`);
    // Draft §4.1: entry i occupies bits i*bits … i*bits+bits-1, counted from the least significant bit.
    const at = ref.idx * bits;
    const lsb = (bytes[at >> 3] >> (at & 7)) & ((1 << bits) - 1);
    const msb = (bytes[at >> 3] >> (8 - (at & 7) - bits)) & ((1 << bits) - 1);
    return { ref, bits, status: lsb, statusIfMsbFirst: msb };
  };
  const expectToken = async (expected, when) => {
    const t = await tokenList();
    const want = typeof expected === 'function' ? expected(t.bits) : expected;
    if (t.status !== want) {
      fail(`${when}: Token Status List entry ${t.ref.idx} is 0x${t.status.toString(16).padStart(2, '0')}, expected 0x${want.toString(16).padStart(2, '0')}${
        t.statusIfMsbFirst === want ? ' (the expected value is there when read most significant bit first; the draft wants least significant first)' : ''}`);
    }
    return t;
  };
  await check('IETF Token Status List: jose verifies statuslist+jwt; ZLIB/DEFLATE; entry is 0x00 VALID', async () => {
    const t = await expectToken(0, 'before any change');
    eq(t.ref.idx, index, 'status.status_list.idx vs the certificate\'s index');
    note(`the Token Status List has ${t.bits} bits per entry (0 valid, 1 revoked, 2 suspended)`);
  });

  const setStatus = (action, expected) => check(`cab.approver: ${action}`, async () => {
    const r = await api('POST', `/api/v1/credentials/${s.cred.id}/status`, {
      token: s.approver, body: { action, reason: `interop test: ${action}` },
    }, [200]);
    eq(r.status, expected, `status after ${action}`);
  }, { required: true });
  const serverVerdict = async (valid, reason) => {
    const r = await api('POST', '/api/v1/credentials/verify', { body: { credential: s.cred.jwt } });
    eq([r.valid, r.reason ?? null], [valid, reason], 'server verdict on the vc+jwt');
    eq(r.checks.find((c) => c.name === 'status')?.result, valid ? 'pass' : 'fail', 'status check');
    eq(r.checks.find((c) => c.name === 'signature')?.result, 'pass', 'signature check');
  };
  const libraryRefuses = () => expectThrow(() => sdjwt.verify(s.presentation, { keyBindingNonce: nonce }),
    (e) => /status/i.test(e.message), 'the presentation of a certificate whose status is not valid');

  // Suspend, then reinstate: the suspension bit and the token status go up and come down.
  await setStatus('suspend', 'suspended');
  await check('suspended: suspension bit set (MSB first), revocation bit 0', () => expectW3c([0, 1], 'after suspend'));
  await check('suspended: Token Status List entry is 0x02 SUSPENDED (0x01 if bits is 1)', () =>
    expectToken((bits) => (bits >= 2 ? 2 : 1), 'after suspend'));
  await check('suspended: the library\'s SD-JWT VC verification fails on the status', libraryRefuses);
  await check('suspended: server /verify answers valid false, reason suspended', () => serverVerdict(false, 'suspended'));
  await setStatus('reinstate', 'valid');
  await check('reinstated: both bits 0, Token Status List 0x00, the library and the server accept again', async () => {
    await expectW3c([0, 0], 'after reinstate');
    await expectToken(0, 'after reinstate');
    await sdjwt.verify(s.presentation, { keyBindingNonce: nonce });
    await serverVerdict(true, null);
  });

  // Revoke: final.
  await setStatus('revoke', 'revoked');
  await check('revoked: revocation bit set (MSB first), suspension bit 0', () => expectW3c([1, 0], 'after revoke'));
  await check('revoked: Token Status List entry is 0x01 INVALID', () => expectToken(1, 'after revoke'));
  await check('revoked: the library\'s SD-JWT VC verification fails on the status', libraryRefuses);
  await check('revoked: server /verify on the vc+jwt answers valid false, reason revoked', () => serverVerdict(false, 'revoked'));
}

try {
  await main();
} catch (e) {
  if (!(e instanceof Fatal)) { failed++; console.log(`FAIL unexpected: ${e.stack}`); }
  else console.log(`stopped: "${e.message}" is needed by the rest`);
}
for (const n of notes) console.log(`note ${n}`);
console.log(`interop: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
