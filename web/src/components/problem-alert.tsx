import { Alert, List } from '@mantine/core';
import { ApiProblem } from '../api/client';

/** A server error as the user should read it: the problem's `detail`, then each field error. */
export function ProblemAlert({ error, title = 'Not saved' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error.problem : null;
  const detail = problem?.detail || (error instanceof Error ? error.message : String(error));
  return (
    <Alert color="red" title={title} role="alert">
      {detail}
      {problem?.errors && problem.errors.length > 1 && (
        <List size="sm" mt="xs">
          {problem.errors.map((e) => <List.Item key={e.pointer + e.detail}>{e.pointer.replace(/^\//, '') || 'request'}: {e.detail}</List.Item>)}
        </List>
      )}
    </Alert>
  );
}

/** The server's message for one field (`/password` …), to show under that input. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.problem.errors?.find((e) => e.pointer === `/${field}`)?.detail;
}
