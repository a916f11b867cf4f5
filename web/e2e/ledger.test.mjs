// The ledger for everyone and for auditors: the public page with its chart, and an auditor who
// checks a consistency proof between two checkpoints in the ledger explorer.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, openPage, finish, signIn, checkA11y, screenshot, apiAs, field, verdict, CITIZEN } from './support.mjs'

let browser
const sizes = []

before(async () => {
  browser = await launch()
  // Two checkpoints with entries between them: sign one, look at a citizen's record, sign again.
  const admin = await apiAs({ username: 'admin' })
  const clerk = await apiAs({ username: 'clerk' })
  const first = await admin.post('/ledger/checkpoints')
  assert.equal(first.status, 201, first.text)
  const found = await clerk.get('/catalog/resources?q=QH-LS-PSB-RESIDENT')
  const resource = found.json.items.find((r) => r.code === 'QH-LS-PSB-RESIDENT')
  const answer = await clerk.post('/exchange/queries', { resource_id: resource.id, subject: CITIZEN, purpose: 'one_window_service' })
  assert.equal(answer.status, 200, JSON.stringify(answer.json))
  const second = await admin.post('/ledger/checkpoints')
  assert.equal(second.status, 201, second.text)
  const list = await admin.get('/ledger/checkpoints?limit=2')
  for (const c of list.json.items) sizes.push(c.size)
  sizes.sort((a, b) => a - b)
  assert.ok(sizes[0] < sizes[1], `two checkpoints of different sizes: ${sizes}`)
})

after(async () => {
  await browser?.close()
})

test('anyone opens the public ledger page and its chart', async () => {
  const page = await openPage(browser, { locale: 'en-US' })
  await page.goto('/ledger')
  await page.getByRole('heading', { level: 1 }).waitFor()
  assert.equal(await verdict(page.locator('[data-test=latest-signature]')), 'true')
  await page.locator('[data-test=ledger-chart] canvas').waitFor()
  await checkA11y(page, 'public ledger')
  await screenshot(page, 'ledger')
  await finish(page)
})

test('an auditor checks a consistency proof in the ledger explorer', async () => {
  const page = await openPage(browser, { locale: 'zh-CN' })
  await signIn(page, { username: 'auditor' })
  await page.goto('/console/ledger')
  await page.getByRole('heading', { level: 1 }).waitFor()
  await field(page, 'consistency-first').fill(String(sizes[0]))
  await field(page, 'consistency-second').fill(String(sizes[1]))
  await page.locator('[data-test=consistency-check]').click()
  const result = page.locator('[data-test=consistency-result]')
  assert.equal(await verdict(result), 'true', await result.innerText())
  await checkA11y(page, 'ledger explorer')
  await screenshot(page, 'ledger-explorer')
  // A size past the log is refused next to the field, not as a crash.
  await field(page, 'consistency-second').fill(String(sizes[1] + 1000))
  await page.locator('[data-test=consistency-check]').click()
  await page.locator('.el-form-item__error, [data-test=consistency-error]').first().waitFor()
  await finish(page)
})
