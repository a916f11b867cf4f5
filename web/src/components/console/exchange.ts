// What the catalog and exchange pages of the console share: the API's shapes, the rules the
// server checks (so that forms refuse what it would refuse), problem pointers mapped to form
// items, the resources named by id in lists, and lists split by which side of the exchange the
// department is on (the API lists both sides together).
import { reactive } from 'vue'
import { api, ApiError, type Page } from '@/api/client'
import { session } from '@/api/session'
import { localName, isZh } from '@/lib/format'

export interface CatalogField {
  name: string
  type: string
  description_zh: string
  description_en: string
  sensitivity: string
  masking: string
  code_list?: string
}

export interface Resource {
  id: string
  org_id: string
  code: string
  name_zh: string
  name_en: string
  description_zh: string
  description_en: string
  subject_kind: string
  fields: CatalogField[]
  sharing: string
  open_class: string
  update_frequency: string
  source: string
  connector_url: string | null
  consent_required: boolean
  version: number
  created_at: string
  updated_at: string
}

export interface ResourceVersion {
  version: number
  changed_by: string
  changed_at: string
  resource: Resource
}

export interface LoadError {
  row: number
  column: string
  code: string
  params?: Record<string, string>
}

export interface Load {
  id: string
  resource_id: string
  format: string
  status: string
  rows_total: number
  rows_done: number
  rows_bad: number
  errors: LoadError[]
  digest: string
  started_by: string
  started_at: string
  finished_at: string | null
}

export interface SharingRequest {
  id: string
  resource_id: string
  owner_org_id: string
  requester_org_id: string
  fields: string[]
  unmask: string[]
  purpose: string
  legal_basis: string
  service_items: string
  duration_days: number
  status: string
  reason: string | null
  requested_by: string
  requested_at: string
  decided_by: string | null
  decided_at: string | null
  grant_id: string | null
}

export interface Grant {
  id: string
  request_id: string
  resource_id: string
  owner_org_id: string
  requester_org_id: string
  fields: string[]
  unmask: string[]
  purpose: string
  legal_basis: string
  granted_by: string
  granted_at: string
  expires_at: string
  state: string
  revoked_at: string | null
  revoked_by: string | null
  revoke_reason: string | null
}

export interface Receipt {
  index: number | null
  leaf_hash: string
  tree_size?: number
  root?: string
  url: string | null
}

export interface OrgRef {
  id: string
  name_zh?: string
  name_en?: string
}

export interface Access {
  id: string
  at: string
  resource_id: string
  resource_code: string
  resource_name_zh?: string
  resource_name_en?: string
  owner: OrgRef
  requester: OrgRef
  accessor_role: string
  accessor_id?: string
  grant_id?: string | null
  latency_micros?: number
  fields: string[]
  purpose: string
  application: string | null
  outcome: string
  reason: string | null
  receipt: Receipt | null
}

export interface QueryAnswer {
  access_id: string
  resource_id: string
  resource_code: string
  grant_id: string
  purpose: string
  fields: string[]
  values: Record<string, unknown>
  receipt: Receipt
}

// ----- the server's rules ------------------------------------------------------------------

export const SUBJECT_KINDS = ['person', 'company', 'none']
export const SHARING = ['unconditional', 'conditional', 'not_shared']
export const OPEN_CLASSES = ['open', 'conditional', 'closed']
export const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular']
export const SOURCES = ['hosted', 'connector']
export const FIELD_TYPES = ['string', 'integer', 'decimal', 'date', 'boolean', 'code']
export const SENSITIVITIES = ['public', 'internal', 'personal', 'sensitive']
export const MASKINGS = ['none', 'name', 'phone', 'id_number', 'all']
export const REQUEST_STATUSES = ['pending', 'granted', 'refused', 'withdrawn']
export const GRANT_STATES = ['active', 'expired', 'revoked']
export const OUTCOMES = ['served', 'refused', 'not_found', 'unavailable']
export const LOAD_FINAL = ['done', 'refused', 'failed']
export const MAX_DURATION_DAYS = 3650

export const CODE_RE = /^[A-Z0-9-]{2,64}$/
export const FIELD_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/
export const PURPOSE_RE = /^[a-z][a-z0-9_]{2,63}$/

// Lengths as the server counts them: Unicode code points, not UTF-16 units.
export function chars(s: string): number {
  return [...s].length
}

export function isPersonal(sensitivity: string): boolean {
  return sensitivity === 'personal' || sensitivity === 'sensitive'
}

const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const RESIDENT_CHECK = '10X98765432'
const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

// GB 11643: 17 digits, a real past birth date, the check character.
export function residentIdOk(id: string): boolean {
  if (!/^[1-9]\d{16}[\dX]$/.test(id)) return false
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false
  if (date.getTime() > Date.now()) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * RESIDENT_WEIGHTS[i]
  return RESIDENT_CHECK[sum % 11] === id[17]
}

