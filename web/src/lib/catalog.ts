// Names and colours the catalog and exchange pages give what the API names by code: the resource
// an access was to, a public resource's department, a sharing class's tag.
import type { Access, PublicResource } from '@/api/types'
import { localName } from './format'

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
