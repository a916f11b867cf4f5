// A citizen signs in, opens "who looked at my data" and verifies a receipt in the browser:
// in Chinese, in English, and on a phone-sized screen.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, openPage, finish, signIn, checkA11y, screenshot, apiAs, CITIZEN, PHONE } from './support.mjs'

let browser

before(async () => {
  browser = await launch()
  // A department looks at the citizen's resident record, so there is an access to show.
  const clerk = await apiAs({ username: 'clerk' })
  const found = await clerk.get('/catalog/resources?q=QH-LS-PSB-RESIDENT')
  const resource = found.json.items.find((r) => r.code === 'QH-LS-PSB-RESIDENT')
  assert.ok(resource, 'the demo resident register is in the catalog')
  const answer = await clerk.post('/exchange/queries', { resource_id: resource.id, subject: CITIZEN, purpose: 'one_window_service' })
  assert.equal(answer.status, 200, JSON.stringify(answer.json))
})

after(async () => {
  await browser?.close()
})

async function whoLooked(page, texts, shot) {
  await signIn(page, { residentId: CITIZEN })
  await page.goto('/me/accesses')
  await page.getByRole('heading', { level: 1, name: texts.heading }).waitFor()
  const access = page.locator('[data-test=access]').first()
  await access.waitFor()
  await assert.doesNotReject(access.locator('[data-test=access-org]').first().waitFor())
  const orgText = await access.locator('[data-test=access-org]').first().innerText()
  assert.match(orgText, texts.org)
  // The fields in words from the public catalog, not their codes.
  await access.getByText(texts.field, { exact: true }).first().waitFor()
  await checkA11y(page, `who looked (${texts.lang})`)
  if (shot) await screenshot(page, shot)
  // The receipt's inclusion proof is checked in the page against the signed checkpoint.
  await access.locator('[data-test=receipt-verify]').first().click()
  const result = access.locator('[data-test=receipt-result]').first()
  await result.waitFor({ timeout: 30000 })
  await page.waitForFunction((el) => el.getAttribute('data-ok') !== null, await result.elementHandle(), { timeout: 30000 })
  assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText())
  assert.match(await result.innerText(), texts.verified)
  await checkA11y(page, `receipt checked (${texts.lang})`)
  if (shot) await screenshot(page, shot + '-verified')
}

test('in Chinese, chosen by the browser', async () => {
  const page = await openPage(browser, { locale: 'zh-CN' })
  await page.goto('/')
  await checkA11y(page, 'home (zh)')
  await screenshot(page, 'home-zh')
  await whoLooked(page, { lang: 'zh', heading: '谁查看了我的数据', org: /政务服务中心|服务中心/, field: '出生日期', verified: /✓/ }, 'who-looked-zh')
  await finish(page)
})

test('in English, switched on the page and remembered', async () => {
  const page = await openPage(browser, { locale: 'zh-CN' })
  await page.goto('/')
  await page.locator('[data-test=lang-en]').click()
  await page.getByRole('heading', { level: 1, name: 'Welcome to One Network' }).waitFor()
  await page.reload()
  await page.getByRole('heading', { level: 1, name: 'Welcome to One Network' }).waitFor()
  await checkA11y(page, 'home (en)')
  await screenshot(page, 'home-en')
  await whoLooked(page, { lang: 'en', heading: 'Who looked at my data', org: /Service Centre|Centre/i, field: 'Date of birth', verified: /✓/ }, 'who-looked-en')
  await finish(page)
})

test('on a phone-sized screen', async () => {
  const page = await openPage(browser, { locale: 'en-US', viewport: PHONE })
  await whoLooked(page, { lang: 'en, phone', heading: 'Who looked at my data', org: /Centre/i, field: 'Date of birth', verified: /✓/ }, 'who-looked-phone')
  // The menu is behind the button on a phone.
  await page.getByRole('button', { name: 'Menu' }).click()
  await page.getByRole('dialog').getByRole('link', { name: 'Consent requests' }).click()
  await page.getByRole('heading', { level: 1 }).waitFor()
  await checkA11y(page, 'consents (phone)')
  await finish(page)
})

test('a wrong password is refused with a message in the chosen language', async () => {
  const page = await openPage(browser, { locale: 'en-US' })
  await page.goto('/sign-in')
  await page.locator('input[data-test=resident-id], [data-test=resident-id] input').first().fill(CITIZEN)
  await page.locator('input[data-test=password], [data-test=password] input').first().fill('not-the-password')
  await page.locator('[data-test=sign-in-submit]').click()
  const error = page.locator('[data-test=sign-in-error]')
  await error.waitFor()
  assert.match(await error.innerText(), /password is wrong/)
  await checkA11y(page, 'sign-in with an error')
  await finish(page)
})
