// An application as its applicant sees it (the portal's pages under /me/applications and
// /me/messages): the applications API's shapes, where each material belongs on the page (filled
// in for the applicant, to fill in, to upload), the problems the server names by pointer, the
// checks of a file before it is sent, and the count of unread messages the menu shows. The
// console's one-window pages (components/console/office.ts) share the shapes, the colours of
// statuses and clocks, the PUT requests and sizes from here.
import { reactive } from 'vue'
import { api, ApiError, request, type Page } from '@/api/client'
import type { Receipt, ServiceOrg } from '@/api/types'
import { i18n } from '@/i18n'
import { formatNumber } from './format'

export const APPLICATION_STATUSES = ['draft', 'submitted', 'returned', 'in_review', 'approved', 'rejected', 'withdrawn'] as const
// Lengths as the server allows them: a rating's comment, a form's text, a reason or comment.
export const MAX_TEXT = 500

export type ClockState = 'none' | 'on_time' | 'due_soon' | 'overdue' | 'stopped'

export interface Clock {
  state: ClockState
  due_on: string | null
  statutory_due_on: string | null
  days_left?: number
  paused_days: number
  working_days: number | null
}

export interface AppItem {
  id: string
  code: string
  name_zh: string
  name_en: string
  org: ServiceOrg
  certificates?: string[]
}

export interface AppFormField {
  name: string
  type: string // string, date, integer, boolean
  label_zh: string
  label_en: string
  required: boolean
}

export interface AppFile {
  id: string
  media_type: string
  size: number
  sha256: string
  uploaded_at?: string
}

export interface AppMaterial {
  code: string
  name_zh: string
  name_en: string
  source: string // resource, certificate, form, upload
  core: boolean
  items: string[] // item codes
  state: string // fetched, wallet, form, uploaded, missing
  refused: boolean
  values?: Record<string, unknown>
  fields?: string[]
  resource_code?: string
  resource_id?: string
  from_org?: ServiceOrg
  receipt?: Receipt | null
  fetched_at?: string
  credential_id?: string
  credential_type?: string
  form_fields?: AppFormField[]
  upload_types: string[]
  max_bytes: number
  file?: AppFile
  problem?: { code: string }
  correction?: string
}

export interface AppTask {
  id: string
  application_id: string
  application_number: string
  item_id: string
  item?: { id: string; code: string; name_zh: string; name_en: string } // the task queue only
  stage: number
  org_id: string
  org?: ServiceOrg
  status: string // waiting, open, approved, rejected, cancelled
  due_on: string | null
  clock: ClockState
  decided_by: string | null
  decided_at: string | null
  comment: string | null
  created_at: string
}

export interface AppEvent {
  id: string
  type: string
  actor_role: string
  org_id: string | null
  detail: Record<string, unknown>
  at: string
}

// One material the window's one-time notice asks to correct, and why.
export interface NoticeItem {
  material: string
  reason: string
}

export interface Application {
  id: string
  number: string
  status: string
  package_id: string | null
  items: AppItem[]
  lead_org: ServiceOrg
  lead_org_id: string
  org_ids: string[]
  applicant: { kind: string; name: string; subject_masked: string }
  channel: string
  visits: number
  materials?: AppMaterial[] // the detail only
  notice: { at: string; note: string; items: NoticeItem[] } | null
  deficiencies: string[]
  commitment: boolean
  clock: Clock
  statutory_days: number
  promised_days: number
  tasks?: AppTask[]
  history?: AppEvent[]
  rating?: { score: number; comment: string | null; rated_at: string } | null
  credential_ids: string[]
  reason: string | null
  made_at_window: boolean
  submitted_at: string | null
  accepted_at: string | null
  decided_at: string | null
  created_at: string
  updated_at: string
}

export interface AppMessage {
  id: string
  application_id: string
  application_number: string
  kind: string
  params: Record<string, unknown>
  created_at: string
  read_at: string | null
}

type Tag = 'success' | 'warning' | 'danger' | 'info' | 'primary'

// The colour of a status's tag (an application's, a task's, a rectification case's); the tag says
// the status in words too.
export function statusTag(status: string): Tag {
  switch (status) {
    case 'approved':
    case 'closed':
      return 'success'
    case 'submitted':
    case 'in_review':
    case 'open':
      return 'primary'
    case 'returned':
    case 'replied':
      return 'warning'
    case 'rejected':
      return 'danger'
    default:
      return 'info'
  }
}

