// The performance figures of one-window service, open to everyone: a visitor who has not signed in
// goes from the dashboard to the service figures, sees the demo's months of applications, groups
// them by level and by service item, sorts the table, and narrows the period to one month.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, openPage, finish, checkA11y, screenshot, field } from './support.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function applications(page) {
  return Number(await page.locator('[data-test=figure-applications]').getAttribute('data-value'))
}

// The table once it shows the groups of `by`.
async function rowsBy(page, by) {
  const rows = page.locator(`[data-test=figures-table][data-by=${by}] [data-test=figures-row]`)
  await rows.first().waitFor()
  await page.waitForLoadState('networkidle')
  return rows
}

async function choosePeriod(page, from, to) {
  for (const [name, day] of [['figures-from', from], ['figures-to', to]]) {
    const input = field(page, name)
    await input.fill(day)
    await input.press('Enter')
  }
  await page.locator('[data-test=figures-apply]').click()
}

test('anyone sees the figures of one-window service, by department, level and item', async () => {
  const page = await openPage(browser, { locale: 'zh-CN' })
  await page.goto('/dashboard')
  await page.locator('[data-test=dashboard-services-link]').click()
  await page.waitForURL('**/dashboard/services')

  // The demo's history: some five hundred applications from September to November 2026.
  await page.locator('[data-test=figure-applications]').waitFor()
  const total = await applications(page)
  assert.ok(total > 0, `applications: ${total}`)
  assert.match(await page.locator('[data-test=figure-applications]').innerText(), /申请件数/)
  for (const name of ['online-share', 'zero-visit-share', 'one-visit-share', 'working-days', 'p90-days', 'compression', 'on-time-rate', 'fetched-share', 'satisfaction']) {
    const card = page.locator(`[data-test=figure-${name}]`)
    const value = Number(await card.getAttribute('data-value'))
    assert.ok(value > 0, `${name}: ${value}`)
  }
  assert.match(await page.locator('[data-test=figure-on-time-rate]').innerText(), /\d+(\.\d)?%/)
  const departments = await rowsBy(page, 'department')
  assert.ok((await departments.count()) > 1)
  await page.locator('[data-test=figures-group-chart] canvas').first().waitFor()
  assert.ok(await page.locator('[data-test=figures-group-chart]').getAttribute('aria-label'))
  assert.ok(await page.locator('[data-test=figures-month-chart]').getAttribute('aria-label'))
  await checkA11y(page, 'service figures by department')
  await screenshot(page, 'service-figures')

  // By level: the demo's items are all the city's.
  await page.locator('[data-test=figures-by-level]').click()
  const levels = await rowsBy(page, 'level')
  assert.ok((await levels.count()) >= 1)
  assert.match(await levels.first().locator('th').innerText(), /市级/)
  assert.equal(await applications(page), total, 'the grouping does not change the total')
  await checkA11y(page, 'service figures by level')

  // By item: more groups, each named and linked to its guide; the table sorts by any column.
  await page.locator('[data-test=figures-by-item]').click()
  const items = await rowsBy(page, 'item')
  assert.ok((await items.count()) > (await departments.count()), 'more items than departments')
  assert.match(page.url(), /by=item/)
  assert.ok(await items.first().locator('th a').getAttribute('href'))
  const heading = page.locator('th', { has: page.locator('[data-test=figures-sort-on_time_rate]') })
  await page.locator('[data-test=figures-sort-on_time_rate]').click()
  assert.equal(await heading.getAttribute('aria-sort'), 'descending')
  const rates = (await items.locator('[data-column=on_time_rate]').allInnerTexts()).map((s) => parseFloat(s)).filter((n) => !Number.isNaN(n))
  assert.deepEqual(rates, [...rates].sort((a, b) => b - a), 'sorted by on-time rate, highest first')
  await page.locator('[data-test=figures-sort-on_time_rate]').click()
  assert.equal(await heading.getAttribute('aria-sort'), 'ascending')
  await checkA11y(page, 'service figures by item')

  // A period that ends before it starts is refused next to its field; October alone has fewer.
  await choosePeriod(page, '2026-10-31', '2026-10-01')
  await page.locator('[data-test=figures-to-error]').waitFor()
  await choosePeriod(page, '2026-10-01', '2026-10-31')
  await page.waitForURL(/from=2026-10-01/)
  await page.waitForFunction((n) => {
    const v = Number(document.querySelector('[data-test=figure-applications]')?.getAttribute('data-value'))
    return v > 0 && v < n
  }, total)
  await rowsBy(page, 'item')
  assert.equal(await page.locator('[data-test=figures-to-error]').count(), 0)
  await page.locator('[data-test=figures-month-table]').evaluate((el) => el.closest('details').setAttribute('open', ''))
  assert.equal(await page.locator('[data-test=figures-month-row]').count(), 1, 'one month')
  await checkA11y(page, 'service figures of October')
  await finish(page)
})
