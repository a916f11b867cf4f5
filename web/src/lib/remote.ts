// The options of a select that searches the server as one types: the answer to the newest search
// is the one shown, an older one arriving late is dropped.
import { ref, shallowRef, type Ref } from 'vue'

// `settle` makes the options from what a search found (null when it failed) and the options shown.
export function useRemoteOptions<T>(find: (q: string) => Promise<T[]>, settle: (found: T[] | null, shown: T[]) => T[] = (found) => found ?? []) {
  const options = shallowRef<T[]>([]) as Ref<T[]>
  const searching = ref(false)
  let generation = 0

  async function search(q: string) {
    const mine = ++generation
    searching.value = true
    let found: T[] | null
    try {
      found = await find(q)
    } catch {
      found = null
    }
    if (mine !== generation) return
    options.value = settle(found, options.value)
    searching.value = false
  }

  return { options, searching, search }
}
