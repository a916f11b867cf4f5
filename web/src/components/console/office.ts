// What the console's one-window pages share (the window's queue, an application as staff see it,
// the departments' tasks, rectification cases, the service settings): the applications API's
// shapes, the colours of states and clocks, PUT requests (the client has none of its own) and the
// checks of a year's working-day calendar.
import { request } from '@/api/client'
import type { Receipt, ServiceOrg } from '@/api/types'

export type ClockState = 'none' | 'on_time' | 'due_soon' | 'overdue' | 'stopped'

export const APPLICATION_STATUSES = ['draft', 'submitted', 'returned', 'in_review', 'approved', 'rejected', 'withdrawn']
export const TASK_STATUSES = ['open', 'approved', 'rejected', 'cancelled']
export const CASE_STATUSES = ['open', 'replied', 'closed']
// Lengths as the server allows them: a reason or comment, a case's reply or follow-up.
export const MAX_TEXT = 500
export const MAX_CASE_TEXT = 2000

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
  resource_code?: string
  from_org?: ServiceOrg
  receipt?: Receipt | null
  fetched_at?: string
  credential_id?: string
  credential_type?: string
  form_fields?: AppFormField[]
  upload_types: string[]
  max_bytes: number
  file?: { id: string; media_type: string; size: number; sha256: string; uploaded_at?: string }
  problem?: { code: string }
  correction?: string
}

export interface NoticeItem {
  material: string
  reason: string
}

export interface AppTask {
  id: string
  application_id: string
  application_number: string
  item_id: string
  item?: { id: string; code: string; name_zh: string; name_en: string }
  stage: number
  org_id: string
  org?: ServiceOrg
  status: string
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

export interface Rectification {
  id: string
  application_id: string
  application_number: string
  org_id: string
  score: number
  comment: string | null
  status: string
  due_on: string
  reply: string | null
  replied_at: string | null
  follow_up: string | null
  closed_at: string | null
  created_at: string
}

export interface ServiceSettings {
  window_org_id: string | null
  credit_resource_id: string | null
  credit_field: string
}

export interface CalendarYear {
  year: number
  holidays: string[]
  working_days: string[]
}

type Tag = 'success' | 'warning' | 'danger' | 'info' | 'primary'

// A clock's colour: overdue red, due soon amber, on time green; the tag says it in words too.
export function clockTag(state: string): Tag {
  return state === 'overdue' ? 'danger' : state === 'due_soon' ? 'warning' : state === 'on_time' ? 'success' : 'info'
}

export function statusTag(status: string): Tag {
  switch (status) {
    case 'approved':
    case 'closed':
      return 'success'
    case 'submitted':
    case 'open':
      return 'primary'
    case 'returned':
    case 'in_review':
    case 'replied':
      return 'warning'
    case 'rejected':
      return 'danger'
    default:
      return 'info'
  }
}

export function materialTag(m: AppMaterial, deficient: boolean): Tag {
  if (m.correction) return 'danger'
  if (m.state === 'missing') return deficient ? 'warning' : m.core ? 'danger' : 'info'
  return 'success'
}

export const putJson = <T>(path: string, body: unknown) => request<T>('PUT', path, { body })
export const putFile = <T>(path: string, file: Blob, type: string) => request<T>('PUT', path, { raw: file, contentType: type })

export const appPath = (id: string, tail = '') => `/services/applications/${encodeURIComponent(id)}${tail}`

// A file's size as people read it.
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`
  return `${bytes} B`
}

// ----- the working-day calendar -----

export type CalendarList = 'holidays' | 'working_days'
export interface CalendarProblem {
  list: CalendarList
  index: number
  code: 'format' | 'year' | 'twice' | 'both' | 'weekday'
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/

function weekday(day: string): number {
  return new Date(day + 'T00:00:00Z').getUTCDay()
}

// The entries the server would refuse, each with why: a date of another year, one listed twice,
// a day both a holiday and a working day, an adjusted working day that is not a weekend day.
export function calendarProblems(year: number, days: Record<CalendarList, string[]>): CalendarProblem[] {
  const out: CalendarProblem[] = []
  for (const list of ['holidays', 'working_days'] as CalendarList[]) {
    const seen = new Set<string>()
    const other = new Set(days[list === 'holidays' ? 'working_days' : 'holidays'])
    days[list].forEach((d, index) => {
      if (!DAY_RE.test(d) || Number.isNaN(new Date(d + 'T00:00:00Z').getTime())) out.push({ list, index, code: 'format' })
      else if (Number(d.slice(0, 4)) !== year) out.push({ list, index, code: 'year' })
      else if (seen.has(d)) out.push({ list, index, code: 'twice' })
      else if (other.has(d)) out.push({ list, index, code: 'both' })
      else if (list === 'working_days' && weekday(d) !== 0 && weekday(d) !== 6) out.push({ list, index, code: 'weekday' })
      seen.add(d)
    })
  }
  return out
}
