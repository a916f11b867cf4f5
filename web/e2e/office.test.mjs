// The staff's side of one application, in Chinese: the market regulation approver has issued the
// demo company a business licence, and the company applies online for the "open a restaurant"
// package (the licence taken from its wallet, two records fetched through the window, two forms
// filled in, two files uploaded, the floor plan left to follow against its commitment). Then the
// window's clerk finds it in the queue, opens it, and returns it once with a one-time notice on
// the articles of association; the company uploads them again and resubmits; the clerk accepts
// it; the health commission's approver and the market regulation approver each decide their
// department's tasks in parallel on their pages, the tax and social security approvers through
// the API; and the application is approved with two certificates issued.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  launch,
  openPage,
  finish,
  signIn,
  checkA11y,
  screenshot,
  field,
  apiAs,
  issueBusinessLicence,
  startPackage,
  fillApplication,
  COMPANY,
  PDF,
  PNG,
} from './support.mjs'

let browser
let app // the application as the company started it: {id, number}
let company

before(async () => {
  browser = await launch()

  // The market regulation approver issues the company its business licence.
  await issueBusinessLicence()

  // The company applies for the package online, fills in both forms, uploads two files and
  // submits with the commitment for the floor plan.
  company = await apiAs(COMPANY)
  const packages = await company.get('/services/packages')
  const restaurant = packages.json.items.find((p) => p.code === 'open_restaurant')
  assert.ok(restaurant, 'the demo has the open_restaurant package')
  const started = await startPackage(company, restaurant.id)
  app = { id: started.id, number: started.number }
  const path = (tail) => `/services/applications/${app.id}${tail}`
  await fillApplication(company, app.id, {
    files: [
      ['articles', 'application/pdf', PDF],
      ['health_certificates', 'image/png', PNG],
    ],
  })
  const r = await company.post(path('/submit'), { commitment: true })
  assert.equal(r.status, 200, r.text)
  assert.equal(r.json.status, 'submitted')
  assert.deepEqual(r.json.deficiencies, ['floor_plan'])
})

after(async () => {
  await browser?.close()
})

// Waits for the application's page to show the status.
async function statusIs(page, status) {
  await page.locator(`[data-test=app-status][data-status=${status}]`).waitFor()
}

async function dialogSettled(page) {
  await page.waitForFunction(() => document.getAnimations().length === 0)
}

