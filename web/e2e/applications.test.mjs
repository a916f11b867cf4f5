// Applying once, the applicant's side, in Chinese: the demo company (岚山青石茶业有限公司, which
// holds a business licence in its wallet) finds the "open a restaurant" package in the guide and
// applies online. The preview shows what the government already holds, filled in: the licence
// record fetched from market regulation and the tax record from the taxation bureau, each with the
// receipt of its ledger entry, and the licence from the wallet. The company fills in the two
// forms, uploads the articles of association and the health certificates (a PNG for the articles
// is refused before it is sent), refuses the fetched tax record and uploads it instead; submitting
// without a commitment names the floor plan, which is optional; with the commitment ticked it is
// submitted, due on a working day. The window returns it once with a one-time notice on the
// articles (through the API): the company sees the notice, uploads them again and resubmits. The
// application is in "my applications" and its messages, and fits a phone. Then, once the departments have approved another application (set up through the
// API), the company sees the certificates issued and rates the service.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  launch,
  openPage,
  finish,
  signIn,
  checkA11y,
  screenshot,
  apiAs,
  issueBusinessLicence,
  startPackage,
  fillApplication,
  BASE,
  PHONE,
  COMPANY,
  CREDIT_CODE,
  PDF,
  PNG,
} from './support.mjs'

let browser
let restaurant // the package, as the public guide lists it

before(async () => {
  browser = await launch()
  const packages = await (await fetch(`${BASE}/api/v1/services/packages`)).json()
  restaurant = packages.items.find((p) => p.code === 'open_restaurant')
  assert.ok(restaurant, 'the demo has the "open a restaurant" package')

  // The licence comes from the wallet only if the company holds one: the market regulation
  // approver issues it when the demo has not.
  const company = await apiAs(COMPANY)
  const held = await company.get('/credentials/mine?status=valid&limit=100')
  assert.equal(held.status, 200, held.text)
  if (!held.json.items.some((c) => c.type_code === 'business_licence')) await issueBusinessLicence()
})

after(async () => {
  await browser?.close()
})

const material = (page, code) => page.locator(`[data-test=material][data-code="${code}"]`)

// An input of a form material by its field's name.
function formField(card, name) {
  return card.locator(`[data-test="form-field-${name}"] input, input[data-test="form-field-${name}"]`).first()
}

async function fillForm(page, code, values) {
  const card = material(page, code)
  for (const [name, value] of Object.entries(values)) await formField(card, name).fill(value)
  await card.locator('[data-test=form-save]').click()
  await page.locator(`[data-test=material][data-code="${code}"][data-state=form]`).waitFor()
}

async function upload(page, code, name, mimeType, buffer) {
  await material(page, code).locator('[data-test=file-input]').setInputFiles({ name, mimeType, buffer })
}

