// Something a page section reads (not a paged list: see paging.ts), with the states PageState
// shows: loading while a read is under way, the error of the last one that failed.
import { ref, shallowRef } from 'vue'
import type { ApiError } from '@/api/client'

// `loadingAtFirst`: a section that reads as soon as it is shown says so from the start.
export function useLoad(read: () => Promise<void>, loadingAtFirst = false) {
  const loading = ref(loadingAtFirst)
  const error = shallowRef<ApiError | null>(null)
  async function run() {
    loading.value = true
    error.value = null
    try {
      await read()
    } catch (e) {
      error.value = e as ApiError
    } finally {
      loading.value = false
    }
  }
  return { loading, error, run }
}
