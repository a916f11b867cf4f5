// The organisation tree's names, read once per session (it is small and changes rarely), so that
// any page can show a department by its id in the chosen language; and whole filtered lists of
// organisations for the pages' choices, read page by page with the API's cursors.
import { reactive, shallowRef, type Ref } from 'vue'
import { api, type Page } from '@/api/client'
import { hasRole, session, type Org } from '@/api/session'
import { localName } from './format'

// GET /orgs's filters.
export interface OrgFilter {
  within?: string
  kind?: string
  level?: string
  q?: string
  sort?: string
}

// Every organisation the filter matches, all pages of them.
export async function loadOrgList<T extends Org = Org>(filter: OrgFilter = {}): Promise<T[]> {
  const all: T[] = []
  let cursor: string | undefined
  do {
    const page = await api.get<Page<T>>('/orgs', { ...filter, limit: 200, cursor })
    all.push(...page.items)
    cursor = page.next_cursor ?? undefined
  } while (cursor)
  return all
}

// The organisations the caller may choose (a list's filter, a new account's), by level: every one
// for a platform administrator, the caller's own subtree for anyone else. Empty until they are
// read, and when they cannot be.
export function useOrgChoices(): Readonly<Ref<Org[]>> {
  const orgs = shallowRef<Org[]>([])
  const within = hasRole('platform_admin') ? undefined : (session.account?.org_id ?? undefined)
  loadOrgList({ within, sort: 'level' })
    .then((all) => (orgs.value = all))
    .catch(() => undefined)
  return orgs
}

const byId = reactive(new Map<string, Org>())
let loading: Promise<void> | null = null

export function loadOrgs(): Promise<void> {
  if (!loading) {
    loading = loadOrgList()
      .then((all) => {
        for (const o of all) byId.set(o.id, o)
      })
      .catch((e) => {
        loading = null
        throw e
      })
  }
  return loading
}

export function forgetOrgs() {
  byId.clear()
  loading = null
}

export function orgById(id: string | null | undefined): Org | undefined {
  return id ? byId.get(id) : undefined
}

// The department's name in the chosen language, or the id while the names are not loaded.
export function orgName(id: string | null | undefined): string {
  const o = orgById(id)
  return o ? localName(o) : (id ?? '')
}
