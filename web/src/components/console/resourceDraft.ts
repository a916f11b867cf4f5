// A data resource as a form edits it, the checks the server makes on it (catalog.cpp: lengths,
// patterns, allowed values, the rules between fields), and the body a create or a change sends.
import { CODE_RE, FIELD_NAME_RE, isPersonal, type CatalogField, type Resource } from '@/api/types'
import { chars } from '@/lib/forms'

// A field and a resource as the API has them, with text where the API may leave a member out.
export interface FieldDraft extends Omit<CatalogField, 'code_list'> {
  key: number
  code_list: string
}

export interface ResourceDraft extends Omit<Resource, 'id' | 'org_id' | 'version' | 'created_at' | 'updated_at' | 'connector_url' | 'fields'> {
  connector_url: string
  fields: FieldDraft[]
}

let nextKey = 1

export function emptyField(): FieldDraft {
  return { key: nextKey++, name: '', type: 'string', code_list: '', sensitivity: 'internal', masking: 'none', description_zh: '', description_en: '' }
}

export function emptyDraft(): ResourceDraft {
  return {
    code: '',
    name_zh: '',
    name_en: '',
    description_zh: '',
    description_en: '',
    subject_kind: 'person',
    sharing: 'conditional',
    open_class: 'closed',
    update_frequency: 'irregular',
    source: 'hosted',
    connector_url: '',
    consent_required: false,
    fields: [emptyField()],
  }
}

export function draftFrom(r: Resource): ResourceDraft {
  return {
    code: r.code,
    name_zh: r.name_zh,
    name_en: r.name_en,
    description_zh: r.description_zh,
    description_en: r.description_en,
    subject_kind: r.subject_kind,
    sharing: r.sharing,
    open_class: r.open_class,
    update_frequency: r.update_frequency,
    source: r.source,
    connector_url: r.connector_url ?? '',
    consent_required: r.consent_required,
    fields: r.fields.map((f) => ({
      key: nextKey++,
      name: f.name,
      type: f.type,
      code_list: f.code_list ?? '',
      sensitivity: f.sensitivity,
      masking: f.masking,
      description_zh: f.description_zh,
      description_en: f.description_en,
    })),
  }
}

// The whole resource as the API takes it (connector_url null for a hosted resource).
export function bodyFrom(d: ResourceDraft): Record<string, unknown> {
  return {
    code: d.code.trim(),
    name_zh: d.name_zh.trim(),
    name_en: d.name_en.trim(),
    description_zh: d.description_zh.trim(),
    description_en: d.description_en.trim(),
    subject_kind: d.subject_kind,
    sharing: d.sharing,
    open_class: d.open_class,
    update_frequency: d.update_frequency,
    source: d.source,
    connector_url: d.source === 'connector' ? d.connector_url.trim() : null,
    consent_required: d.consent_required,
    fields: d.fields.map((f) => {
      const out: Record<string, string> = { name: f.name.trim(), type: f.type, sensitivity: f.sensitivity, masking: f.masking }
      if (f.type === 'code') out.code_list = f.code_list.trim()
      if (f.description_zh.trim()) out.description_zh = f.description_zh.trim()
      if (f.description_en.trim()) out.description_en = f.description_en.trim()
      return out
    }),
  }
}

// A new resource: the whole body, without what is empty and optional.
export function createBody(d: ResourceDraft): Record<string, unknown> {
  const b = bodyFrom(d)
  if (b.connector_url === null) delete b.connector_url
  if (!b.description_zh) delete b.description_zh
  if (!b.description_en) delete b.description_en
  return b
}

// A change: only the members that differ from the version it was made to.
export function changeBody(before: Resource, d: ResourceDraft): Record<string, unknown> {
  const was = bodyFrom(draftFrom(before))
  const now = bodyFrom(d)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(now)) if (JSON.stringify(v) !== JSON.stringify(was[k])) out[k] = v
  return out
}

export interface Messages {
  required: string
  length: (min: number, max: number) => string
  code: string
  fieldName: string
  fieldTwice: string
  url: string
  maskingNotPersonal: string
  personalWithoutSubject: string
  fieldsCount: string
}

// The server's checks, keyed like its pointers without the leading slash ("fields/0/name").
export function validateDraft(d: ResourceDraft, m: Messages): Record<string, string> {
  const e: Record<string, string> = {}
  const text = (key: keyof ResourceDraft, min: number, max: number) => {
    const v = String(d[key]).trim()
    if (min > 0 && !v) e[key] = m.required
    else if (chars(v) < min || chars(v) > max) e[key] = m.length(min, max)
  }
  if (!d.code.trim()) e.code = m.required
  else if (!CODE_RE.test(d.code.trim())) e.code = m.code
  text('name_zh', 1, 100)
  text('name_en', 1, 200)
  text('description_zh', 0, 2000)
  text('description_en', 0, 4000)
  for (const k of ['subject_kind', 'sharing', 'open_class', 'update_frequency', 'source'] as const) if (!d[k]) e[k] = m.required
  if (d.source === 'connector') {
    const url = d.connector_url.trim()
    if (!url) e.connector_url = m.required
    else if (!/^https?:\/\//.test(url) || url.length > 500) e.connector_url = m.url
  }
  if (d.fields.length < 1 || d.fields.length > 200) e.fields = m.fieldsCount
  const seen = new Set<string>()
  d.fields.forEach((f, i) => {
    const at = `fields/${i}/`
    const name = f.name.trim()
    if (!name) e[at + 'name'] = m.required
    else if (!FIELD_NAME_RE.test(name)) e[at + 'name'] = m.fieldName
    else if (seen.has(name)) e[at + 'name'] = m.fieldTwice
    seen.add(name)
    if (!f.type) e[at + 'type'] = m.required
    if (f.type === 'code' && !f.code_list.trim()) e[at + 'code_list'] = m.required
    if (f.masking !== 'none' && !isPersonal(f.sensitivity)) e[at + 'masking'] = m.maskingNotPersonal
    if (d.subject_kind === 'none' && isPersonal(f.sensitivity)) e[at + 'sensitivity'] = m.personalWithoutSubject
  })
  return e
}
