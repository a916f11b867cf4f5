// Dates, numbers and organisation names in the chosen language.
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

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(d)
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
