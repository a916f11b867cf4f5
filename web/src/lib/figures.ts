// The performance figures of one-window service (GET /services/figures, public): their types, and
// what the figures page does with them that is worth testing on its own: shares and working days
// in the chosen language, every month of the period (the API lists only months with
// applications), and the groups sorted by any column with the groups that have no figure last.
import { i18n } from '@/i18n'
import { SERVICE_LEVELS, type ServiceOrg } from '@/api/types'

export type Grouping = 'department' | 'level' | 'item'
export const GROUPINGS: Grouping[] = ['department', 'level', 'item']

// One group's, one month's or the whole period's figures. Shares and rates are 0..1, null when
// there is nothing to divide (no application, no decision, no rating, no material); working days
// are null without a decision, the items' limits null without an item.
export interface Figures {
  key: string
  applications: number
  decided: number
  approved: number
  rejected: number
  open: number
  overdue: number
  zero_visit_share: number | null
  at_most_one_visit_share: number | null
  online_share: number | null
  avg_working_days: number | null
  p90_working_days: number | null
  on_time_rate: number | null
  materials: number
  materials_fetched: number
  fetched_share: number | null
  ratings: number
  satisfaction: number | null
  average_score: number | null
  statutory_days: number | null
  promised_days: number | null
  compression: number | null
}

// A group: by item its code, names and department; by department the department's code and
// names; by level only the key (province, city, …).
export interface FigureGroup extends Figures {
  code?: string
  name_zh?: string
  name_en?: string
  org?: ServiceOrg
}

export interface FigureReport {
  from: string
  to: string
  by: Grouping
  total: Figures
  groups: FigureGroup[]
  months: Figures[]
}

// GET /services/reviews: the ratings of every time, counts[i] of score i + 1.
export interface Reviews {
  counts: number[]
  total: number
  average: number | null
  satisfaction: number | null
}

export type FigureKey = Exclude<keyof Figures, 'key'>

function currentLocale(): string {
  return i18n.global.locale.value
}

// A share or rate as a percentage with at most one decimal ("85.3%"); a dash for none.
export function formatShare(share: number | null | undefined, locale = currentLocale()): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—'
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(share)
}

// Working days (a mean, a percentile, an item's limit) with at most one decimal; a dash for none.
export function formatDays(days: number | null | undefined, locale = currentLocale()): string {
  if (days === null || days === undefined || !Number.isFinite(days)) return '—'
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(days)
}

// A month (YYYY-MM) by name: "2026年9月", "Sep 2026".
export function formatMonth(month: string, locale = currentLocale()): string {
  const d = new Date(month + '-01T00:00:00Z')
  if (!/^\d{4}-\d{2}$/.test(month) || Number.isNaN(d.getTime())) return month
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(d)
}

export function emptyFigures(key: string): Figures {
  return {
    key,
    applications: 0,
    decided: 0,
    approved: 0,
    rejected: 0,
    open: 0,
    overdue: 0,
    zero_visit_share: null,
    at_most_one_visit_share: null,
    online_share: null,
    avg_working_days: null,
    p90_working_days: null,
    on_time_rate: null,
    materials: 0,
    materials_fetched: 0,
    fetched_share: null,
    ratings: 0,
    satisfaction: null,
    average_score: null,
    statutory_days: null,
    promised_days: null,
    compression: null,
  }
}

// The months (YYYY-MM) that the period from..to (YYYY-MM-DD, both included) touches, in order.
export function monthsOf(from: string, to: string): string[] {
  const start = /^(\d{4})-(\d{2})/.exec(from)
  const end = /^(\d{4})-(\d{2})/.exec(to)
  if (!start || !end) return []
  let y = Number(start[1])
  let m = Number(start[2])
  const last = Number(end[1]) * 12 + Number(end[2])
  const out: string[] = []
  while (y * 12 + m <= last && out.length < 1200) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    if (++m > 12) {
      m = 1
      ++y
    }
  }
  return out
}

// Every month of the report's period, those without applications with empty figures, so that a
// chart shows the quiet months too. Months the API lists outside the period are kept, in order.
export function fillMonths(report: Pick<FigureReport, 'from' | 'to' | 'months'>): Figures[] {
  const listed = new Map(report.months.map((m) => [m.key, m]))
  const keys = new Set([...monthsOf(report.from, report.to), ...listed.keys()])
  return [...keys].sort().map((k) => listed.get(k) ?? emptyFigures(k))
}

export type SortColumn = 'name' | FigureKey
export type SortOrder = 'ascending' | 'descending'

// Levels in their own order (province first), other codes after them.
export function levelRank(code: string): number {
  const i = SERVICE_LEVELS.indexOf(code)
  return i < 0 ? SERVICE_LEVELS.length : i
}

// The groups sorted by a column: by name (`label` gives it; levels in their order), or by a
// figure, groups without that figure last whichever the order; ties keep the API's order (the
// largest groups first).
export function sortGroups<G extends Figures>(groups: G[], column: SortColumn, order: SortOrder, label: (g: G) => string, by: Grouping = 'department'): G[] {
  const sign = order === 'ascending' ? 1 : -1
  const collator = new Intl.Collator(currentLocale(), { numeric: true })
  return groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => {
      if (column === 'name') {
        const c = by === 'level' ? levelRank(a.g.key) - levelRank(b.g.key) || collator.compare(a.g.key, b.g.key) : collator.compare(label(a.g), label(b.g))
        return sign * c || a.i - b.i
      }
      const x = a.g[column]
      const y = b.g[column]
      if (x === null && y === null) return a.i - b.i
      if (x === null) return 1
      if (y === null) return -1
      return sign * (x - y) || a.i - b.i
    })
    .map((e) => e.g)
}

// The group with the largest value of a figure (the first of equals), or none when no group has it.
export function largest<G extends Figures>(groups: G[], column: FigureKey): G | null {
  let best: G | null = null
  for (const g of groups) {
    const v = g[column]
    if (v === null) continue
    if (!best || v > (best[column] as number)) best = g
  }
  return best
}