test('the company applies once: filled in, fill in, upload, refuse, commit, submit', async () => {
  // Not signed in: the package offers to sign in and come back.
  const anyone = await openPage(browser, { locale: 'zh-CN' })
  await anyone.goto(`/services/packages/${restaurant.id}`)
  const signInLink = anyone.locator('[data-test=apply-sign-in]')
  await signInLink.waitFor()
  assert.match(await signInLink.getAttribute('href'), /^\/sign-in\?next=(%2F|\/)services(%2F|\/)packages(%2F|\/)pkg_/)
  await finish(anyone)

  const page = await openPage(browser, { locale: 'zh-CN' })
  await signIn(page, COMPANY)

  // ----- the guide: the package, and "apply online" -----
  await page.goto('/services')
  await page.getByRole('heading', { level: 1, name: '办事指南' }).waitFor()
  await page.locator('[data-test=package-card][data-code=open_restaurant]').click()
  await page.locator('[data-test=package-title]').waitFor()
  assert.equal(await page.locator('[data-test=package-title]').innerText(), '开办餐馆一件事')
  const apply = page.locator('[data-test=apply]')
  await apply.waitFor()
  assert.equal((await apply.innerText()).trim(), '在线办理')
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'service package with "apply online"')
  await apply.click()
  await page.waitForURL(/\/me\/applications\/apl_/)

  // ----- the preview: what the government holds, filled in -----
  const status = page.locator('[data-test=app-status]')
  await status.waitFor()
  assert.equal(await status.getAttribute('data-status'), 'draft')
  assert.equal((await status.innerText()).trim(), '待提交')
  const number = await page.locator('[data-test=app-number]').getAttribute('data-number')
  assert.match(number, /^YW-\d{8}-[A-Z0-9]{6}$/)
  assert.match(await page.locator('[data-test=app-items]').innerText(), /企业设立登记.*食品经营许可/)

  const filled = page.locator('[data-test=group-filled]')
  for (const [code, org] of [
    ['licence_record', '市场监督管理局'],
    ['taxes', '税务局'],
  ]) {
    const card = filled.locator(`[data-test=material][data-code="${code}"]`)
    assert.equal(await card.getAttribute('data-state'), 'fetched')
    assert.match(await card.locator('[data-test=material-from]').innerText(), new RegExp(`来自.*${org}`))
    const receipt = card.locator('[data-test=material-receipt]')
    assert.match(await receipt.getAttribute('href'), /^\/api\/v1\/ledger\/receipts\/\d+$/)
    assert.match(await receipt.innerText(), /账本第 \d+ 条回执/)
  }
  // The fetched values, by the catalog's words for them.
  await filled.locator('[data-test=material][data-code=licence_record] [data-test=material-values]', { hasText: CREDIT_CODE }).waitFor()
  // The licence from the wallet, linking to it.
  const licence = filled.locator('[data-test=material][data-code=business_licence]')
  assert.equal(await licence.getAttribute('data-state'), 'wallet')
  assert.match(await licence.locator('[data-test=material-certificate]').getAttribute('href'), /^\/me\/wallet\/crd_/)
  assert.equal(await page.locator('[data-test=materials-summary]').getAttribute('data-filled'), '3')
  // The floor plan is optional; the articles are core.
  assert.equal(await material(page, 'floor_plan').getAttribute('data-core'), 'false')
  assert.equal(await material(page, 'articles').getAttribute('data-core'), 'true')
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'application: the preview')
  await page.locator('#materials-title').evaluate((el) => el.scrollIntoView({ block: 'start' }))
  await screenshot(page, 'application')

  // ----- the forms -----
  // Saving an empty form names each required field at the field.
  await material(page, 'premises').locator('[data-test=form-save]').click()
  await material(page, 'premises').locator('[data-test=form-error]').waitFor()
  await material(page, 'premises').locator('.el-form-item__error').nth(2).waitFor()
  await fillForm(page, 'premises', { premises: '岚山市青石路 8 号一层', main_business: '餐饮服务', scope: '热食类食品制售' })
  await fillForm(page, 'company', {
    company_name: '岚山青石茶业有限公司',
    company_type: '有限责任公司',
    legal_representative: '陈静',
    registered_capital: '100 万元',
    business_scope: '茶叶销售；餐饮服务',
    address: '岚山市青石路 1 号',
  })

  // ----- the files -----
  // The articles are PDF only: a PNG is refused before it is sent.
  await upload(page, 'articles', 'articles.png', 'image/png', PNG)
  assert.match(await material(page, 'articles').locator('[data-test=upload-error]').innerText(), /PDF/)
  await upload(page, 'articles', '公司章程.pdf', 'application/pdf', PDF)
  await page.locator('[data-test=material][data-code=articles][data-state=uploaded]').waitFor()
  assert.equal((await material(page, 'articles').locator('[data-test=uploaded-name]').innerText()).trim(), '公司章程.pdf')
  assert.equal(await material(page, 'articles').locator('[data-test=uploaded-file]').getAttribute('data-size'), String(PDF.length))
  await upload(page, 'health_certificates', '健康证明.png', 'image/png', PNG)
  await page.locator('[data-test=material][data-code=health_certificates][data-state=uploaded]').waitFor()

  // ----- refusing the tax record, and uploading it instead -----
  await material(page, 'taxes').locator('[data-test=refuse]').click()
  const dialog = page.getByRole('dialog')
  await dialog.waitFor()
  assert.match(await dialog.innerText(), /完税情况/)
  await dialog.getByRole('button', { name: '不使用，自行上传' }).click()
  const taxes = page.locator('[data-test=group-upload] [data-test=material][data-code=taxes][data-state=missing]')
  await taxes.waitFor()
  assert.match(await taxes.locator('[data-test=upload-why]').innerText(), /不使用/)
  await upload(page, 'taxes', '完税证明.pdf', 'application/pdf', PDF)
  await page.locator('[data-test=material][data-code=taxes][data-state=uploaded]').waitFor()
  assert.equal(await page.locator('[data-test=materials-summary]').getAttribute('data-filled'), '2')
  await checkA11y(page, 'application: filled in and uploaded')

  // ----- submitting: the floor plan needs the commitment -----
  const commitment = page.locator('[data-test=commitment]')
  await commitment.waitFor()
  assert.match(await commitment.innerText(), /承诺在规定期限内补齐非核心材料/)
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=submit-error]').waitFor()
  await material(page, 'floor_plan').locator('[data-test=material-error]').waitFor()
  assert.equal(await page.locator('[data-test=material-error]').count(), 1, 'only the floor plan still wants something')
  await checkA11y(page, 'application: not yet')
  await commitment.click()
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=app-status][data-status=submitted]').waitFor()
  assert.equal((await status.innerText()).trim(), '已提交')
  const due = await page.locator('[data-test=app-clock]').getAttribute('data-due')
  assert.match(due, /^\d{4}-\d{2}-\d{2}$/)
  const clock = page.locator('[data-test=app-clock] [data-test=clock]')
  assert.ok(['on_time', 'due_soon'].includes(await clock.getAttribute('data-state')))
  assert.match(await clock.innerText(), /前办结/)
  assert.match(await page.locator('[data-test=app-deficiencies]').innerText(), /经营场所平面图/)
  assert.equal(await page.locator('[data-test=submit-bar]').count(), 0, 'a submitted application no longer changes')
  assert.equal(await page.locator('[data-test=history-event][data-type=submitted]').count(), 1)
  // (the toast that said so fades, and is checked only once gone)
  await page.locator('.el-message').waitFor({ state: 'detached' })
  await checkA11y(page, 'application: submitted')

  // ----- returned once with the one-time notice, corrected, submitted again -----
  const id = new URL(page.url()).pathname.split('/').pop()
  const notice = await (await apiAs({ username: 'clerk' })).post(`/services/applications/${id}/notice`, { items: [{ material: 'articles', reason: '未经全体股东签字盖章' }], note: '请补正后重新提交' })
  assert.equal(notice.status, 200, notice.text)
  await page.reload()
  await page.locator('[data-test=app-status][data-status=returned]').waitFor()
  assert.equal((await status.innerText()).trim(), '待补正')
  assert.equal(await page.locator('[data-test=app-clock] [data-test=clock]').getAttribute('data-state'), 'stopped')
  assert.match(await page.locator('[data-test=notice]').innerText(), /公司章程.*未经全体股东签字盖章/)
  assert.match(await material(page, 'articles').locator('[data-test=material-correction]').innerText(), /需补正：未经全体股东签字盖章/)
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'application: returned with the one-time notice')
  await upload(page, 'articles', '公司章程（已盖章）.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.from('signed')]))
  await page.locator('[data-test=material][data-code=articles] [data-test=uploaded-name]', { hasText: '已盖章' }).waitFor()
  assert.equal(await material(page, 'articles').locator('[data-test=material-correction]').count(), 0)
  await commitment.click()
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=app-status][data-status=submitted]').waitFor()
  await page.locator('[data-test=history-event][data-type=resubmitted]').waitFor()

  // ----- my applications -----
  await page.locator('[data-test=menu-applications]').click()
  await page.getByRole('heading', { level: 1, name: '我的办件' }).waitFor()
  const row = page.locator(`[data-test=application-row][data-number="${number}"]`)
  await row.waitFor()
  assert.equal(await row.getAttribute('data-status'), 'submitted')
  assert.match(await row.innerText(), /已提交/)
  await page.locator('[data-test=applications-status]').click()
  await page.getByRole('option', { name: '已提交' }).click()
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=application-row]')].every((r) => r.getAttribute('data-status') === 'submitted'))
  await row.waitFor()
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'my applications')

  // ----- messages: unread ones first in bold; opening one reads it -----
  assert.ok(Number(await page.locator('[data-test=menu-unread]').innerText()) >= 2, 'the menu counts the unread messages')
  await page.locator('[data-test=menu-messages]').click()
  await page.getByRole('heading', { level: 1, name: '消息' }).waitFor()
  const submitted = page.locator('[data-test=message][data-kind=submitted]').first()
  await submitted.waitFor()
  assert.equal(await submitted.getAttribute('data-read'), 'false')
  assert.match(await submitted.innerText(), new RegExp(`办件 ${number} 已提交`))
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'messages')
  const unreadBefore = Number(await page.locator('[data-test=messages-unread-count]').getAttribute('data-unread'))
  await submitted.locator('[data-test=message-open]').click()
  await page.waitForURL(/\/me\/applications\/apl_/)
  await page.locator('[data-test=app-status][data-status=submitted]').waitFor()
  await page.goBack()
  await page.locator('[data-test=message][data-kind=submitted][data-read=true]').first().waitFor()
  assert.equal(Number(await page.locator('[data-test=messages-unread-count]').getAttribute('data-unread')), unreadBefore - 1)
  await finish(page)

  // ----- on a phone -----
  const phone = await openPage(browser, { locale: 'zh-CN', viewport: PHONE })
  await signIn(phone, COMPANY)
  await phone.goto('/me/applications')
  await phone.locator(`[data-test=application-row][data-number="${number}"] [data-test=application-open]`).click()
  await phone.locator('[data-test=app-status][data-status=submitted]').waitFor()
  await phone.waitForLoadState('networkidle')
  const width = await phone.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= PHONE.width, `the application fits a phone (${width} px)`)
  await checkA11y(phone, 'application on a phone')
  await finish(phone)
})

