// The service guide for anyone, without signing in: from the home page to the guide, a life
// event filter, the "open a restaurant" package with its four services, and the food business
// permit's materials (the business licence from the wallet, the floor plan that may follow
// later), in Chinese and then in English; and the same pages on a phone.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, openPage, finish, checkA11y, screenshot, PHONE } from './support.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const items = '[data-test=service-item]'

test('anyone finds a service by life event and reads a package and an item', async () => {
  const page = await openPage(browser, { locale: 'zh-CN' })
  await page.goto('/')
  await page.locator('[data-test=home-services]').click()
  await page.waitForURL((url) => url.pathname === '/services')
  await page.getByRole('heading', { level: 1, name: '办事指南' }).waitFor()
  await page.locator(items).first().waitFor()
  await page.locator('[data-test=package-card]').first().waitFor()
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'service guide')

  // The life event 出生: only the services of a birth remain, the birth certificate among them.
  const birth = page.locator('[data-test=service-filter-life-event]').getByRole('button', { name: '出生', exact: true })
  await birth.click()
  assert.equal(await birth.getAttribute('aria-pressed'), 'true')
  await page.waitForURL((url) => url.searchParams.get('life_event') === 'birth')
  await page.waitForFunction((sel) => !document.querySelector(`${sel}[data-code="QH-LS-AMR-FOOD-PERMIT"]`), items)
  const cert = page.locator(`${items}[data-code="QH-LS-HC-BIRTH-CERT"]`)
  await cert.waitFor()
  assert.match(await cert.innerText(), /出生医学证明签发/)
  const shown = await page.locator(items).count()
  assert.ok(shown >= 1 && shown < 30, `the filter leaves the services of a birth only (${shown})`)
  await page.waitForLoadState('networkidle')
  await screenshot(page, 'services')

  // The package: its four services, each linking to its guide page.
  await page.locator('[data-test=package-card][data-code=open_restaurant]').click()
  await page.locator('[data-test=package-title]').waitFor()
  assert.equal(await page.locator('[data-test=package-title]').innerText(), '开办餐馆一件事')
  assert.equal(await page.locator('[data-test=package-item]').count(), 4)
  // The licence's record is one material, fetched once, for the two services that read it.
  const licence = page.locator('[data-test=package-material][data-code=licence_record]')
  assert.equal(await licence.getAttribute('data-source'), 'resource')
  assert.equal(await licence.getAttribute('data-shared'), '2')
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'service package')

  // The food business permit: the licence comes from the wallet, the floor plan may follow later.
  await page.locator('[data-test=package-item][data-code=QH-LS-AMR-FOOD-PERMIT] [data-test=package-item-link]').click()
  await page.locator('[data-test=item-title]').waitFor()
  assert.equal(await page.locator('[data-test=item-title]').innerText(), '食品经营许可')
  const fromWallet = page.locator('[data-test=material-row][data-code=business_licence]')
  assert.equal(await fromWallet.getAttribute('data-source'), 'certificate')
  assert.match(await fromWallet.innerText(), /营业执照/)
  assert.match(await fromWallet.innerText(), /证照夹/)
  const floorPlan = page.locator('[data-test=material-row][data-code=floor_plan]')
  assert.equal(await floorPlan.getAttribute('data-source'), 'upload')
  assert.equal(await floorPlan.getAttribute('data-requirement'), 'deficiency')
  assert.match(await floorPlan.innerText(), /容缺/)
  assert.equal(await page.locator('[data-test=fetched-count]').getAttribute('data-held'), '1')
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'service item')
  await screenshot(page, 'service-item')

  // In English: the same page with the English names.
  await page.locator('[data-test=lang-en]').click()
  await page.locator('[data-test=item-title]', { hasText: 'Food business permit' }).waitFor()
  await fromWallet.filter({ hasText: 'Business licence' }).waitFor()
  assert.match(await fromWallet.innerText(), /wallet/)
  assert.match(await floorPlan.innerText(), /Floor plan of the premises/)
  assert.match(await floorPlan.innerText(), /May follow later/)
  await checkA11y(page, 'service item in English')
  await finish(page)
})

test('on a phone: the guide, a package and an item', async () => {
  const page = await openPage(browser, { locale: 'zh-CN', viewport: PHONE })
  await page.goto('/services')
  await page.locator(items).first().waitFor()
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'service guide on a phone')
  await page.locator('[data-test=package-card][data-code=have_a_baby]').click()
  await page.locator('[data-test=package-item]').first().waitFor()
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'service package on a phone')
  await page.locator('[data-test=package-item-link]').first().click()
  await page.locator('[data-test=material-row]').first().waitFor()
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'service item on a phone')
  await finish(page)
})
