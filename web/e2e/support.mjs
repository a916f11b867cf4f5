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

// The API with a bearer token, for facts a story needs before it starts.
export async function apiAs(who) {
  const body = who.residentId ? { resident_id: who.residentId, password: PASSWORD } : { username: who.username, password: PASSWORD }
  const res = await fetch(`${BASE}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  assert.equal(res.status, 201, `sign-in of ${JSON.stringify(who)} failed`)
  const { token } = await res.json()
  const call = async (method, path, payload) => {
    const r = await fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    })
    const text = await r.text()
    const isJson = (r.headers.get('content-type') ?? '').includes('json')
    return { status: r.status, json: isJson && text ? JSON.parse(text) : null, text }
  }
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}), patch: (p, b) => call('PATCH', p, b) }
}