// The departments' part through the API: the window accepts, each department approves its tasks.
const APPROVERS = { 'QH-LS-AMR': 'approver', 'QH-LS-HC': 'hc.approver', 'QH-LS-TAX': 'tax.approver', 'QH-LS-HRSS': 'hrss.approver' }

test('once approved, the company finds its certificates and rates the service', async () => {
  // Applied for, submitted, accepted and approved through the API.
  const company = await apiAs(COMPANY)
  const { id } = await startPackage(company, restaurant.id)
  const path = (tail = '') => `/services/applications/${id}${tail}`
  await fillApplication(company, id, {
    files: [
      ['articles', 'application/pdf', PDF],
      ['health_certificates', 'image/png', PNG],
      ['floor_plan', 'application/pdf', PDF],
    ],
  })
  const submitted = await company.post(path('/submit'), {})
  assert.equal(submitted.status, 200, submitted.text)
  const accepted = await (await apiAs({ username: 'clerk' })).post(path('/accept'))
  assert.equal(accepted.status, 200, accepted.text)
  const approvers = {}
  for (let round = 0; round < 5; round++) {
    const now = await company.get(path())
    if (now.json.status !== 'in_review') break
    for (const task of now.json.tasks.filter((x) => x.status === 'open')) {
      const who = APPROVERS[task.org.code]
      assert.ok(who, `an approver for ${task.org.code}`)
      approvers[who] ??= await apiAs({ username: who })
      const r = await approvers[who].post(`/services/tasks/${task.id}/approve`, { comment: '符合条件' })
      assert.equal(r.status, 200, r.text)
    }
  }
  const decided = await company.get(path())
  assert.equal(decided.json.status, 'approved', decided.text)

  // The outcome: the certificates issued, in the wallet.
  const page = await openPage(browser, { locale: 'zh-CN' })
  await signIn(page, COMPANY)
  await page.goto(`/me/applications/${id}`)
  await page.locator('[data-test=app-status][data-status=approved]').waitFor()
  const outcome = page.locator('[data-test=outcome][data-status=approved]')
  await outcome.waitFor()
  const certs = outcome.locator('[data-test=outcome-certificate]')
  assert.equal(await certs.count(), decided.json.credential_ids.length)
  await outcome.locator('[data-test=outcome-certificate]', { hasText: '食品经营许可证' }).waitFor()
  assert.match(await certs.first().getAttribute('href'), /^\/me\/wallet\/crd_/)
  assert.equal(await page.locator('[data-test=task][data-status=approved]').count(), decided.json.tasks.length)
  assert.equal(await page.locator('[data-test=history-event][data-type=approved]').count(), 1)
  await page.waitForLoadState('networkidle')
  await checkA11y(page, 'application: approved')

  // Rated once: five stars and a word.
  await page.locator('[data-test=rate] .el-rate__item').nth(4).click()
  await page.locator('[data-test=rating-comment]').fill('一次办好，很方便')
  await page.locator('[data-test=rating-submit]').click()
  const done = page.locator('[data-test=rating-done]')
  await done.waitFor()
  assert.equal(await done.getAttribute('data-score'), '5')
  assert.match(await done.innerText(), /一次办好/)
  assert.equal(await page.locator('[data-test=rating-submit]').count(), 0, 'a service is rated once')
  await page.locator('.el-message').waitFor({ state: 'detached' })
  await checkA11y(page, 'application: rated')
  await finish(page)
})
