// What every form's own checks need: lengths as the server counts them, and a fresh start.

// Lengths as the server counts them: Unicode code points, not UTF-16 units.
export function chars(s: string): number {
  return [...s].length
}

// Empties a form's reactive record of messages by field, before it is checked again.
export function clearErrors(errors: Record<string, string>) {
  for (const k of Object.keys(errors)) delete errors[k]
}
