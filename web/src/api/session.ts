// Who is signed in, shared by every page. The session itself is the HttpOnly cookie; the page
// keeps only the account and the CSRF token that /me and sign-in hand out.
import { reactive } from 'vue'
import { api, ApiError, setCsrfToken } from './client'

export interface Org {
  id: string
  code: string
  name_zh: string
  name_en: string
  level: string
  kind: string
  parent_id: string | null
  path?: string
}

export interface Account {
  id: string
  kind: 'staff' | 'citizen' | 'company' | 'machine'
  username: string | null
  display_name: string
  resident_id_masked: string | null
  credit_code: string | null
  company_name: string | null
  org_id: string | null
  roles: string[]
  status: string
  created_at: string
  updated_at: string
  org?: Org
  credential?: string
  csrf_token?: string
}

export const session = reactive({
  loaded: false,
  account: null as Account | null,
})

export async function loadSession(): Promise<Account | null> {
  try {
    const me = await api.get<Account>('/me')
    setCsrfToken(me.csrf_token ?? '')
    session.account = me
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e
    session.account = null
    setCsrfToken('')
  } finally {
    session.loaded = true
  }
  return session.account
}

export async function signIn(identifier: { username?: string; resident_id?: string }, password: string) {
  const res = await api.post<{ csrf_token: string; account: Account }>('/sessions', { ...identifier, password })
  setCsrfToken(res.csrf_token)
  return loadSession()
}

export async function signOut() {
  try {
    await api.del('/sessions/current')
  } finally {
    session.account = null
    setCsrfToken('')
  }
}

export function isPerson(a: Account | null = session.account): boolean {
  return !!a && (a.kind === 'citizen' || a.kind === 'company')
}

export function hasRole(...roles: string[]): boolean {
  const a = session.account
  return !!a && a.kind === 'staff' && a.roles.some((r) => roles.includes(r))
}
