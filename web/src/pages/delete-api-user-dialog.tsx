import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiProblem, api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import type { ApiUser } from '../api/types';
import { ProblemAlert } from '../components/problem-alert';

/**
 * Movius' Confirm prompt. Yes sends DELETE with If-Match; when the server answers 409
 * `api_user.last_for_application`, its exact warning is shown and Yes repeats with ?confirm=true.
 * The warning comes from the server: GET of the user carries `delete_warning`, so it is shown
 * before the first Yes as in the guide; if the state changed meanwhile, the DELETE's 409 shows it.
 */
export function DeleteApiUserDialog({ user, etag, onClose, onDeleted }: { user: ApiUser; etag: string; onClose: () => void; onDeleted: () => void | Promise<void> }) {
  const { organization } = useSignedIn();
  const [warning, setWarning] = useState<string | null>(user.delete_warning ?? null);
  const remove = useMutation({
    mutationFn: (confirm: boolean) => unwrap(api.DELETE('/v1/organizations/{org}/api-users/{id}', {
      params: { path: { org: organization.id, id: user.id }, query: { confirm }, header: { 'if-match': etag } },
    })),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: `${user.name} was deleted.` });
      await onDeleted();
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiProblem && error.problem.code === 'api_user.last_for_application') setWarning(error.problem.warning ?? error.problem.detail);
    },
  });
  const conflict = remove.error instanceof ApiProblem && remove.error.status === 412;

  return (
    <Modal opened onClose={onClose} title="Confirm" centered zIndex={400}>
      <Stack>
        {warning && <Text data-testid="delete-warning">{warning}</Text>}
        <Text>Are you sure you want to delete?</Text>
        {conflict && <ProblemAlert error={new Error(`${user.name} was changed by someone else since you opened it. Close and reopen it, then try again.`)} title="Changed by someone else" />}
        {!conflict && !warning && <ProblemAlert error={remove.error} title="Not deleted" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>No</Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(warning !== null)}>Yes</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
