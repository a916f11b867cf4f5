// The shapes of the catalog's and the exchange's answers, the values their codes take and the
// patterns the server checks them against: one definition for the console, portal and public pages.

export interface CatalogField {
  name: string
  type: string
  description_zh: string
  description_en: string
  sensitivity: string
  masking: string
  code_list?: string
}

export interface Resource {
  id: string
  org_id: string
  code: string
  name_zh: string
  name_en: string
  description_zh: string
  description_en: string
  subject_kind: string
  fields: CatalogField[]
  sharing: string
  open_class: string
  update_frequency: string
  source: string
  connector_url: string | null
  consent_required: boolean
  version: number
  created_at: string
  updated_at: string
}

// GET /catalog/public/resources names the holding department too.
export interface PublicResource extends Resource {
  org_name_zh?: string
  org_name_en?: string
}

export interface ResourceVersion {
  version: number
  changed_by: string
  changed_at: string
  resource: Resource
}

export interface LoadError {
  row: number
  column: string
  code: string
  params?: Record<string, string>
}

export interface Load {
  id: string
  resource_id: string
  format: string
  status: string
  rows_total: number
  rows_done: number
  rows_bad: number
  errors: LoadError[]
  digest: string
  started_by: string
  started_at: string
  finished_at: string | null
}

// What a sharing request asks for and what a grant then allows.
export interface SharingTerms {
  resource_id: string
  owner_org_id: string
  requester_org_id: string
  fields: string[]
  unmask: string[]
  purpose: string
  legal_basis: string
}

export interface SharingRequest extends SharingTerms {
  id: string
  service_items: string
  duration_days: number
  status: string
  reason: string | null
  requested_by: string
  requested_at: string
  decided_by: string | null
  decided_at: string | null
  grant_id: string | null
}

export interface Grant extends SharingTerms {
  id: string
  request_id: string
  granted_by: string
  granted_at: string
  expires_at: string
  state: string
  revoked_at: string | null
  revoked_by: string | null
  revoke_reason: string | null
}

// A ledger receipt as an answer gives it (index null while the entry is on its way).
export interface Receipt {
  index: number | null
  leaf_hash: string
  tree_size?: number
  root?: string
  url: string | null
}

export interface OrgRef {
  id: string
  name_zh?: string
  name_en?: string
}

// An access to records (GET /exchange/accesses, and a person's own at /exchange/accesses/mine,
// which leaves out the accessor's account, the grant and the latency).
export interface Access {
  id: string
  at: string
  resource_id: string
  resource_code: string
  resource_name_zh?: string
  resource_name_en?: string
  owner: OrgRef
  requester: OrgRef
  accessor_role: string
  accessor_id?: string
  grant_id?: string | null
  latency_micros?: number
  fields: string[]
  purpose: string
  application: string | null
  outcome: string
  reason: string | null
  receipt: Receipt | null
}

export interface QueryAnswer {
  access_id: string
  resource_id: string
  resource_code: string
  grant_id: string
  purpose: string
  fields: string[]
  values: Record<string, unknown>
  receipt: Receipt
}

// ----- the values the codes take -------------------------------------------------------------

export const SUBJECT_KINDS = ['person', 'company', 'none']
export const SHARING = ['unconditional', 'conditional', 'not_shared']
export const OPEN_CLASSES = ['open', 'conditional', 'closed']
export const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular']
export const SOURCES = ['hosted', 'connector']
export const FIELD_TYPES = ['string', 'integer', 'decimal', 'date', 'boolean', 'code']
export const SENSITIVITIES = ['public', 'internal', 'personal', 'sensitive']
export const MASKINGS = ['none', 'name', 'phone', 'id_number', 'all']
export const REQUEST_STATUSES = ['pending', 'granted', 'refused', 'withdrawn']
export const GRANT_STATES = ['active', 'expired', 'revoked']
export const OUTCOMES = ['served', 'refused', 'not_found', 'unavailable']
export const LOAD_FINAL = ['done', 'refused', 'failed']
export const MAX_DURATION_DAYS = 3650

export const CODE_RE = /^[A-Z0-9-]{2,64}$/
export const FIELD_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/
export const PURPOSE_RE = /^[a-z][a-z0-9_]{2,63}$/

// Personal data: the sensitivities a masking rule applies to.
export function isPersonal(sensitivity: string): boolean {
  return sensitivity === 'personal' || sensitivity === 'sensitive'
}

// ----- electronic certificates (docs/credentials.md) -------------------------------------------

// A field of a certificate type: its name in the credential, its type, its label in both languages.
export interface CredentialField {
  name: string
  type: string
  label_zh: string
  label_en: string
  required?: boolean
}

export interface CredentialLayout {
  title_zh: string
  title_en: string
  note_zh?: string | null
  note_en?: string | null
}

export interface CredentialType {
  id: string
  code: string
  name_zh: string
  name_en: string
  issuer_org_id: string
  issuer_name_zh: string
  issuer_name_en: string
  subject_kind: string
  validity_days: number | null
  fields: CredentialField[]
  layout: CredentialLayout
  status: string
  created_at: string
  // The catalog resource other departments fetch it through (with the holder's consent), once declared.
  resource_id: string | null
}

// A certificate as its holder and its issuing department see it (`claims`, `jwt` and `verify_url`
// are theirs only; `issued_by` is for staff).
export interface Credential {
  id: string
  type_id: string
  type_code: string
  type_name_zh: string
  type_name_en: string
  issuer_org_id: string
  issuer_name_zh: string
  issuer_name_en: string
  subject_kind: string
  subject_masked: string
  fields: CredentialField[]
  layout: CredentialLayout
  claims?: Record<string, unknown>
  valid_from: string
  valid_until: string | null
  issued_at: string
  issued_by?: string
  status: string
  status_reason: string | null
  status_changed_at: string | null
  status_list?: { id: string; index: number }
  jwt?: string
  verify_url?: string
  receipt?: Receipt | null
}

