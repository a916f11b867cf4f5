// The message for the page when a request failed and the problem is not about one form item:
// the server's detail (in the chosen language, from Accept-Language), or that the network failed.
import { ApiError } from '@/api/client'
import { i18n } from '@/i18n'

export function problemText(e: unknown): string {
  if (e instanceof ApiError) return e.status === 0 ? i18n.global.t('state.network') : e.problem.detail || e.message
  return String(e)
}

// A form the server refused: its messages go next to the fields they point at (a duplicate code
// or username too, 409 with its pointer), a problem without a pointer whose code is about one
// field to that field (`fieldOfCode`), and the page says either to fix the fields (`fixText`) or,
// when no field is named, what went wrong. Anything else is thrown on.
export function showFormProblem(
  e: unknown,
  errors: Record<string, string>,
  failure: { value: string },
  fixText: string,
  fieldOfCode: Record<string, string> = {},
) {
  if (!(e instanceof ApiError)) throw e
  const fields = e.fieldErrors()
  const field = fieldOfCode[e.problem.code]
  if (field) fields[field] = e.problem.detail
  Object.assign(errors, fields)
  failure.value = Object.keys(fields).length ? fixText : problemText(e)
}
