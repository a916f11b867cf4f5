// Words the console's catalog and exchange pages build from codes: form checks, state tags,
// the problems of a load's rows and the reasons of refused accesses (the API gives these as
// codes and parameters, not as text).
import { useI18n } from 'vue-i18n'
import type { Messages } from './resourceDraft'
import type { LoadError } from '@/api/types'
import { codeLabel } from '@/lib/format'

export function useDraftMessages(): Messages {
  const { t } = useI18n()
  return {
    get required() {
      return t('common.required')
    },
    length: (min, max) => t('console.form.length', { min, max }),
    get code() {
      return t('console.form.code')
    },
    get fieldName() {
      return t('console.form.fieldName')
    },
    get fieldTwice() {
      return t('console.form.fieldTwice')
    },
    get url() {
      return t('console.form.url')
    },
    get maskingNotPersonal() {
      return t('console.form.maskingNotPersonal')
    },
    get personalWithoutSubject() {
      return t('console.form.personalWithoutSubject')
    },
    get fieldsCount() {
      return t('console.form.fieldsCount')
    },
  }
}

export type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

// A state's colour; the tag always carries the state's name too.
export function tagType(state: string): TagType {
  switch (state) {
    case 'granted':
    case 'active':
    case 'served':
    case 'done':
      return 'success'
    case 'pending':
    case 'checking':
    case 'loading':
      return 'warning'
    case 'refused':
    case 'revoked':
    case 'failed':
    case 'unavailable':
      return 'danger'
    default:
      return 'info'
  }
}

export function useCodeText() {
  const { t, te } = useI18n()
  // A load's row problem in words, with its parameters.
  function loadError(e: LoadError): string {
    const key = 'console.loadCode.' + e.code.replace(/\./g, '_')
    const params = e.params ?? {}
    if (te(key)) return t(key, params)
    const extra = Object.entries(params)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')
    return extra ? `${e.code} (${extra})` : e.code
  }
  // A refusal's code (an access's reason) in words.
  function reason(code: string | null | undefined): string {
    return codeLabel('console.reason', code)
  }
  return { loadError, reason }
}
