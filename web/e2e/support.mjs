// What every browser story needs: Debian's Chromium driven by playwright-core (a new empty
// profile per context, no background networking), signing in through the pages, the API for
// setting up facts, axe-core on each page, and screenshots for the documentation.
import { chromium } from 'playwright-core'
import { readFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import assert from 'node:assert/strict'

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export const BASE = process.env.ONCEONLY_BASE_URL ?? 'http://127.0.0.1:8080'
export const PASSWORD = 'onceonly-demo-2026'
export const CITIZEN = '44030519850312001X'
export const PHONE = { width: 390, height: 844 }

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
}

// A new browser context (its own cookies and storage) with one page. Errors the page logs,
// Content-Security-Policy violations among them, fail the story when it ends (see `finish`).
export async function openPage(browser, { locale = 'zh-CN', viewport = { width: 1280, height: 860 } } = {}) {
  const context = await browser.newContext({ locale, viewport, baseURL: BASE })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const problems = []
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    const text = m.text()
    // A refused API call (or a receipt that waits for the next checkpoint, 503) logs a "Failed to
    // load resource" line: the page handles those itself.
    if (/Failed to load resource: the server responded with a status of (4\d\d|503)/.test(text)) return
    problems.push(`console: ${text}`)
  })
  page.problems = problems
  return page
}

export async function finish(page) {
  const problems = page.problems
  await page.context().close()
  assert.deepEqual(problems, [], 'the page logged errors')
}

// An input by its data-test name, whether the attribute sits on the input or on its wrapper.
export function field(page, name) {
  return page.locator(`input[data-test="${name}"], [data-test="${name}"] input, textarea[data-test="${name}"], [data-test="${name}"] textarea`).first()
}

// Waits until the element's data-ok attribute is set, and returns it ("true" or "false").
export async function verdict(locator, timeout = 30000) {
  await locator.waitFor({ timeout })
  const handle = await locator.elementHandle()
  await locator.page().waitForFunction((el) => el.getAttribute('data-ok') !== null, handle, { timeout })
  return locator.getAttribute('data-ok')
}

export async function signIn(page, who) {
  await page.goto('/sign-in')
  if (who.residentId) {
    await field(page, 'resident-id').fill(who.residentId)
  } else {
    await page.getByRole('tab').nth(1).click()
    await field(page, 'username').fill(who.username)
  }
  await field(page, 'password').fill(PASSWORD)
  await page.locator('[data-test=sign-in-submit]').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'))
  await page.locator('[data-test=sign-out]').waitFor()
}

// axe-core's WCAG 2.1 A/AA rules on the page as it is now: no serious or critical violation.
export async function checkA11y(page, name) {
  await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))
  })
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  assert.deepEqual(bad, [], `axe-core found serious or critical violations on ${name}`)
}

export async function screenshot(page, name) {
  const dir = process.env.ONCEONLY_SCREENSHOTS
  if (!dir) return
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: false })
}

// The API with a bearer token, for facts a story needs before it starts: JSON in and out, and
// files as raw bodies (`upload`, with the file's media type).
export async function apiAs(who) {
  const body = who.residentId ? { resident_id: who.residentId, password: PASSWORD } : { username: who.username, password: PASSWORD }
  const res = await fetch(`${BASE}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  assert.equal(res.status, 201, `sign-in of ${JSON.stringify(who)} failed`)
  const { token } = await res.json()
  const call = async (method, path, payload, type = 'application/json') => {
    const r = await fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: payload === undefined ? undefined : type === 'application/json' ? JSON.stringify(payload) : payload,
    })
    const text = await r.text()
    const isJson = (r.headers.get('content-type') ?? '').includes('json')
    return { status: r.status, json: isJson && text ? JSON.parse(text) : null, text }
  }
  return {
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b ?? {}),
    patch: (p, b) => call('PATCH', p, b),
    put: (p, b) => call('PUT', p, b),
    upload: (p, bytes, type) => call('PUT', p, bytes, type),
  }
}

// ----- applying once: the demo company and the "open a restaurant" package -----

export const COMPANY = { username: 'qingshi.tea' }
export const CREDIT_CODE = '91440305MA5F3K2L13'
export const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not really an image')])

// The market regulation approver issues the demo company a business licence (for its wallet).
export async function issueBusinessLicence() {
  const approver = await apiAs({ username: 'approver' })
  const types = await approver.get('/credentials/types?limit=100')
  const licence = types.json.items.find((x) => x.code === 'business_licence')
  assert.ok(licence, 'the demo has the business licence type')
  const issued = await approver.post('/credentials', {
    type_id: licence.id,
    subject: CREDIT_CODE,
    claims: {
      company_name: '岚山青石茶业有限公司',
      credit_code: CREDIT_CODE,
      company_type: '有限责任公司',
      legal_representative: '陈静',
      registered_capital: '100 万元',
      established_on: '2019-04-18',
      business_scope: '茶叶销售',
      address: '岚山市青石路 1 号',
    },
  })
  assert.equal(issued.status, 201, issued.text)
  return issued.json
}

// Starts an application for a package (through `api`, the applicant's) and returns it, a draft.
export async function startPackage(api, packageId) {
  const started = await api.post('/services/applications', { package_id: packageId })
  assert.equal(started.status, 201, started.text)
  return started.json
}

// The package's two forms as the company fills them in.
export const RESTAURANT_FORMS = {
  company: {
    company_name: '岚山青石茶业有限公司',
    company_type: '有限责任公司',
    legal_representative: '陈静',
    registered_capital: '100 万元',
    business_scope: '茶叶销售；餐饮服务',
    address: '岚山市青石路 1 号',
  },
  premises: { premises: '岚山市青石路 8 号一层', main_business: '餐饮服务', scope: '热食类食品制售' },
}

// Fills in the application's forms ({code: values}) and uploads its files ([code, type, bytes]).
export async function fillApplication(api, id, { forms = RESTAURANT_FORMS, files = [] } = {}) {
  const path = (tail) => `/services/applications/${id}${tail}`
  for (const [code, values] of Object.entries(forms)) {
    const r = await api.put(path(`/forms/${code}`), { values })
    assert.equal(r.status, 200, r.text)
  }
  for (const [code, type, bytes] of files) {
    const r = await api.upload(path(`/materials/${code}/file`), bytes, type)
    assert.equal(r.status, 200, r.text)
  }
}
