// Names and colours the catalog and exchange pages give what the API names by code: the resource
// an access was to, a public resource's department, a sharing class's tag.
import { reactive } from 'vue'
import { api } from '@/api/client'
import type { Access, CatalogField, PublicResource } from '@/api/types'
import { localDescription, localName } from './format'

// The resource by its name in the chosen language, by its code when the answer names none.
export function accessResourceName(a: Pick<Access, 'resource_code' | 'resource_name_zh' | 'resource_name_en'>): string {
  return localName({ name_zh: a.resource_name_zh, name_en: a.resource_name_en }) || a.resource_code
}

// The holding department by name in the chosen language, by id when the answer names none.
export function resourceDepartment(r: Pick<PublicResource, 'org_id' | 'org_name_zh' | 'org_name_en'>): string {
  return localName({ name_zh: r.org_name_zh, name_en: r.org_name_en }) || r.org_id
}

const SHARING_TAG: Record<string, 'success' | 'warning' | 'info'> = { unconditional: 'success', conditional: 'warning', not_shared: 'info' }

// The colour of a sharing class's tag; the tag always says the class in words too.
export function sharingTag(sharing: string): 'success' | 'warning' | 'info' {
  return SHARING_TAG[sharing] ?? 'info'
}

// The fields of public resources, read once each from the public catalog, so that a page can
// say "Date of birth" where the API says birth_date.
const fieldsOf = reactive(new Map<string, Map<string, CatalogField>>())
const asked = new Set<string>()

export function loadResourceFields(resourceIds: Iterable<string>) {
  for (const id of resourceIds) {
    if (asked.has(id)) continue
    asked.add(id)
    api
      .get<PublicResource>(`/catalog/public/resources/${encodeURIComponent(id)}`)
      .then((r) => fieldsOf.set(id, new Map(r.fields.map((f) => [f.name, f]))))
      .catch(() => asked.delete(id)) // the code stays on the page; another page may try again
  }
}

// A field in words in the chosen language, or its name while the catalog has not answered.
export function fieldLabel(resourceId: string, name: string): string {
  return localDescription(fieldsOf.get(resourceId)?.get(name)) || name
}
