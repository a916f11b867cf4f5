// Every page, who may open it, and the menu entries built from the same table.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { session, loadSession, hasRole, isPerson } from '@/api/session'

export type Audience = 'public' | 'person' | 'staff'

declare module 'vue-router' {
  interface RouteMeta {
    title: string // i18n key
    audience: Audience
    roles?: string[] // staff pages: any of these roles (none: any staff)
    menu?: boolean // shown in its audience's menu
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('@/views/public/HomePage.vue'), meta: { title: 'nav.home', audience: 'public' } },
  { path: '/sign-in', name: 'sign-in', component: () => import('@/views/public/SignInPage.vue'), meta: { title: 'nav.signIn', audience: 'public' } },
  { path: '/catalog', name: 'catalog', component: () => import('@/views/public/CatalogPage.vue'), meta: { title: 'nav.catalog', audience: 'public', menu: true } },
  { path: '/catalog/:id', name: 'resource', component: () => import('@/views/public/ResourcePage.vue'), meta: { title: 'nav.catalog', audience: 'public' } },
  { path: '/ledger', name: 'ledger', component: () => import('@/views/public/LedgerPage.vue'), meta: { title: 'nav.ledger', audience: 'public', menu: true } },
  { path: '/verify', name: 'verify', component: () => import('@/views/public/VerifyPage.vue'), meta: { title: 'credentials.nav.verify', audience: 'public' } },
  { path: '/dashboard', name: 'dashboard', component: () => import('@/views/public/DashboardPage.vue'), meta: { title: 'nav.dashboard', audience: 'public', menu: true } },
  { path: '/dashboard/services', name: 'service-figures', component: () => import('@/views/public/ServiceFiguresPage.vue'), meta: { title: 'figures.nav.title', audience: 'public' } },
  { path: '/services', name: 'services', component: () => import('@/views/public/ServicesPage.vue'), meta: { title: 'services.nav.guide', audience: 'public', menu: true } },
  { path: '/services/items/:id', name: 'service-item', component: () => import('@/views/public/ServiceItemPage.vue'), meta: { title: 'services.nav.guide', audience: 'public' } },
  { path: '/services/packages/:id', name: 'service-package', component: () => import('@/views/public/ServicePackagePage.vue'), meta: { title: 'services.nav.guide', audience: 'public' } },

  { path: '/me', name: 'profile', component: () => import('@/views/portal/ProfilePage.vue'), meta: { title: 'nav.profile', audience: 'person', menu: true } },
  { path: '/me/accesses', name: 'accesses', component: () => import('@/views/portal/AccessesPage.vue'), meta: { title: 'nav.accesses', audience: 'person', menu: true } },
  { path: '/me/consents', name: 'consents', component: () => import('@/views/portal/ConsentsPage.vue'), meta: { title: 'nav.consents', audience: 'person', menu: true } },
  { path: '/me/wallet', name: 'wallet', component: () => import('@/views/portal/WalletPage.vue'), meta: { title: 'credentials.nav.wallet', audience: 'person', menu: true } },
  { path: '/me/wallet/:id', name: 'certificate', component: () => import('@/views/portal/CertificatePage.vue'), meta: { title: 'credentials.nav.certificate', audience: 'person' } },
  { path: '/me/applications', name: 'applications', component: () => import('@/views/portal/ApplicationsPage.vue'), meta: { title: 'applications.nav.mine', audience: 'person', menu: true } },
  { path: '/me/applications/:id', name: 'application', component: () => import('@/views/portal/ApplicationPage.vue'), meta: { title: 'applications.nav.application', audience: 'person' } },
  { path: '/me/messages', name: 'messages', component: () => import('@/views/portal/MessagesPage.vue'), meta: { title: 'applications.nav.messages', audience: 'person', menu: true } },

