// What the catalog and exchange pages of the console share: the checks of subject identifiers
// the server makes (so that forms refuse what it would refuse), problem pointers mapped to form
// items, the resources named by id in lists, and lists of one side of the exchange (the
// department as holder or as requester). The API's shapes are in api/types.ts.
import { reactive, watch } from 'vue'
import { api, type ApiError, type Page } from '@/api/client'
import { session } from '@/api/session'
import type { CatalogField, Resource, SharingTerms } from '@/api/types'
import { localDescription, localName } from '@/lib/format'
import { usePaged } from '@/lib/paging'

// ----- the server's rules ------------------------------------------------------------------

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
  return localDescription(r?.fields.find((x) => x.name === name)) || name
}

export function fieldOf(r: Resource | undefined, name: string): CatalogField | undefined {
  return r?.fields.find((x) => x.name === name)
}

// ----- the two sides of the exchange ---------------------------------------------------------

// A department is on the holding side of a request or grant, or on the requesting side; the API
// keeps one of them with `side` (and counts only it), 'all' asks for both.
export type Side = 'holder' | 'requester' | 'all'
type Query = Record<string, string | number | undefined>

// The lists of a page with a tab per side (requests sent and to decide; grants received, given,
// or all of them): a paged list for each tab, read when the tab is first shown (`loadOnce`) or
// searched again (`load`), whose rows' resources are fetched to be named. A side is the
// caller's own department's (the server takes it for most roles; auditors and platform
// administrators name it, or the side would be ignored).
export function useSideLists<Tab extends string, T extends SharingTerms>(path: string, sides: Record<Tab, Side>, query: (tab: Tab) => Query) {
  const lists = {} as Record<Tab, ReturnType<typeof usePaged<T>>>
  const loaded = {} as Record<Tab, boolean>
  for (const tab of Object.keys(sides) as Tab[]) {
    const side = sides[tab]
    lists[tab] = usePaged<T>((cursor) => {
      const own = side === 'all' ? {} : { side, org_id: session.account?.org_id ?? undefined }
      return api.get<Page<T>>(path, { ...query(tab), ...own, limit: 50, cursor })
    })
    loaded[tab] = false
    watch(lists[tab].items, (items) => fetchResources(items.map((x) => x.resource_id)))
  }
  function load(tab: Tab) {
    loaded[tab] = true
    return lists[tab].reload()
  }
  function loadOnce(tab: Tab) {
    if (!loaded[tab]) void load(tab)
  }
  return { lists, load, loadOnce }
}

// Auditors and platform administrators see every department's side at once.
export function seesAll(): boolean {
  const a = session.account
  return !!a && a.kind === 'staff' && a.roles.some((r) => r === 'auditor' || r === 'platform_admin')
}
