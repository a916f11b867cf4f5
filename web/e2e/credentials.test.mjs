// Electronic certificates, in Chinese: the civil affairs bureau's approver issues a marriage
// certificate to the first citizen through the console; the citizen finds it in the wallet, opens
// it, sees its QR code and reads its verification link; someone not signed in opens the link and
// sees it valid, and a presentation of one field bound to the wallet's key verifies too; the
// approver revokes the certificate with a reason, and verifying again says it is revoked.
// Then, on a phone, the citizen shares a fresh marriage certificate with the human resources and
// social security bureau for one purpose, finds the consent listed, and withdraws it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, openPage, finish, signIn, checkA11y, screenshot, field, apiAs, BASE, CITIZEN, PHONE } from './support.mjs'

let browser
let marriage // the civil affairs bureau's certificate type, as the public list gives it

before(async () => {
  browser = await launch()
  const res = await fetch(`${BASE}/api/v1/credentials/types?limit=100`)
  assert.equal(res.status, 200, 'the certificate types are public')
  const types = await res.json()
  marriage = types.items.find((x) => x.code === 'marriage_certificate')
  assert.ok(marriage, 'the demo marriage certificate type is seeded')
})

after(async () => {
  await browser?.close()
})

// The seeded type's fields filled as a registry would, and any other field by its type.
const KNOWN = {
  holder_name: '张伟',
  holder_id_number: CITIZEN,
  spouse_name: '李娜',
  spouse_id_number: '440305198806150021',
  certificate_no: 'J440305-2026-000520',
}
function valueFor(f, i) {
  if (KNOWN[f.name]) return KNOWN[f.name]
  if (f.type === 'date') return '2026-05-20'
  if (f.type === 'integer') return String(i + 1)
  if (f.type === 'boolean') return true
  return `演示${i + 1}`
}

async function fill(page, f, value) {
  const name = `issue-field-${f.name}`
  if (f.type === 'boolean') {
    await page.locator(`[data-test="${name}"]`).first().click()
    return
  }
  const input = field(page, name)
  await input.fill(value)
  // A date picker takes what was typed when Enter is pressed.
  if (f.type === 'date') await input.press('Enter')
}

