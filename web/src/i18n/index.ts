// Every string the pages show, in Chinese and English. Each area keeps its own file
// (common, portal, console, ledger, admin); they are merged here under their area's name.
import { createI18n } from 'vue-i18n'
import common from './common'
import portal from './portal'
import consoleMessages from './console'
import ledger from './ledger'
import admin from './admin'
import credentials from './credentials'
import services from './services'
import figures from './figures'
import office from './office'
import applications from './applications'

export type Lang = 'zh-CN' | 'en'
export const LANGS: Lang[] = ['zh-CN', 'en']
const STORE_KEY = 'onceonly.lang'

export function initialLang(): Lang {
  const saved = localStorage.getItem(STORE_KEY)
  if (saved === 'zh-CN' || saved === 'en') return saved
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language]
  for (const l of wanted) {
    if (l.toLowerCase().startsWith('zh')) return 'zh-CN'
    if (l.toLowerCase().startsWith('en')) return 'en'
  }
  return 'zh-CN'
}

export function rememberLang(lang: Lang) {
  localStorage.setItem(STORE_KEY, lang)
}

export const messages = {
  'zh-CN': { ...common.zh, portal: portal.zh, console: consoleMessages.zh, ledger: ledger.zh, admin: admin.zh, credentials: credentials.zh, services: services.zh, figures: figures.zh, office: office.zh, applications: applications.zh },
  en: { ...common.en, portal: portal.en, console: consoleMessages.en, ledger: ledger.en, admin: admin.en, credentials: credentials.en, services: services.en, figures: figures.en, office: office.en, applications: applications.en },
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'en',
  messages,
  missingWarn: false,
  fallbackWarn: false,
})
