// A list read page by page with the API's cursors: the first page on load, "load more" after.
import { ref, shallowRef, type Ref } from 'vue'
import type { ApiError, Page } from '@/api/client'

export function usePaged<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  const items = shallowRef<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(false)
  const error = shallowRef<ApiError | null>(null)
  const nextCursor = ref<string | null>(null)
  let generation = 0

  async function load(cursor: string | undefined) {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const page = await fetchPage(cursor)
      if (mine !== generation) return
      items.value = cursor ? [...items.value, ...page.items] : page.items
      total.value = page.total
      nextCursor.value = page.next_cursor
    } catch (e) {
      if (mine !== generation) return
      error.value = e as ApiError
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return {
    items,
    total,
    loading,
    error,
    nextCursor,
    reload: () => load(undefined),
    more: () => (nextCursor.value ? load(nextCursor.value) : Promise.resolve()),
  }
}
