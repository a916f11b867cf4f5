// The console's one-window helpers (components/console/office.ts): a year's calendar checked as
// the server checks it, each problem at its entry, and the colours of clocks and statuses.
import { describe, expect, it } from 'vitest'
import { calendarProblems, clockTag, materialTag, sizeText, statusTag, type AppMaterial } from '@/components/console/office'
import { i18n } from '@/i18n'

describe('calendarProblems', () => {
  it('accepts the 2026 Spring Festival with its make-up Saturdays', () => {
    expect(calendarProblems(2026, { holidays: ['2026-02-15', '2026-02-16', '2026-02-23'], working_days: ['2026-02-14', '2026-02-28'] })).toEqual([])
  })

  it('names each bad entry by its list and place', () => {
    const found = calendarProblems(2027, {
      holidays: ['2027-01-01', '2026-12-31', '2027-01-01', '2027-01-02', '2027-13-01'],
      working_days: ['2027-01-02', '2027-01-05'],
    })
    expect(found).toEqual([
      { list: 'holidays', index: 1, code: 'year' },
      { list: 'holidays', index: 2, code: 'twice' },
      { list: 'holidays', index: 3, code: 'both' },
      { list: 'holidays', index: 4, code: 'format' },
      { list: 'working_days', index: 0, code: 'both' },
      { list: 'working_days', index: 1, code: 'weekday' },
    ])
  })
})

describe('tags', () => {
  it('colours clocks: overdue red, due soon amber, on time green', () => {
    expect(['overdue', 'due_soon', 'on_time', 'stopped', 'none'].map(clockTag)).toEqual(['danger', 'warning', 'success', 'info', 'info'])
  })

  it('marks a material to correct, missing or deficient', () => {
    const m = { code: 'x', state: 'missing', core: true } as AppMaterial
    expect(materialTag(m, false)).toBe('danger')
    expect(materialTag({ ...m, core: false }, true)).toBe('warning')
    expect(materialTag({ ...m, state: 'uploaded', correction: 'unsigned' }, false)).toBe('danger')
    expect(materialTag({ ...m, state: 'fetched' }, false)).toBe('success')
  })

  it('colours applications, tasks and cases alike', () => {
    expect(['approved', 'closed', 'submitted', 'in_review', 'open', 'returned', 'replied', 'rejected', 'withdrawn', 'cancelled'].map(statusTag)).toEqual([
      'success',
      'success',
      'primary',
      'primary',
      'primary',
      'warning',
      'warning',
      'danger',
      'info',
      'info',
    ])
  })

  it('says sizes as people read them', () => {
    i18n.global.locale.value = 'en'
    expect([sizeText(9), sizeText(2048), sizeText(1536 * 1024)]).toEqual(['9 bytes', '2 KB', '1.5 MB'])
  })
})