test('a certificate is issued, held, shown, verified, revoked and verified again', async () => {
  // ----- the approver issues it -----
  const cab = await openPage(browser, { locale: 'zh-CN' })
  await signIn(cab, { username: 'cab.approver' })
  await cab.goto('/console/credentials')
  await cab.getByRole('heading', { level: 1, name: '电子证照签发' }).waitFor()
  await cab.locator('[data-test=issue-type]').click()
  await cab.getByRole('option', { name: marriage.name_zh }).click()
  await field(cab, 'issue-subject').fill(CITIZEN)
  const values = {}
  for (const [i, f] of marriage.fields.entries()) {
    values[f.name] = valueFor(f, i)
    await fill(cab, f, values[f.name])
  }
  await checkA11y(cab, 'console: issuing a certificate')
  await cab.locator('[data-test=issue-submit]').click()
  const result = cab.locator('[data-test=issued-result]')
  await result.waitFor()
  const id = await result.getAttribute('data-id')
  assert.match(id, /^crd_/)
  assert.match(await cab.locator('[data-test=issued-receipt]').innerText(), /第 \d+ 条|正在写入账本/)
  await cab.locator(`[data-test=issued-row][data-id="${id}"][data-status=valid]`).waitFor()
  await checkA11y(cab, 'console: certificate issued')

  // ----- the citizen holds it -----
  const citizen = await openPage(browser, { locale: 'zh-CN' })
  await signIn(citizen, { residentId: CITIZEN })
  await citizen.goto('/me/wallet')
  await citizen.getByRole('heading', { level: 1, name: '我的电子证照' }).waitFor()
  const card = citizen.locator(`[data-test=wallet-item][data-id="${id}"]`)
  await card.waitFor()
  assert.match(await card.innerText(), new RegExp(marriage.name_zh))
  assert.match(await card.innerText(), /有效/)
  await checkA11y(citizen, 'wallet')
  await card.locator('[data-test=wallet-open]').click()
  await citizen.waitForURL(`**/me/wallet/${id}`)
  await citizen.getByRole('heading', { level: 1, name: marriage.layout.title_zh }).waitFor()
  for (const f of marriage.fields) {
    const shown = await citizen.locator(`[data-test="cert-field-${f.name}"]`).innerText()
    if (f.type === 'string') assert.equal(shown.trim(), values[f.name])
    if (f.type === 'date') assert.match(shown, /2026/)
    if (f.type === 'boolean') assert.equal(shown.trim(), '是')
  }
  await citizen.locator('[data-test=show-qr]').click()
  const qr = citizen.locator('[data-test=qr]')
  await qr.waitFor()
  await citizen.waitForFunction((img) => img.complete && img.naturalWidth > 0, await qr.elementHandle())
  assert.ok(await qr.getAttribute('alt'))
  const link = await citizen.locator('[data-test=verify-link]').getAttribute('href')
  assert.ok(link.startsWith(`${BASE}/verify#vc=`), link)
  await checkA11y(citizen, 'certificate')
  await screenshot(citizen, 'certificate')

  // ----- anyone verifies it -----
  const anyone = await openPage(browser, { locale: 'zh-CN' })
  await anyone.goto(link)
  const verdict = anyone.locator('[data-test=verdict]')
  await verdict.waitFor()
  assert.equal(await verdict.getAttribute('data-valid'), 'true', await anyone.locator('main').innerText())
  assert.match(await anyone.locator('[data-test=verdict-title]').innerText(), /有效/)
  assert.equal(await anyone.locator('[data-test=check][data-name=signature]').getAttribute('data-result'), 'pass')
  assert.equal(await anyone.locator('[data-test=check][data-name=status]').getAttribute('data-result'), 'pass')
  assert.equal(await anyone.locator('[data-test=sign-in-link]').count(), 1, 'verifying needs no session')
  await checkA11y(anyone, 'verification: valid')
  await screenshot(anyone, 'verify-valid')

  // ----- the holder shows one field only, bound to the wallet's key -----
  const shownField = marriage.fields[0]
  await citizen.locator('[data-test=disclose-start]').click()
  await citizen.locator(`[data-test="disclose-field-${shownField.name}"]`).click()
  await citizen.locator('[data-test=disclose-make]').click()
  await citizen.locator('[data-test=presentation]').waitFor()
  const presentationLink = await citizen.locator('[data-test=presentation-link]').getAttribute('href')
  assert.match(presentationLink, /^\/verify#vc=.+~.+&aud=.+&nonce=.+/)
  await checkA11y(citizen, 'certificate: presentation made')
  const checker = await openPage(browser, { locale: 'zh-CN' })
  await checker.goto(presentationLink)
  await checker.locator('[data-test=verdict]').waitFor()
  assert.equal(await checker.locator('[data-test=verdict]').getAttribute('data-valid'), 'true', await checker.locator('main').innerText())
  assert.equal(await checker.locator('[data-test=check][data-name=key_binding]').getAttribute('data-result'), 'pass')
  await checker.locator(`[data-test="verify-field-${shownField.name}"]`).waitFor()
  if (marriage.fields.length > 1) assert.equal(await checker.locator(`[data-test="verify-field-${marriage.fields[1].name}"]`).count(), 0, 'what was not ticked stays hidden')
  await finish(checker)

  // ----- the approver revokes it -----
  await cab.goto('/console/credentials')
  const row = cab.locator(`[data-test=issued-row][data-id="${id}"]`)
  await row.waitFor()
  await row.locator('[data-test=status-action][data-action=revoke]').click()
  await field(cab, 'status-reason').fill('登记机关发现结婚登记信息有误，依法撤销')
  // The dialog fades in: axe reads colours once it is there.
  await cab.waitForFunction(() => document.getAnimations().length === 0)
  await checkA11y(cab, 'console: revoking a certificate')
  await cab.locator('[data-test=status-confirm]').click()
  await cab.locator(`[data-test=issued-row][data-id="${id}"][data-status=revoked]`).waitFor()
  await cab.getByRole('dialog').waitFor({ state: 'hidden' })
  await checkA11y(cab, 'console: certificate revoked')

  // ----- verified again, it is revoked -----
  await anyone.locator('[data-test=reverify]').click()
  await anyone.locator('[data-test=verdict][data-valid=false]').waitFor()
  const status = anyone.locator('[data-test=check][data-name=status]')
  assert.equal(await status.getAttribute('data-result'), 'fail')
  assert.equal(await status.getAttribute('data-reason'), 'revoked')
  assert.match(await anyone.locator('[data-test=verdict-title]').innerText(), /已撤销/)
  await checkA11y(anyone, 'verification: revoked')

  // The wallet says so too.
  await citizen.goto(`/me/wallet/${id}`)
  await citizen.locator('[data-test=certificate][data-status=revoked]').waitFor()

  await finish(anyone)
  await finish(citizen)
  await finish(cab)
})

test('the holder shares a certificate with a department, then withdraws the consent', async () => {
  assert.ok(marriage.resource_id, 'the demo declares the marriage certificate a catalog resource')
  // The first story revoked its certificate: the approver issues a fresh one through the API.
  const cab = await apiAs({ username: 'cab.approver' })
  const claims = Object.fromEntries(marriage.fields.map((f, i) => [f.name, f.type === 'integer' ? i + 1 : valueFor(f, i)]))
  const issued = await cab.post('/credentials', { type_id: marriage.id, subject: CITIZEN, claims })
  assert.equal(issued.status, 201, issued.text)
  const id = issued.json.id
  const purpose = 'marriage_leave_review'

  const citizen = await openPage(browser, { locale: 'zh-CN', viewport: PHONE })
  await signIn(citizen, { residentId: CITIZEN })
  await citizen.goto(`/me/wallet/${id}`)
  await citizen.getByRole('heading', { level: 1, name: marriage.layout.title_zh }).waitFor()
  const section = citizen.locator('[data-test=share]')
  await section.getByRole('heading', { level: 2, name: '共享给部门' }).waitFor()
  assert.equal(await section.locator('[data-test=share-accesses]').getAttribute('href'), '/me/accesses')

  // The form checks the purpose as the exchange does before anything is sent.
  await field(citizen, 'share-purpose').fill('Marriage leave')
  await citizen.locator('[data-test=share-submit]').click()
  const errors = section.locator('.el-form-item__error')
  await errors.nth(1).waitFor()
  assert.deepEqual((await errors.allInnerTexts()).map((x) => x.trim()), ['必填', '3 到 64 个字符，以小写字母开头，只能用 a-z、0-9 和下划线'])

  await citizen.locator('[data-test=share-org]').click()
  await field(citizen, 'share-org').fill('人力资源')
  const option = citizen.getByRole('option', { name: '岚山市人力资源和社会保障局', exact: true })
  await option.click()
  await field(citizen, 'share-purpose').fill(purpose)
  // The list of departments fades out: axe reads the page once it is gone.
  await option.waitFor({ state: 'hidden' })
  await citizen.waitForFunction(() => document.getAnimations().length === 0)
  await checkA11y(citizen, 'certificate: sharing with a department')
  await citizen.locator('[data-test=share-submit]').click()
  const row = section.locator('[data-test=share-row][data-status=given]').filter({ hasText: '岚山市人力资源和社会保障局' })
  await row.waitFor()
  const consentId = await row.getAttribute('data-id')
  assert.match(consentId, /^cns_/)
  assert.equal((await row.locator('[data-test=share-purpose-code]').innerText()).trim(), purpose)
  assert.match(await row.locator('[data-test=share-status]').innerText(), /已同意/)

  // The consent is the exchange's: the citizen's list of consents has it, for this resource.
  const me = await apiAs({ residentId: CITIZEN })
  const mine = await me.get('/exchange/consents/mine?limit=200')
  assert.equal(mine.status, 200, mine.text)
  const consent = mine.json.items.find((c) => c.id === consentId)
  assert.ok(consent, 'the consent is listed for the citizen')
  assert.equal(consent.resource_id, marriage.resource_id)
  assert.equal(consent.purpose, purpose)
  assert.equal(consent.status, 'given')
  assert.equal(consent.requester_org_name_zh, '岚山市人力资源和社会保障局')
  await checkA11y(citizen, 'certificate: shared with a department')
  await screenshot(citizen, 'certificate-share')

  // Withdrawn, it says so, here and through the API.
  await row.locator('[data-test=share-withdraw]').click()
  const confirm = citizen.getByRole('dialog')
  await confirm.waitFor()
  await confirm.getByRole('button', { name: '撤回', exact: true }).click()
  await section.locator(`[data-test=share-row][data-id="${consentId}"][data-status=withdrawn]`).waitFor()
  assert.match(await section.locator(`[data-test=share-row][data-id="${consentId}"] [data-test=share-status]`).innerText(), /已撤回/)
  assert.equal(await section.locator(`[data-test=share-row][data-id="${consentId}"] [data-test=share-withdraw]`).count(), 0)
  const later = await me.get('/exchange/consents/mine?limit=200')
  assert.equal(later.json.items.find((c) => c.id === consentId)?.status, 'withdrawn')
  await citizen.getByRole('dialog').waitFor({ state: 'hidden' })
  await checkA11y(citizen, 'certificate: consent withdrawn')

  await finish(citizen)
})
