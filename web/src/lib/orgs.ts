// The organisation tree's names, read once per session (it is small and changes rarely), so that
// any page can show a department by its id in the chosen language.
import { reactive } from 'vue'
import { api, type Page } from '@/api/client'
import type { Org } from '@/api/session'
import { localName } from './format'

const byId = reactive(new Map<string, Org>())
let loading: Promise<void> | null = null

export function loadOrgs(): Promise<void> {
  if (!loading) {
    loading = (async () => {
      let cursor: string | undefined
      do {
        const page = await api.get<Page<Org>>('/orgs', { limit: 200, cursor })
        for (const o of page.items) byId.set(o.id, o)
        cursor = page.next_cursor ?? undefined
      } while (cursor)
    })().catch((e) => {
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
