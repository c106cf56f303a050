import { Button, Group, Text } from '@mantine/core';

/**
 * Under a keyset-paginated list: how many rows are shown and "Load more" while the server sent a
 * `next_cursor`. Pages are appended, so every row stays reachable however long the list is.
 */
export function LoadMore({ shown, noun, hasMore, loading, onLoad }: {
  shown: number;
  /** Plural, or [singular, plural]: "API users", ["event", "events"]. */
  noun: string | [string, string];
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
}) {
  if (shown === 0 && !hasMore) return null;
  const what = typeof noun === 'string' ? noun : noun[shown === 1 ? 0 : 1];
  return (
    <Group justify="space-between" gap="xs">
      <Text size="sm" c="dimmed" aria-live="polite" data-testid="shown-count">
        {hasMore ? `Showing the first ${shown} ${what}` : shown === 1 ? `Showing the only ${what}` : `Showing all ${shown} ${what}`}
      </Text>
      {hasMore && <Button variant="default" onClick={onLoad} loading={loading}>Load more</Button>}
    </Group>
  );
}
