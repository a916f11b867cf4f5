// Data sharing through the console: a data officer uploads records and watches the load; another
// department's officer asks for a resource and the holder grants two of the fields; a member of
// staff with a grant queries a record and sees the masked values with their receipt.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, openPage, finish, signIn, checkA11y, screenshot, apiAs, field, verdict, CITIZEN } from './support.mjs'

let browser
let vehicle // the public security bureau's vehicle register
const dir = mkdtempSync(join(tmpdir(), 'onceonly-e2e-'))

// The n-th of many resident IDs: a birth date per thousand, a sequence number, and the GB 11643
// check character.
function residentId(n) {
  const born = new Date(Date.UTC(1970, 0, 1 + Math.floor(n / 1000)))
  const date = born.toISOString().slice(0, 10).replaceAll('-', '')
  const body = `440305${date}${String(n % 1000).padStart(3, '0')}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}

before(async () => {
  browser = await launch()
  const officer = await apiAs({ username: 'dataofficer' })
  const found = await officer.get('/catalog/resources?q=QH-LS-PSB-VEHICLE')
  vehicle = found.json.items.find((r) => r.code === 'QH-LS-PSB-VEHICLE')
  assert.ok(vehicle, 'the demo vehicle register is in the catalog')
})

after(async () => {
  await browser?.close()
})

test('a data officer uploads a CSV file and watches it load', async () => {
  const rows = ['subject,resident_id,name,plate_no,vehicle_type,registered_on']
  for (let i = 0; i < 20000; i++) {
    const id = residentId(i)
    rows.push(`${id},${id},车主${i},青A${String(i).padStart(5, '0')},小型汽车,2024-05-0${(i % 9) + 1}`)
  }
  const good = join(dir, 'vehicles.csv')
  writeFileSync(good, rows.join('\n') + '\n')
  const bad = join(dir, 'vehicles-bad.csv')
  writeFileSync(bad, [rows[0], rows[1], '123,123,没有身份证,青A1,小型汽车,2024-05-01', `${residentId(7)},${residentId(7)},日期错,青A2,小型汽车,2024-13-45`].join('\n') + '\n')

  const page = await openPage(browser, { locale: 'zh-CN' })
  await signIn(page, { username: 'dataofficer' })
  await page.goto('/console/catalog')
  await page.locator(`[data-test=resource-row]`, { hasText: 'QH-LS-PSB-VEHICLE' }).getByRole('link').first().click()
  await page.waitForURL(`**/console/catalog/${vehicle.id}`)
  await page.locator('[data-test=upload-input]').setInputFiles(good)
  await page.locator('[data-test=upload-submit]').click()
  await page.locator('[data-test=upload-progress]').waitFor()
  const state = page.locator('[data-test=load-state]')
  await page.waitForFunction((el) => ['done', 'refused', 'failed'].includes(el?.getAttribute('data-state') ?? ''), await state.elementHandle(), { timeout: 60000 })
  assert.equal(await state.getAttribute('data-state'), 'done', await state.innerText())
  await checkA11y(page, 'upload done')
  await screenshot(page, 'upload')

  // A file with bad rows loads nothing and says which rows and columns are wrong.
  await page.locator('[data-test=upload-input]').setInputFiles(bad)
  await page.locator('[data-test=upload-submit]').click()
  await page.waitForFunction(() => document.querySelector('[data-test=load-state]')?.getAttribute('data-state') === 'refused', null, { timeout: 60000 })
  const errors = page.locator('[data-test=load-errors] [data-test=load-error-row]')
  await errors.first().waitFor()
  assert.ok((await errors.count()) >= 2, 'each bad row is reported')
  await checkA11y(page, 'upload refused')
  await finish(page)
})

test('another department asks for a resource and the holder grants two fields', async () => {
  const asker = await openPage(browser, { locale: 'en-US' })
  await signIn(asker, { username: 'hrss.officer' })
  await asker.goto(`/console/requests?resource=${vehicle.id}`)
  await asker.locator('[data-test=request-field-name]').click()
  await asker.locator('[data-test=request-field-plate_no]').click()
  await asker.locator('[data-test=request-field-vehicle_type]').click()
  await field(asker, 'request-purpose').fill('pension_eligibility')
  await field(asker, 'request-legal-basis').fill('Social Insurance Law, article 16')
  await checkA11y(asker, 'new sharing request')
  await asker.locator('[data-test=request-submit]').click()
  await asker.locator('[data-test=request-row]', { hasText: 'QH-LS-PSB-VEHICLE' }).first().waitFor()
  await finish(asker)

  const holder = await openPage(browser, { locale: 'zh-CN' })
  await signIn(holder, { username: 'dataofficer' })
  await holder.goto('/console/requests')
  const row = holder.locator('[data-test=request-row][data-status=pending]', { hasText: 'QH-LS-PSB-VEHICLE' }).first()
  await row.waitFor()
  await checkA11y(holder, 'requests to decide')
  await screenshot(holder, 'requests')
  await row.locator('[data-test=request-grant]').click()
  // All three asked-for fields are ticked at first; the holder keeps two.
  await holder.locator('[data-test=grant-field-vehicle_type]').click()
  await checkA11y(holder, 'grant decision')
  await holder.locator('[data-test=decision-submit]').click()
  // Decided, it leaves the list of what waits for a decision.
  await holder.locator('[data-test=request-row][data-status=pending]', { hasText: 'QH-LS-PSB-VEHICLE' }).waitFor({ state: 'detached' })
  await finish(holder)

  const hrss = await apiAs({ username: 'hrss.officer' })
  const grants = await hrss.get(`/exchange/grants?resource_id=${vehicle.id}`)
  const grant = grants.json.items.find((g) => g.resource_id === vehicle.id && g.state === 'active')
  assert.ok(grant, JSON.stringify(grants.json))
  assert.deepEqual([...grant.fields].sort(), ['name', 'plate_no'])
})

test('a member of staff with a grant queries a record and sees it masked, with a receipt', async () => {
  const page = await openPage(browser, { locale: 'zh-CN' })
  await signIn(page, { username: 'cab.officer' })
  await page.goto('/console/query')
  await page.locator('[data-test=query-grant]').click()
  await page.getByRole('option', { name: /居民身份信息/ }).first().click()
  await field(page, 'query-subject').fill(CITIZEN)
  await page.locator('[data-test=query-submit]').click()
  const outcome = page.locator('[data-test=query-outcome]')
  await outcome.waitFor()
  assert.equal(await outcome.getAttribute('data-outcome'), 'served', await page.locator('main').innerText())
  assert.equal((await page.locator('[data-test=query-value-name]').innerText()).trim(), '张*')
  await page.locator('[data-test=receipt-verify]').click()
  assert.equal(await verdict(page.locator('[data-test=receipt-result]')), 'true')
  await checkA11y(page, 'record query answered')
  await screenshot(page, 'query')
  await finish(page)
})