// A clock's colour: overdue red, due soon amber, on time green, stopped grey; the tag says it in
// words too.
export function clockTag(state: string): Tag {
  return state === 'overdue' ? 'danger' : state === 'due_soon' ? 'warning' : state === 'on_time' ? 'success' : 'info'
}

export function taskTag(status: string): Tag {
  return status === 'approved' ? 'success' : status === 'rejected' ? 'danger' : status === 'open' ? 'primary' : 'info'
}

// The applicant may change materials and submit while it is a draft or returned to them, and
// withdraw it until it is decided.
export function editable(a: Application): boolean {
  return a.status === 'draft' || a.status === 'returned'
}
export function withdrawable(a: Application): boolean {
  return ['draft', 'submitted', 'returned', 'in_review'].includes(a.status)
}
export function decided(a: Application): boolean {
  return a.status === 'approved' || a.status === 'rejected'
}

// Where a material belongs on the page: filled in for the applicant (fetched from a department's
// records, taken from the wallet), a form to fill in, or a file to upload (an upload material,
// and a record or certificate refused or not found).
export type MaterialGroup = 'filled' | 'form' | 'upload'
export function groupOf(m: AppMaterial): MaterialGroup {
  if (m.source === 'form') return 'form'
  if (m.state === 'fetched' || m.state === 'wallet') return 'filled'
  return 'upload'
}

export function groupMaterials(materials: AppMaterial[]): Record<MaterialGroup, AppMaterial[]> {
  const out: Record<MaterialGroup, AppMaterial[]> = { filled: [], form: [], upload: [] }
  for (const m of materials) out[groupOf(m)].push(m)
  return out
}

// A non-core material still missing: submitting needs the applicant's commitment.
export function needsCommitment(materials: AppMaterial[]): boolean {
  return materials.some((m) => !m.core && m.state === 'missing')
}

// The messages of a refused request by the name its pointer ends in under `prefix`
// ("/materials/" + code, "/values/" + field name): the first message for each.
export function pointerMessages(e: unknown, prefix: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(e instanceof ApiError)) return out
  for (const p of e.problem.errors ?? []) {
    if (!p.pointer?.startsWith(prefix)) continue
    const name = p.pointer.slice(prefix.length).split('/')[0]
    if (name && !(name in out)) out[name] = p.detail
  }
  return out
}

// ----- files --------------------------------------------------------------------------------------

const BY_EXTENSION: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' }

// The file's media type as the browser says it, or by its extension when the browser says none.
export function mediaTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type.toLowerCase()
  const ext = file.name.split('.').pop()?.toLowerCase() ?? ''
  return BY_EXTENSION[ext] ?? ''
}

// Why the file cannot be sent for this material, or null when it may be.
export function fileProblem(file: { name: string; type: string; size: number }, m: Pick<AppMaterial, 'upload_types' | 'max_bytes'>): 'type' | 'size' | 'empty' | null {
  if (!m.upload_types.includes(mediaTypeOf(file))) return 'type'
  if (file.size === 0) return 'empty'
  if (file.size > m.max_bytes) return 'size'
  return null
}

// ----- requests -----------------------------------------------------------------------------------

export const appPath = (id: string, tail = '') => `/services/applications/${encodeURIComponent(id)}${tail}`
export const putJson = <T>(path: string, body: unknown) => request<T>('PUT', path, { body })
export const putFile = <T>(path: string, file: Blob, type: string) => request<T>('PUT', path, { raw: file, contentType: type })

// The unread messages, for the menu; refreshed when a person's page opens and when one is read.
export const messages = reactive({ unread: 0 })

export async function refreshUnread() {
  try {
    const page = await api.get<Page<AppMessage> & { unread: number }>('/services/messages/mine', { unread: true, limit: 1 })
    messages.unread = page.unread
  } catch {
    // the count stays as it was; the messages page says what went wrong
  }
}

// A file's size as people read it, in the chosen language.
export function sizeText(bytes: number): string {
  const t = i18n.global.t
  if (bytes >= 1024 * 1024) return t('applications.materials.megabytes', { n: formatNumber(Math.round((bytes / 1024 / 1024) * 10) / 10) })
  if (bytes >= 1024) return t('applications.materials.kilobytes', { n: formatNumber(Math.ceil(bytes / 1024)) })
  return t('applications.materials.bytes', { n: formatNumber(bytes) })
}

// The accepted types in words: PDF/JPEG/PNG.
export function typesText(types: string[]): string {
  return types.map((u) => (u.split('/')[1] ?? u).toUpperCase()).join('/')
}
