// The one way the front end talks to the server: JSON over /api/v1, the session cookie (HttpOnly,
// sent by the browser), the CSRF token on every unsafe method, and the user's language in
// Accept-Language so that problem details come back translated.

export interface FieldProblem {
  code: string
  detail: string
  pointer?: string
  parameter?: string
}

export interface Problem {
  type?: string
  code: string
  title: string
  status: number
  detail: string
  errors?: FieldProblem[]
  request_id?: string
}

export interface Page<T> {
  items: T[]
  total: number
  next_cursor: string | null
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem
  constructor(problem: Problem) {
    super(problem.detail || problem.title || problem.code)
    this.status = problem.status
    this.problem = problem
  }
  // The message for a body member ("/name_en") or query parameter, if the server named one.
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.problem.errors ?? []) {
      const key = e.pointer ? e.pointer.replace(/^\//, '').split('/')[0] : (e.parameter ?? '')
      if (key && !out[key]) out[key] = e.detail
    }
    return out
  }
}

let csrfToken = ''
let language = 'zh-CN'

export function setCsrfToken(token: string) {
  csrfToken = token
}
export function setApiLanguage(lang: string) {
  language = lang
}

type Query = Record<string, string | number | boolean | undefined | null>

export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const s = params.toString()
  return s ? `${path}?${s}` : path
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  raw?: BodyInit
  contentType?: string
  accept?: string
}

async function failure(res: Response): Promise<ApiError> {
  const type = res.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      const p = (await res.json()) as Problem
      if (p && typeof p === 'object' && 'code' in p) return new ApiError({ ...p, status: res.status })
    } catch {
      // fall through to the generic problem below
    }
  }
  return new ApiError({ code: 'http.' + res.status, title: res.statusText, status: res.status, detail: res.statusText })
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'Accept-Language': language, Accept: opts.accept ?? 'application/json' }
  let body: BodyInit | undefined
  if (opts.raw !== undefined) {
    body = opts.raw
    headers['Content-Type'] = opts.contentType ?? 'application/octet-stream'
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['Content-Type'] = 'application/json'
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res: Response
  try {
    res = await fetch(withQuery('/api/v1' + path, opts.query), { method, headers, body, credentials: 'same-origin' })
  } catch {
    throw new ApiError({ code: 'network', title: 'Network', status: 0, detail: '' })
  }
  if (!res.ok) throw await failure(res)
  if (res.status === 204) return undefined as T
  const type = res.headers.get('content-type') ?? ''
  if (type.includes('json')) return (await res.json()) as T
  return (await res.text()) as unknown as T
}

export const api = {
  get: <T>(path: string, query?: Query, accept?: string) => request<T>('GET', path, { query, accept }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T>(path: string) => request<T>('DELETE', path),
}

// Sends a file with progress events (fetch has no upload progress; XMLHttpRequest does).
export function upload<T>(path: string, file: Blob, contentType: string, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/v1' + path)
    xhr.setRequestHeader('Content-Type', contentType)
    xhr.setRequestHeader('Accept-Language', language)
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      let parsed: unknown = undefined
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined
      } catch {
        parsed = undefined
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T)
      else {
        const p = (parsed ?? {}) as Partial<Problem>
        reject(new ApiError({ code: p.code ?? 'http.' + xhr.status, title: p.title ?? '', status: xhr.status, detail: p.detail ?? '', errors: p.errors }))
      }
    }
    xhr.onerror = () => reject(new ApiError({ code: 'network', title: 'Network', status: 0, detail: '' }))
    xhr.send(file)
  })
}
