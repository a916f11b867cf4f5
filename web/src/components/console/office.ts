// What the console's one-window pages share (the window's queue, an application as staff see it,
// the departments' tasks, rectification cases, the service settings): the applications API's
// shapes, the colours of states and clocks, PUT requests (the client has none of its own) and the
// checks of a year's working-day calendar. What the portal's pages use too lives in
// lib/applications.ts and is passed on from here.
import type { AppMaterial } from '@/lib/applications'

export {
  APPLICATION_STATUSES,
  MAX_TEXT,
  appPath,
  clockTag,
  putFile,
  putJson,
  sizeText,
  statusTag,
  type AppEvent,
  type AppFormField,
  type AppItem,
  type AppMaterial,
  type AppTask,
  type Application,
  type Clock,
  type ClockState,
  type NoticeItem,
} from '@/lib/applications'

export const TASK_STATUSES = ['open', 'approved', 'rejected', 'cancelled']
export const CASE_STATUSES = ['open', 'replied', 'closed']
// Lengths as the server allows them: a case's reply or follow-up.
export const MAX_CASE_TEXT = 2000

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

export function materialTag(m: AppMaterial, deficient: boolean): Tag {
  if (m.correction) return 'danger'
  if (m.state === 'missing') return deficient ? 'warning' : m.core ? 'danger' : 'info'
  return 'success'
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