// GB 32100: 18 of the code alphabet, a region code in characters 3 to 8, the check character.
export function creditCodeOk(code: string): boolean {
  if (code.length !== 18) return false
  for (const c of code) if (!CREDIT_ALPHABET.includes(c)) return false
  if (!/^\d{6}$/.test(code.slice(2, 8))) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_ALPHABET.indexOf(code[i]) * CREDIT_WEIGHTS[i]
  const check = 31 - (sum % 31)
  return CREDIT_ALPHABET[check === 31 ? 0 : check] === code[17]
}

// ----- problems ------------------------------------------------------------------------------

// Every message of a problem by its whole pointer ("fields/2/code_list") or query parameter,
// so that a row of a list in a form shows its own error; the first segment gets one too.
export function pointerErrors(e: ApiError): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of e.problem.errors ?? []) {
    const key = p.pointer !== undefined ? p.pointer.replace(/^\//, '') : (p.parameter ?? '')
    if (!(key in out)) out[key] = p.detail
    const first = key.split('/')[0]
    if (first !== key && !(first in out)) out[first] = p.detail
  }
  return out
}

// The message for the page when a problem is not about one form item.
export function problemText(e: unknown, network: string): string {
  if (e instanceof ApiError) return e.status === 0 ? network : e.problem.detail || e.problem.title || e.problem.code
  return String(e)
}

// ----- resources by id -------------------------------------------------------------------------

const resources = reactive(new Map<string, Resource>())
const pending = new Map<string, Promise<Resource | undefined>>()

export function rememberResource(r: Resource) {
  resources.set(r.id, r)
}

export function cachedResource(id: string | null | undefined): Resource | undefined {
  return id ? resources.get(id) : undefined
}

export function fetchResource(id: string): Promise<Resource | undefined> {
  const known = resources.get(id)
  if (known) return Promise.resolve(known)
  let p = pending.get(id)
  if (!p) {
    p = api
      .get<Resource>(`/catalog/resources/${encodeURIComponent(id)}`)
      .then((r) => {
        resources.set(r.id, r)
        return r
      })
      .catch(() => undefined)
      .finally(() => pending.delete(id))
    pending.set(id, p)
  }
  return p
}

// Names the resources a list shows, fetched once each.
export function fetchResources(ids: Iterable<string>) {
  for (const id of new Set(ids)) if (id && !resources.has(id)) void fetchResource(id)
}

export function resourceName(id: string): string {
  const r = resources.get(id)
  return r ? localName(r) : ''
}

// A field's description in the chosen language, or its name.
export function fieldLabel(r: Resource | undefined, name: string): string {
  const f = r?.fields.find((x) => x.name === name)
  if (!f) return name
  return (isZh() ? f.description_zh : f.description_en) || f.description_zh || f.description_en || name
}

export function fieldOf(r: Resource | undefined, name: string): CatalogField | undefined {
  return r?.fields.find((x) => x.name === name)
}

// ----- the two sides of the exchange ---------------------------------------------------------

export type Side = 'owner' | 'requester' | 'all'
type Query = Record<string, string | number | undefined>

// A department sees requests and grants on both sides in one list; the pages show one side at a
// time. Pages are read until one holds a row of the side asked for, and the total is what is
// known: exact once the list is read to its end, at most the API's count before.
export function sidePager<T extends { owner_org_id: string; requester_org_id: string }>(
  path: string,
  side: () => Side,
  query: () => Query,
) {
  let state = { consumed: 0, matched: 0 }
  return async (cursor: string | undefined): Promise<Page<T>> => {
    if (!cursor) state = { consumed: 0, matched: 0 }
    const mine = state
    const org = session.account?.org_id ?? ''
    const s = side()
    const key = s === 'owner' ? 'owner_org_id' : 'requester_org_id'
    const items: T[] = []
    let next: string | undefined = cursor
    let page: Page<T>
    do {
      page = await api.get<Page<T>>(path, { ...query(), limit: 100, cursor: next })
      mine.consumed += page.items.length
      for (const it of page.items) if (s === 'all' || it[key] === org) items.push(it)
      next = page.next_cursor ?? undefined
    } while (items.length === 0 && next)
    mine.matched += items.length
    const total = s === 'all' ? page.total : mine.matched + Math.max(0, page.total - mine.consumed)
    return { items, total, next_cursor: page.next_cursor }
  }
}

// Auditors and platform administrators see every department's side at once.
export function seesAll(): boolean {
  const a = session.account
  return !!a && a.kind === 'staff' && a.roles.some((r) => r === 'auditor' || r === 'platform_admin')
}
