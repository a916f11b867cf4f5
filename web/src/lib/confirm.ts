// Asks before something that cannot be undone (a deletion, a revocation, a refusal): true when
// the person confirmed, false when they cancelled or closed the box.
import { ElMessageBox } from 'element-plus'
import { i18n } from '@/i18n'

export async function confirmed(message: string, title: string, confirmButtonText: string, danger = false): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText,
      cancelButtonText: i18n.global.t('common.cancel'),
      ...(danger ? { confirmButtonClass: 'el-button--danger' } : {}),
    })
    return true
  } catch {
    return false
  }
}
