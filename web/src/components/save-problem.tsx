import { Alert, Button, Group, Text } from '@mantine/core';
import { CONFLICT_MESSAGE, isConflict } from '../lib/conflict';
import { ProblemAlert } from './problem-alert';

/**
 * The answer to a change: a 412 (someone else changed it since it was read; If-Match no longer
 * matches) says so and offers Reload, which re-reads the latest version into the form; any other
 * problem shows its `detail` as ProblemAlert does.
 */
export function SaveProblem({ error, title = 'Not saved', onReload, reloading = false }: {
  error: unknown;
  title?: string;
  onReload: () => void;
  reloading?: boolean;
}) {
  if (!error) return null;
  if (!isConflict(error)) return <ProblemAlert error={error} title={title} />;
  return (
    <Alert color="orange" title="Changed by someone else" role="alert" data-testid="conflict">
      <Group justify="space-between" gap="xs">
        <Text size="sm">{CONFLICT_MESSAGE}</Text>
        <Button size="xs" variant="default" onClick={onReload} loading={reloading}>Reload</Button>
      </Group>
    </Alert>
  );
}
