// Deciding a department's approval task, on the tasks page and on an application's page: an
// approver approves it with a comment if they wish (at most MAX_TEXT characters, checked here) or
// rejects it with a reason (checked by ReasonDialog). The page says what follows a decision
// (`decided`, with the application as it is now and the words to show) and, if it wishes, what
// follows a refusal (`refused`); the server's message about the comment or reason shows at its
// field, the request's above the form. TaskDecisionDialogs.vue shows the two dialogs.
import { reactive } from 'vue'
import { useI18n } from 'vue-i18n'
import { api, ApiError } from '@/api/client'
import { chars } from '@/lib/forms'
import { problemText } from '@/lib/problem'
import { MAX_TEXT, type AppTask, type Application } from '@/lib/applications'

export interface TaskDecisionOptions {
  decided: (task: AppTask, app: Application, message: string) => void
  refused?: (e: ApiError) => void
}

export function useTaskDecision(options: TaskDecisionOptions) {
  const { t } = useI18n()
  const approval = reactive({ open: false, task: null as AppTask | null, comment: '', failure: '', error: '' })
  const rejection = reactive({ open: false, task: null as AppTask | null, reason: '', failure: '', error: '' })
  const state = reactive({ deciding: false })

  function openApprove(x: AppTask) {
    Object.assign(approval, { open: true, task: x, comment: '', failure: '', error: '' })
  }
  async function sendApprove() {
    const x = approval.task
    if (!x) return
    approval.failure = ''
    approval.error = ''
    if (chars(approval.comment.trim()) > MAX_TEXT) {
      approval.error = t('console.form.length', { min: 0, max: MAX_TEXT })
      return
    }
    state.deciding = true
    try {
      const body = approval.comment.trim() ? { comment: approval.comment.trim() } : {}
      const a = await api.post<Application>(`/services/tasks/${encodeURIComponent(x.id)}/approve`, body)
      approval.open = false
      options.decided(x, a, t('office.tasks.approved'))
    } catch (e) {
      if (e instanceof ApiError) {
        approval.error = e.fieldErrors().comment ?? ''
        options.refused?.(e)
      }
      approval.failure = problemText(e)
    } finally {
      state.deciding = false
    }
  }

  function openReject(x: AppTask) {
    Object.assign(rejection, { open: true, task: x, reason: '', failure: '', error: '' })
  }
  async function sendReject() {
    const x = rejection.task
    if (!x) return
    rejection.error = ''
    state.deciding = true
    try {
      const a = await api.post<Application>(`/services/tasks/${encodeURIComponent(x.id)}/reject`, { reason: rejection.reason.trim() })
      rejection.open = false
      options.decided(x, a, t('office.tasks.rejected'))
    } catch (e) {
      if (e instanceof ApiError) {
        rejection.error = e.fieldErrors().reason ?? ''
        options.refused?.(e)
      }
      rejection.failure = problemText(e)
    } finally {
      state.deciding = false
    }
  }

  return { approval, rejection, state, openApprove, sendApprove, openReject, sendReject }
}

export type TaskDecision = ReturnType<typeof useTaskDecision>
