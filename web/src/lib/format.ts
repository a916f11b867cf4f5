// Dates, numbers, names, descriptions and codes in the chosen language.
import { i18n } from '@/i18n'

function locale(): string {
  return i18n.global.locale.value
}

export function isZh(): boolean {
  return locale() === 'zh-CN'
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

// POSIX seconds (a cosignature's timestamp), as formatDateTime shows a time.
export function formatPosixTime(seconds: number): string {
  return formatDateTime(new Date(seconds * 1000).toISOString())
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(d)
}

// A calendar day as the API names it (YYYY-MM-DD, a UTC day), the same day in any time zone.
export function formatDay(day: string | null | undefined): string {
  if (!day) return ''
  const d = new Date(day + 'T00:00:00Z')
  if (Number.isNaN(d.getTime())) return day
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d)
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return ''
  return new Intl.NumberFormat(locale()).format(n)
}

// Anything with name_zh / name_en (organisations, resources, fields).
export function localName(o: { name_zh?: string | null; name_en?: string | null } | null | undefined): string {
  if (!o) return ''
  return (isZh() ? o.name_zh : o.name_en) || o.name_zh || o.name_en || ''
}

// Anything with description_zh / description_en (resources, fields).
export function localDescription(o: { description_zh?: string | null; description_en?: string | null } | null | undefined): string {
  if (!o) return ''
  return (isZh() ? o.description_zh : o.description_en) || o.description_zh || o.description_en || ''
}

// A code in words: the message `prefix.code` (the message files write a code's dots as
// underscores) when there is one, the code itself when there is none.
export function codeLabel(prefix: string, code: string | null | undefined): string {
  if (!code) return ''
  const key = `${prefix}.${code.replace(/\./g, '_')}`
  return i18n.global.te(key) ? i18n.global.t(key) : code
}
