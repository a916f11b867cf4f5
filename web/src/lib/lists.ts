// What the console's list pages do alike: filters that a list is read with only once searched
// (`filters` is the form, `applied` what the list was read with, so that "load more" keeps to
// it while the form changes), and one row at a time opened to show its details.
import { reactive, ref } from 'vue'

// `blank` makes the filters as they start and as "reset" puts them back; `reload` reads the list.
export function useFilters<F extends object>(blank: () => F, reload: () => unknown) {
  const filters = reactive(blank())
  const applied = reactive(blank())
  function search() {
    Object.assign(applied, filters)
    void reload()
  }
  function reset() {
    Object.assign(filters, blank())
    search()
  }
  return { filters, applied, search, reset }
}

// The id of the row whose details are open; opening another closes it.
export function useExpanded() {
  const expanded = ref<string | null>(null)
  function toggle(id: string) {
    expanded.value = expanded.value === id ? null : id
  }
  return { expanded, toggle }
}
