// Every page, as the people who use it see it, passes axe-core's WCAG 2.1 A and AA rules with no
// serious or critical violation, in Chinese, without errors in the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, openPage, finish, signIn, checkA11y, screenshot, CITIZEN } from './support.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function visit(page, path, name, ready) {
  await page.goto(path)
  await page.getByRole('heading', { level: 1 }).first().waitFor()
  if (ready) await page.locator(ready).first().waitFor()
  // Let lists that load after the heading settle.
  await page.waitForLoadState('networkidle')
  await checkA11y(page, name)
}

test('anyone: home, sign-in, catalog, a resource, ledger, dashboard', async () => {
  const page = await openPage(browser)
  await visit(page, '/', 'home')
  await visit(page, '/sign-in', 'sign-in')
  await visit(page, '/catalog', 'catalog', '[data-test=resource-row]')
  await screenshot(page, 'catalog')
  await page.locator('[data-test=resource-link]').first().click()
  await page.locator('[data-test=resource-name]').waitFor()
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'resource')
  await visit(page, '/dashboard', 'dashboard (anonymous)')
  await visit(page, '/no/such/page', 'not found')
  await finish(page)
})

test('a citizen: profile and consents', async () => {
  const page = await openPage(browser)
  await signIn(page, { residentId: CITIZEN })
  await visit(page, '/me', 'profile')
  await visit(page, '/me/consents', 'consents')
  await finish(page)
})

test('a company user: profile and who looked', async () => {
  const page = await openPage(browser)
  await signIn(page, { username: 'qingshi.tea' })
  await visit(page, '/me', 'company profile')
  await visit(page, '/me/accesses', 'company accesses')
  await finish(page)
})

test('the platform administrator: console, organisations, accounts', async () => {
  const page = await openPage(browser)
  await signIn(page, { username: 'admin' })
  await visit(page, '/console', 'console')
  await visit(page, '/console/orgs', 'organisations', '[data-test=org-tree]')
  await screenshot(page, 'organisations')
  await visit(page, '/console/accounts', 'accounts', '[data-test=account-row]')
  await finish(page)
})

test('an auditor: audit trail, dashboard, grants, accesses', async () => {
  const page = await openPage(browser)
  await signIn(page, { username: 'auditor' })
  await visit(page, '/console/audit', 'audit trail', '[data-test=audit-row]')
  await page.locator('[data-test=audit-toggle]').first().click()
  await page.locator('[data-test=audit-detail]').first().waitFor()
  await checkA11y(page, 'audit trail with a detail open')
  await visit(page, '/dashboard', 'dashboard', '[data-test=flow-chart]')
  await page.waitForTimeout(1500) // the charts' entry animation, for the picture
  await screenshot(page, 'dashboard')
  await visit(page, '/console/grants', 'grants (auditor)')
  await visit(page, '/console/accesses', 'department accesses (auditor)')
  await finish(page)
})

test('a window clerk: console and record query', async () => {
  const page = await openPage(browser)
  await signIn(page, { username: 'clerk' })
  await visit(page, '/console', 'console (clerk)')
  await visit(page, '/console/query', 'record query')
  // Pages of other roles send the clerk back to the console.
  await page.goto('/console/audit')
  await page.waitForURL('**/console')
  assert.ok(!(await page.locator('[data-test=audit-row]').count()))
  await finish(page)
})
