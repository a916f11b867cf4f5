// The API client: problem details become per-field messages, queries drop empty filters, and
// writes carry the CSRF token while reads do not.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, setCsrfToken, withQuery } from '@/api/client'

describe('ApiError.fieldErrors', () => {
  it('maps body pointers and query parameters to the first message for each', () => {
    const e = new ApiError({
      code: 'validation_failed',
      title: 'Bad Request',
      status: 400,
      detail: 'The request has 3 invalid field(s).',
      errors: [
        { code: 'field.required', detail: 'is required', pointer: '/name_en' },
        { code: 'field.length', detail: 'is too long', pointer: '/fields/2/code_list' },
        { code: 'field.enum', detail: 'must be one of a, b', parameter: 'sort' },
        { code: 'field.type', detail: 'second message', pointer: '/name_en' },
      ],
    })
    expect(e.fieldErrors()).toEqual({ name_en: 'is required', fields: 'is too long', sort: 'must be one of a, b' })
  })
})

describe('withQuery', () => {
  it('leaves out empty filters and encodes the rest', () => {
    expect(withQuery('/x', { q: '户籍 信息', empty: '', none: undefined, n: null, limit: 50, on: false })).toBe(
      '/x?q=%E6%88%B7%E7%B1%8D+%E4%BF%A1%E6%81%AF&limit=50&on=false',
    )
    expect(withQuery('/x', {})).toBe('/x')
  })
})

describe('request', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setCsrfToken('')
  })

  it('sends the CSRF token with writes only, and turns problems into ApiError', async () => {
    const seen: { method: string; headers: Record<string, string> }[] = []
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      seen.push({ method: String(init.method), headers: init.headers as Record<string, string> })
      if (init.method === 'POST')
        return new Response(JSON.stringify({ code: 'auth.csrf', title: 'Forbidden', status: 403, detail: 'reload' }), {
          status: 403,
          headers: { 'content-type': 'application/problem+json' },
        })
      return new Response(JSON.stringify({ ok: true }), { status: 200, headers: { 'content-type': 'application/json' } })
    })
    setCsrfToken('token-1')
    await expect(api.get('/me')).resolves.toEqual({ ok: true })
    const failure = await api.post('/sessions/x').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ApiError)
    expect((failure as ApiError).problem.code).toBe('auth.csrf')
    expect(seen[0].headers['X-CSRF-Token']).toBeUndefined()
    expect(seen[1].headers['X-CSRF-Token']).toBe('token-1')
  })

  it('reports an unreachable server as a network problem', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    const failure = (await api.get('/me').catch((e: unknown) => e)) as ApiError
    expect(failure.status).toBe(0)
    expect(failure.problem.code).toBe('network')
  })
})
