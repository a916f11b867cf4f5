// The figures page's helpers (lib/figures.ts): shares and working days in each language, every
// month of a period, and the groups sorted by any column with the missing figures last.
import { afterEach, describe, expect, it } from 'vitest'
import { i18n } from '@/i18n'
import { emptyFigures, fillMonths, formatDays, formatMonth, formatShare, largest, levelRank, monthsOf, sortGroups, type FigureGroup } from '@/lib/figures'

function group(key: string, figures: Partial<FigureGroup>): FigureGroup {
  return { ...emptyFigures(key), ...figures }
}

afterEach(() => {
  i18n.global.locale.value = 'zh-CN'
})

describe('formatShare', () => {
  it('shows a share as a percentage with at most one decimal', () => {
    expect(formatShare(0.853448, 'zh-CN')).toBe('85.3%')
    expect(formatShare(0.853448, 'en')).toBe('85.3%')
    expect(formatShare(1, 'en')).toBe('100%')
    expect(formatShare(0, 'zh-CN')).toBe('0%')
  })
  it('follows the language: German writes a decimal comma and a space before the sign', () => {
    expect(formatShare(0.853448, 'de')).toMatch(/^85,3\s%$/)
  })
  it('takes the chosen language by default', () => {
    i18n.global.locale.value = 'en'
    expect(formatShare(0.5)).toBe('50%')
  })
  it('shows a dash when there was nothing to divide', () => {
    expect(formatShare(null)).toBe('—')
    expect(formatShare(undefined)).toBe('—')
    expect(formatShare(Number.NaN)).toBe('—')
  })
})

describe('formatDays and formatMonth', () => {
  it('rounds working days to one decimal, grouping thousands', () => {
    expect(formatDays(2.8971, 'en')).toBe('2.9')
    expect(formatDays(6, 'zh-CN')).toBe('6')
    expect(formatDays(1234.56, 'en')).toBe('1,234.6')
    expect(formatDays(null)).toBe('—')
  })
  it('names a month in the language', () => {
    expect(formatMonth('2026-09', 'zh-CN')).toBe('2026年9月')
    expect(formatMonth('2026-09', 'en')).toBe('Sep 2026')
    expect(formatMonth('not a month', 'en')).toBe('not a month')
  })
})

describe('monthsOf and fillMonths', () => {
  it('lists every month a period touches, across a year', () => {
    expect(monthsOf('2025-12-04', '2026-03-01')).toEqual(['2025-12', '2026-01', '2026-02', '2026-03'])
    expect(monthsOf('2026-09-30', '2026-09-30')).toEqual(['2026-09'])
    expect(monthsOf('2026-10-01', '2026-09-30')).toEqual([])
    expect(monthsOf('', '2026-09-30')).toEqual([])
  })
  it('fills the months without applications with empty figures and keeps the others', () => {
    const sept = { ...emptyFigures('2026-09'), applications: 193, on_time_rate: 0.92 }
    const nov = { ...emptyFigures('2026-11'), applications: 185, on_time_rate: 0.91 }
    const months = fillMonths({ from: '2026-08-15', to: '2026-12-04', months: [sept, nov] })
    expect(months.map((m) => m.key)).toEqual(['2026-08', '2026-09', '2026-10', '2026-11', '2026-12'])
    expect(months[1]).toBe(sept)
    expect(months[3]).toBe(nov)
    expect(months[2]).toEqual(emptyFigures('2026-10'))
    expect(months[2].on_time_rate).toBeNull()
    expect(months[2].applications).toBe(0)
  })
  it('keeps a month the API lists outside the period, in order', () => {
    const months = fillMonths({ from: '2026-10-01', to: '2026-10-31', months: [{ ...emptyFigures('2026-11'), applications: 1 }] })
    expect(months.map((m) => m.key)).toEqual(['2026-10', '2026-11'])
  })
})

describe('sortGroups', () => {
  const groups = [
    group('a', { name_zh: '公安局', name_en: 'Police', applications: 95, on_time_rate: 0.89 }),
    group('b', { name_zh: '税务局', name_en: 'Tax', applications: 80, on_time_rate: null }),
    group('c', { name_zh: '民政局', name_en: 'Civil affairs', applications: 80, on_time_rate: 0.94 }),
    group('d', { name_zh: '卫健委', name_en: 'Health', applications: 3, on_time_rate: 0.5 }),
  ]
  const name = (g: FigureGroup) => g.name_en ?? ''

  it('sorts by a figure either way, the groups without it last', () => {
    expect(sortGroups(groups, 'on_time_rate', 'descending', name).map((g) => g.key)).toEqual(['c', 'a', 'd', 'b'])
    expect(sortGroups(groups, 'on_time_rate', 'ascending', name).map((g) => g.key)).toEqual(['d', 'a', 'c', 'b'])
  })
  it('keeps the order it was given between equals', () => {
    expect(sortGroups(groups, 'applications', 'descending', name).map((g) => g.key)).toEqual(['a', 'b', 'c', 'd'])
    expect(sortGroups(groups, 'applications', 'ascending', name).map((g) => g.key)).toEqual(['d', 'b', 'c', 'a'])
  })
  it('sorts by name, and levels in their own order', () => {
    expect(sortGroups(groups, 'name', 'ascending', name).map((g) => g.key)).toEqual(['c', 'd', 'a', 'b'])
    expect(sortGroups(groups, 'name', 'descending', name).map((g) => g.key)).toEqual(['b', 'a', 'd', 'c'])
    const levels = ['township', 'city', 'province', 'other', 'county'].map((k) => group(k, {}))
    expect(sortGroups(levels, 'name', 'ascending', (g) => g.key, 'level').map((g) => g.key)).toEqual(['province', 'city', 'county', 'township', 'other'])
    expect(levelRank('village')).toBe(4)
  })
  it('leaves the list it was given alone', () => {
    const copy = [...groups]
    sortGroups(groups, 'applications', 'ascending', name)
    expect(groups).toEqual(copy)
  })
})

describe('largest', () => {
  it('finds the first group with the largest figure, skipping the missing ones', () => {
    const groups = [group('a', { on_time_rate: null }), group('b', { on_time_rate: 0.9 }), group('c', { on_time_rate: 0.9 })]
    expect(largest(groups, 'on_time_rate')?.key).toBe('b')
    expect(largest([group('a', {})], 'on_time_rate')).toBeNull()
    expect(largest([], 'applications')).toBeNull()
  })
})
