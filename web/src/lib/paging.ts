// A list read page by page with the API's cursors: the first page on load, "load more" after
// (loadingMore says that a "load more" is under way, for its button, not a reload).
import { ref, shallowRef, type Ref } from 'vue'
import type { ApiError, Page } from '@/api/client'

// What PageState and MoreButton read of a paged list.
export interface Paged {
  items: Ref<unknown[]>
  total: Ref<number>
  loading: Ref<boolean>
  loadingMore: Ref<boolean>
  error: Ref<ApiError | null>
  nextCursor: Ref<string | null>
  reload: () => unknown
  more: () => unknown
}

export function usePaged<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  const items = shallowRef<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(false)
  const error = shallowRef<ApiError | null>(null)
  const nextCursor = ref<string | null>(null)
  const loadingMore = ref(false)
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
    loadingMore,
    more: async () => {
      loadingMore.value = true
      try {
        if (nextCursor.value) await load(nextCursor.value)
      } finally {
        loadingMore.value = false
      }
    },
  }
}
