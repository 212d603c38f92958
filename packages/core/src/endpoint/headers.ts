// Reading request headers as Node hands them over.

/** A header that may arrive as a list, as one string. */
export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('; ') : value;
}
