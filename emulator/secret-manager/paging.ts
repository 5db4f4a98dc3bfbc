// List paging as Secret Manager does it: `pageSize` (0 or absent = the maximum) and an
// opaque `pageToken` (here: the offset), shared by secrets.list and versions.list.

const MAX_PAGE = 25_000;

export interface Page {
  readonly size: number;
  readonly offset: number;
}

/** The page a query asks for, or undefined when pageSize or pageToken is malformed. */
export function parsePage(query: URLSearchParams): Page | undefined {
  const sizeText = query.get('pageSize') ?? '';
  const size = sizeText === '' ? 0 : Number(sizeText);
  const offset = Number(query.get('pageToken') || '0');
  if (!Number.isInteger(size) || size < 0 || !Number.isInteger(offset) || offset < 0) {
    return undefined;
  }
  return { size: size === 0 ? MAX_PAGE : Math.min(size, MAX_PAGE), offset };
}

/** The items of one page, the token of the next (if any) and the total. */
export function pageOf<T>(
  all: readonly T[],
  page: Page,
): { items: T[]; next?: string; total: number } {
  const end = page.offset + page.size;
  return {
    items: all.slice(page.offset, end),
    ...(end < all.length ? { next: String(end) } : {}),
    total: all.length,
  };
}