  { path: '/console', name: 'console', component: () => import('@/views/console/ConsoleHome.vue'), meta: { title: 'nav.console', audience: 'staff' } },
  { path: '/console/orgs', name: 'orgs', component: () => import('@/views/console/OrgsPage.vue'), meta: { title: 'nav.orgs', audience: 'staff', roles: ['platform_admin', 'org_admin'], menu: true } },
  { path: '/console/accounts', name: 'accounts', component: () => import('@/views/console/AccountsPage.vue'), meta: { title: 'nav.accounts', audience: 'staff', roles: ['platform_admin', 'org_admin'], menu: true } },
  { path: '/console/catalog', name: 'catalog-admin', component: () => import('@/views/console/CatalogAdminPage.vue'), meta: { title: 'nav.catalogAdmin', audience: 'staff', roles: ['data_officer'], menu: true } },
  { path: '/console/catalog/:id', name: 'resource-admin', component: () => import('@/views/console/ResourceAdminPage.vue'), meta: { title: 'nav.catalogAdmin', audience: 'staff', roles: ['data_officer'] } },
  { path: '/console/requests', name: 'requests', component: () => import('@/views/console/RequestsPage.vue'), meta: { title: 'nav.requests', audience: 'staff', roles: ['data_officer'], menu: true } },
  { path: '/console/grants', name: 'grants', component: () => import('@/views/console/GrantsPage.vue'), meta: { title: 'nav.grants', audience: 'staff', roles: ['data_officer', 'auditor'], menu: true } },
  { path: '/console/query', name: 'query', component: () => import('@/views/console/QueryPage.vue'), meta: { title: 'nav.query', audience: 'staff', menu: true } },
  { path: '/console/accesses', name: 'dept-accesses', component: () => import('@/views/console/DeptAccessesPage.vue'), meta: { title: 'nav.deptAccesses', audience: 'staff', roles: ['data_officer', 'auditor'], menu: true } },
  { path: '/console/audit', name: 'audit', component: () => import('@/views/console/AuditPage.vue'), meta: { title: 'nav.audit', audience: 'staff', roles: ['auditor', 'platform_admin'], menu: true } },
  { path: '/console/credentials', name: 'credentials', component: () => import('@/views/console/CredentialsPage.vue'), meta: { title: 'credentials.nav.issued', audience: 'staff', roles: ['approver', 'org_admin', 'auditor'], menu: true } },
  { path: '/console/credential-types', name: 'credential-types', component: () => import('@/views/console/CredentialTypesPage.vue'), meta: { title: 'credentials.nav.types', audience: 'staff', roles: ['org_admin', 'approver', 'auditor'], menu: true } },
  { path: '/console/ledger', name: 'ledger-explorer', component: () => import('@/views/console/LedgerExplorerPage.vue'), meta: { title: 'nav.ledgerExplorer', audience: 'staff', roles: ['auditor', 'platform_admin'], menu: true } },
  { path: '/console/window', name: 'office-window', component: () => import('@/views/console/WindowPage.vue'), meta: { title: 'office.nav.window', audience: 'staff', roles: ['clerk'], menu: true } },
  { path: '/console/applications/:id', name: 'application-review', component: () => import('@/views/console/ApplicationReviewPage.vue'), meta: { title: 'office.nav.review', audience: 'staff', roles: ['clerk', 'approver', 'org_admin', 'auditor'] } },
  { path: '/console/tasks', name: 'office-tasks', component: () => import('@/views/console/TasksPage.vue'), meta: { title: 'office.nav.tasks', audience: 'staff', roles: ['approver'], menu: true } },
  { path: '/console/rectifications', name: 'office-rectifications', component: () => import('@/views/console/RectificationsPage.vue'), meta: { title: 'office.nav.cases', audience: 'staff', roles: ['approver', 'org_admin'], menu: true } },
  { path: '/console/service-settings', name: 'service-settings', component: () => import('@/views/console/ServiceSettingsPage.vue'), meta: { title: 'office.nav.settings', audience: 'staff', roles: ['platform_admin'], menu: true } },

  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/views/public/NotFoundPage.vue'), meta: { title: 'nav.home', audience: 'public' } },
]

export const router = createRouter({ history: createWebHistory(), routes, scrollBehavior: () => ({ top: 0 }) })

// May the signed-in account open this route?
export function allowed(meta: { audience: Audience; roles?: string[] }): boolean {
  if (meta.audience === 'public') return true
  const a = session.account
  if (!a) return false
  if (meta.audience === 'person') return isPerson(a)
  if (a.kind !== 'staff') return false
  return !meta.roles || hasRole(...meta.roles)
}

export function menuFor(audience: Audience) {
  return routes.filter((r) => r.meta?.menu && r.meta.audience === audience && allowed(r.meta))
}

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try {
      await loadSession()
    } catch {
      // the server is unreachable: public pages still open and say so when they load
    }
  }
  if (to.meta.audience === 'public') return true
  if (!session.account) return { name: 'sign-in', query: { next: to.fullPath } }
  if (!allowed(to.meta)) return { name: session.account.kind === 'staff' ? 'console' : 'profile' }
  return true
})
