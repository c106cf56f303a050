import { keepPreviousData, useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

export interface KeysetPage<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * A keyset-paginated list (`limit` + `cursor`, answered with `next_cursor`) read page by page:
 * `rows` is every page loaded so far, `loadMore` asks for the next one. Invalidating any prefix
 * of `queryKey` reloads from the first page.
 * @example const list = useKeysetList(['audit', org], (cursor) => unwrap(api.GET(path, { params: { path: { org }, query: { cursor } } })));
 */
export function useKeysetList<P extends KeysetPage<unknown>>(queryKey: QueryKey, fetchPage: (cursor: string | undefined) => Promise<P>) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const pages = query.data?.pages ?? [];
  return {
    query,
    /** The first page (for fields every page carries, such as the time zone). */
    first: pages[0],
    rows: pages.flatMap((page) => page.data) as P['data'],
    hasMore: Boolean(query.hasNextPage),
    loadingMore: query.isFetchingNextPage,
    loadMore: () => void query.fetchNextPage(),
  };
}