test('the window returns an application once, accepts it, and the departments approve it in parallel', async () => {
  // ----- the clerk finds it in the window's queue -----
  const clerk = await openPage(browser, { locale: 'zh-CN' })
  await signIn(clerk, { username: 'clerk' })
  await clerk.goto('/console')
  await clerk.getByRole('link', { name: '综合窗口' }).first().click()
  await clerk.getByRole('heading', { level: 1, name: '综合窗口' }).waitFor()
  const row = clerk.locator(`[data-test=window-row][data-number="${app.number}"]`)
  await row.waitFor()
  assert.match(await row.innerText(), /岚山青石茶业有限公司/)
  assert.match(await row.innerText(), /食品经营许可/)
  assert.ok(['on_time', 'due_soon'].includes(await row.getAttribute('data-clock')))
  await clerk.waitForLoadState('networkidle')
  await checkA11y(clerk, 'console: the window queue')

  // ----- opens it: what was fetched, taken from the wallet, filled in, uploaded, deficient -----
  await row.locator('[data-test=window-open]').click()
  await clerk.waitForURL(`**/console/applications/${app.id}`)
  await clerk.getByRole('heading', { level: 1, name: `申请 ${app.number}` }).waitFor()
  await statusIs(clerk, 'submitted')
  const material = (code) => clerk.locator(`[data-test=material][data-code=${code}]`)
  assert.equal(await material('licence_record').getAttribute('data-state'), 'fetched')
  assert.match(await material('licence_record').innerText(), /岚山市市场监督管理局/)
  assert.match(await material('licence_record').locator('[data-test=material-receipt]').getAttribute('href'), /^\/api\/v1\/ledger\/receipts\/\d+$/)
  assert.equal(await material('business_licence').getAttribute('data-state'), 'wallet')
  assert.equal(await material('premises').getAttribute('data-state'), 'form')
  assert.match(await material('premises').innerText(), /岚山市青石路 8 号一层/)
  assert.equal(await material('articles').getAttribute('data-state'), 'uploaded')
  const download = await material('articles').locator('[data-test=material-file]').getAttribute('href')
  const file = await clerk.request.get(download)
  assert.equal(file.status(), 200)
  assert.ok((await file.body()).toString().startsWith('%PDF-'), 'the clerk downloads the uploaded file')
  assert.equal(await material('floor_plan').getAttribute('data-deficient'), 'true')
  assert.match(await material('floor_plan').innerText(), /容缺/)
  await clerk.waitForLoadState('networkidle')
  await checkA11y(clerk, 'console: an application at the window')
  await screenshot(clerk, 'window-application')

  // ----- the one-time notice: the articles are not signed -----
  await clerk.locator('[data-test=notice-open]').click()
  const dialog = clerk.getByRole('dialog', { name: '一次性告知补正材料' })
  await dialog.waitFor()
  assert.match(await dialog.innerText(), /只能发出一次/)
  await dialog.locator('[data-test=notice-submit]').click()
  await dialog.getByText('请至少勾选一项材料').waitFor()
  await dialog.locator('[data-test=notice-check-articles]').click()
  await field(clerk, 'notice-reason-articles').fill('公司章程未经全体股东签字盖章')
  await field(clerk, 'notice-note').fill('请补正后重新提交')
  await dialogSettled(clerk)
  await checkA11y(clerk, 'console: the one-time notice')
  await dialog.locator('[data-test=notice-submit]').click()
  await statusIs(clerk, 'returned')
  await dialog.waitFor({ state: 'hidden' })
  assert.match(await clerk.locator('[data-test=notice]').innerText(), /公司章程未经全体股东签字盖章/)
  assert.match(await material('articles').locator('[data-test=material-correction]').innerText(), /未经全体股东签字盖章/)
  assert.equal(await clerk.locator('[data-test=window-actions]').count(), 0, 'a returned application waits for the applicant')

  // ----- the company corrects the articles and submits again -----
  let r = await company.upload(`/services/applications/${app.id}/materials/articles/file`, PDF + '% signed\n', 'application/pdf')
  assert.equal(r.status, 200, r.text)
  r = await company.post(`/services/applications/${app.id}/submit`, { commitment: true })
  assert.equal(r.status, 200, r.text)
  assert.equal(r.json.status, 'submitted')

  // ----- the clerk accepts it: no second notice -----
  await clerk.goto('/console/window')
  await clerk.locator(`[data-test=window-row][data-number="${app.number}"] [data-test=window-open]`).click()
  await statusIs(clerk, 'submitted')
  await clerk.locator('[data-test=notice-used]').waitFor()
  assert.equal(await clerk.locator('[data-test=notice-open]').isDisabled(), true)
  await clerk.locator('[data-test=accept]').click()
  await statusIs(clerk, 'in_review')
  const tasks = clerk.locator('[data-test=app-task]')
  await tasks.first().waitFor()
  assert.equal(await tasks.count(), 5)
  assert.equal(await clerk.locator('[data-test=app-task][data-status=open]').count(), 5)
  assert.equal(await clerk.locator('[data-test=app-task][data-org=QH-LS-AMR]').count(), 2)
  assert.equal(await clerk.locator('[data-test=app-task][data-org=QH-LS-HC]').count(), 1)
  await clerk.locator('[data-test=history-event][data-type=accepted]').waitFor()
  await checkA11y(clerk, 'console: an accepted application')

  // ----- the health commission approves its task on its tasks page -----
  const health = await openPage(browser, { locale: 'zh-CN' })
  await signIn(health, { username: 'hc.approver' })
  await health.goto('/console/tasks')
  await health.getByRole('heading', { level: 1, name: '审批任务' }).waitFor()
  const hcRow = health.locator(`[data-test=task-row][data-number="${app.number}"]`)
  await hcRow.waitFor()
  assert.equal(await hcRow.count(), 1)
  assert.match(await hcRow.innerText(), /食品经营许可/)
  await health.waitForLoadState('networkidle')
  await checkA11y(health, 'console: approval tasks')
  await hcRow.locator('[data-test=task-approve]').click()
  await field(health, 'approve-comment').fill('从业人员健康证明齐全')
  await dialogSettled(health)
  await checkA11y(health, 'console: approving a task')
  await health.locator('[data-test=approve-confirm]').click()
  await health.locator(`[data-test=task-row][data-number="${app.number}"][data-status=approved]`).waitFor()
  await health.getByRole('dialog').waitFor({ state: 'hidden' })
  assert.match(await health.locator(`[data-test=task-row][data-number="${app.number}"]`).innerText(), /从业人员健康证明齐全/)

  // ----- market regulation, at the same time: one task on the tasks page... -----
  const market = await openPage(browser, { locale: 'zh-CN' })
  await signIn(market, { username: 'approver' })
  await market.goto('/console/tasks')
  await market.getByRole('heading', { level: 1, name: '审批任务' }).waitFor()
  const amrRows = market.locator(`[data-test=task-row][data-number="${app.number}"]`)
  await amrRows.first().waitFor()
  assert.equal(await amrRows.count(), 2)
  await amrRows.first().locator('[data-test=task-approve]').click()
  await market.locator('[data-test=approve-confirm]').click()
  await market.locator(`[data-test=task-row][data-number="${app.number}"][data-status=approved]`).waitFor()
  await market.getByRole('dialog').waitFor({ state: 'hidden' })

  // ----- the tax and social security bureaus decide through the API -----
  for (const who of ['tax.approver', 'hrss.approver']) {
    const s = await apiAs({ username: who })
    const open = await s.get('/services/tasks?status=open')
    const mine = open.json.items.filter((x) => x.application_id === app.id)
    assert.equal(mine.length, 1, `${who} has one task`)
    const done = await s.post(`/services/tasks/${mine[0].id}/approve`, { comment: '同意' })
    assert.equal(done.status, 200, done.text)
  }

  // What the public figures count as decided today before the decision.
  const day = new Date().toISOString().slice(0, 10) // submitted today (UTC dates, as the figures count)
  const figuresBefore = await company.get(`/services/figures?from=${day}&to=${day}&by=item`)
  assert.equal(figuresBefore.status, 200, figuresBefore.text)
  const decidedBefore = figuresBefore.json.total.decided

  // ----- ...and the last one on the application's page, which decides it -----
  await market.locator(`[data-test=task-row][data-number="${app.number}"][data-status=open] [data-test=task-open]`).click()
  await market.waitForURL(`**/console/applications/${app.id}`)
  await statusIs(market, 'in_review')
  const mine = market.locator('[data-test=my-task]')
  await mine.first().waitFor()
  assert.equal(await mine.count(), 1)
  await checkA11y(market, 'console: an application to decide')
  await mine.locator('[data-test=task-approve]').click()
  await field(market, 'approve-comment').fill('符合条件，准予许可')
  await market.locator('[data-test=approve-confirm]').click()
  await statusIs(market, 'approved')
  assert.equal(await market.locator('[data-test=app-certificates]').getAttribute('data-count'), '2')
  await market.locator('[data-test=history-event][data-type=approved]').waitFor()
  assert.equal(await market.locator('[data-test=my-task]').count(), 0)

  // ----- the company's application is approved with its two certificates -----
  const final = await company.get(`/services/applications/${app.id}`)
  assert.equal(final.status, 200, final.text)
  assert.equal(final.json.status, 'approved')
  assert.equal(final.json.credential_ids.length, 2)
  assert.ok(final.json.tasks.every((x) => x.status === 'approved'))
  assert.deepEqual(
    final.json.history.map((e) => e.type).filter((x) => ['submitted', 'returned', 'resubmitted', 'accepted', 'approved'].includes(x)),
    ['submitted', 'returned', 'resubmitted', 'accepted', 'approved'],
  )

  // ----- the public dashboard counts the decision, with a row for each of its items -----
  await market.goto(`/dashboard/services?from=${day}&to=${day}&by=item`)
  const card = market.locator('[data-test=figure-applications]')
  await card.waitFor()
  assert.equal(Number(await card.getAttribute('data-decided')), decidedBefore + 1)
  for (const item of final.json.items)
    await market.locator(`[data-test=figures-row][data-key="${item.id}"]`).waitFor()

  await finish(market)
  await finish(health)
  await finish(clerk)
})