// One disclosure of an SD-JWT the wallet asked for: the field, its value and the encoded
// disclosure ([salt, name, value]) a presentation carries.
export interface SdJwtDisclosure {
  name: string
  value: unknown
  disclosure: string
}

export interface SdJwtAnswer {
  sd_jwt: string
  disclosures: SdJwtDisclosure[]
}

export interface CredentialCheck {
  name: string
  result: 'pass' | 'fail' | 'skip'
  reason: string | null
  detail: string
}

export interface VerifiedCredential {
  id?: string
  type_code?: string
  type_name_zh?: string
  type_name_en?: string
  issuer?: { org_id: string; name_zh?: string; name_en?: string; url?: string }
  subject_kind?: string
  valid_from?: string | null
  valid_until?: string | null
  fields?: CredentialField[]
  claims?: Record<string, unknown>
}

export interface Verification {
  valid: boolean
  format: string | null
  reason: string | null
  checks: CredentialCheck[]
  credential: VerifiedCredential | null
}

// An issuing department's signing key, current or retired.
export interface IssuerKey {
  kid: string
  created_at: string
  retired_at: string | null
  jwk?: Record<string, string>
  status?: string
}

export const CREDENTIAL_STATUSES = ['valid', 'suspended', 'revoked', 'expired']
export const CREDENTIAL_FIELD_TYPES = ['string', 'date', 'integer', 'boolean']
export const CREDENTIAL_SUBJECT_KINDS = ['person', 'company']
export const CREDENTIAL_CHECKS = ['format', 'signature', 'issuer', 'validity', 'status', 'disclosures', 'key_binding']
export const VERIFY_REASONS = [
  'malformed',
  'typ',
  'alg',
  'kid_unknown',
  'signature',
  'issuer_unknown',
  'not_yet_valid',
  'expired',
  'revoked',
  'suspended',
  'status_unavailable',
  'disclosure_malformed',
  'disclosure_not_issued',
  'disclosure_duplicate',
  'key_binding_missing',
  'key_binding_signature',
  'key_binding_stale',
  'audience',
  'nonce',
  'sd_hash',
]
export const CREDENTIAL_FIELD_RE = /^[a-z][a-z0-9_]{0,39}$/
export const CREDENTIAL_MAX_FIELDS = 40

// The service guide (GET /services/items, /services/items/{id}, /services/packages[/{id}]):
// service items with their materials, stages and time limits, and the packages that bundle them.
// The codes below are the server's vocabulary (GET /services/vocabulary), used until it answers.
export const SERVICE_KINDS = ['licence', 'registration', 'benefit', 'certificate', 'filing', 'other']
export const SERVICE_CHANNELS = ['online', 'window']
export const SERVICE_LIFE_EVENTS = ['birth', 'education', 'employment', 'marriage', 'housing', 'vehicle', 'health', 'business_start', 'business_operation', 'retirement', 'social_assistance', 'death']
export const SERVICE_THEMES = ['family', 'housing', 'employment', 'social_security', 'health', 'transport', 'enterprise', 'tax', 'civil_affairs', 'public_security']
export const SERVICE_SUBJECT_KINDS = ['person', 'company']
export const SERVICE_LEVELS = ['province', 'city', 'county', 'township', 'village']
export const SERVICE_SORTS = ['code', 'promised_days']

export interface ServiceVocabulary {
  kinds: string[]
  channels: string[]
  life_events: string[]
  themes: string[]
  material_sources: string[]
  upload_types: string[]
}

// An organisation as the guide names it (code and names absent when it no longer exists).
export interface ServiceOrg {
  id: string
  code?: string
  name_zh?: string
  name_en?: string
}

export interface ServiceFormField {
  name: string
  type: string
  label_zh: string
  label_en: string
  required: boolean
}

// One material: `source` says which of the optional members apply. The item's detail (not the
// list) names the resource or certificate type it comes from.
export interface ServiceMaterial {
  code: string
  name_zh: string
  name_en: string
  source: string // resource, certificate, form, upload
  core: boolean
  resource_code?: string
  fields?: string[]
  resource?: { id: string; name_zh: string; name_en: string; org: ServiceOrg }
  credential_type?: string
  credential?: { id: string; name_zh: string; name_en: string; org: ServiceOrg }
  form_fields?: ServiceFormField[]
  upload_types?: string[]
  max_bytes?: number
}

export interface ServiceStage {
  name_zh: string
  name_en: string
  org_ids: string[]
  orgs?: ServiceOrg[] // the item's detail only
}

export interface ServiceItem {
  id: string
  code: string
  org_id: string
  org: ServiceOrg
  level: string
  name_zh: string
  name_en: string
  description_zh: string
  description_en: string
  kind: string
  subject_kind: string
  legal_basis: string
  statutory_days: number
  promised_days: number
  compression: number // (statutory − promised) / statutory
  fee_cents: number
  channels: string[]
  visits: number
  life_events: string[]
  themes: string[]
  materials: ServiceMaterial[]
  certificates: string[]
  issues?: { code: string; id: string; name_zh: string; name_en: string }[] // detail only
  stages: ServiceStage[]
  allows_deficiency: boolean
  status: string
  version: number
  created_at: string
  updated_at: string
}

export interface ServicePackage {
  id: string
  code: string
  name_zh: string
  name_en: string
  description_zh: string
  description_en: string
  item_ids: string[]
  life_events: string[]
  created_at: string
  items?: ServiceItem[] // GET /services/packages/{id} only, each in full
}
