// A person's consents as the consents page and a certificate's sharing section show them
// (GET /exchange/consents/mine): the consent, the department that asked or was given it, and
// its state's tag colour (the tag says the state in words too).
import { localName } from './format'

export interface Consent {
  id: string
  requester_org_id: string
  requester_org_name_zh?: string
  requester_org_name_en?: string
  resource_id: string | null // null: all of the person's data
  resource_code?: string
  resource_name_zh?: string
  resource_name_en?: string
  purpose: string
  status: string
  created_at: string
  decided_at: string | null
}

const STATE_TAG: Record<string, 'success' | 'danger' | 'warning' | 'info'> = { pending: 'warning', given: 'success', refused: 'danger', withdrawn: 'info' }

export function consentTag(status: string): 'success' | 'danger' | 'warning' | 'info' {
  return STATE_TAG[status] ?? 'info'
}

// The department by name in the chosen language, by id when the answer names none.
export function consentDepartment(c: Pick<Consent, 'requester_org_id' | 'requester_org_name_zh' | 'requester_org_name_en'>): string {
  return localName({ name_zh: c.requester_org_name_zh, name_en: c.requester_org_name_en }) || c.requester_org_id
}
