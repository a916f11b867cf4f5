// A certificate's words as the wallet, the certificate, the verification page and the console
// show them: a field's label and value in the chosen language, the type's and the issuer's names,
// and a status's tag colour and symbol (the tag says the status in words too, so that colour is
// not the only signal). `t` is the page's i18n function, `zh` whether Chinese is chosen.
import type { CredentialField } from '@/api/types'
import { formatDay, formatNumber, isZh, localName } from './format'

type Translate = (key: string) => string
export type StatusTagType = 'success' | 'warning' | 'danger' | 'info'

const STATUS_TAG: Record<string, StatusTagType> = { valid: 'success', suspended: 'warning', revoked: 'danger', expired: 'info' }
const STATUS_SYMBOL: Record<string, string> = { valid: '✓', suspended: '‖', revoked: '✗', expired: '⌛' }

export function statusTag(status: string): StatusTagType {
  return STATUS_TAG[status] ?? 'info'
}

export function statusSymbol(status: string): string {
  return STATUS_SYMBOL[status] ?? ''
}

// The label in the chosen language, the other one or the field's name when it has none.
export function fieldLabel(f: CredentialField, zh = isZh()): string {
  return (zh ? f.label_zh : f.label_en) || f.label_zh || f.label_en || f.name
}

// A claim's value by its field's type (a claim without a field of its type is shown as it is).
export function valueText(f: CredentialField | undefined, v: unknown, t: Translate): string {
  if (v === undefined || v === null || v === '') return t('credentials.common.noValue')
  switch (f?.type) {
    case 'date':
      return formatDay(String(v))
    case 'boolean':
      return v === true || v === 'true' ? t('common.yes') : t('common.no')
    case 'integer':
      return typeof v === 'number' ? formatNumber(v) : String(v)
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v)
  }
}

// The certificate type's name, its code when the answer names none.
export function typeName(c: { type_name_zh?: string; type_name_en?: string; type_code?: string }): string {
  return localName({ name_zh: c.type_name_zh, name_en: c.type_name_en }) || c.type_code || ''
}

// The issuing department's name, its id when the answer names none.
export function issuerName(c: { issuer_name_zh?: string; issuer_name_en?: string; issuer_org_id: string }): string {
  return localName({ name_zh: c.issuer_name_zh, name_en: c.issuer_name_en }) || c.issuer_org_id
}
