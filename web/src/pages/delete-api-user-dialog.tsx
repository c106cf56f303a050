import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiProblem, api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import type { ApiUser } from '../api/types';
import { SaveProblem } from '../components/save-problem';
import { notifyDone } from '../lib/notify';

const isLastUserWarning = (error: unknown) => error instanceof ApiProblem && error.problem.code === 'api_user.last_for_application';

/**
 * Movius' Confirm prompt. Yes sends DELETE with If-Match; when the server answers 409
 * `api_user.last_for_application`, its exact warning is shown and Yes repeats with ?confirm=true.
 * The warning comes from the server: GET of the user carries `delete_warning`, so it is shown
 * before the first Yes as in the guide; if the state changed meanwhile, the DELETE's 409 shows it.
 * A 412 (someone else changed the user since it was read) says so; Reload reads the latest
 * version (its ETag and warning, and the Edit form behind follows), then Yes deletes that one.
 */
export function DeleteApiUserDialog({ user, etag, onReload, reloading = false, onClose, onDeleted }: {
  user: ApiUser;
  etag: string;
  /** Reads the user again (new ETag and delete_warning come through `user` and `etag`). */
  onReload?: () => Promise<{ isError: boolean }>;
  reloading?: boolean;
  onClose: () => void;
  onDeleted: () => void | Promise<void>;
}) {
  const { organization } = useSignedIn();
  const [refusedWith, setRefusedWith] = useState<string | null>(null);
  const warning = refusedWith ?? user.delete_warning ?? null;
  const remove = useMutation({
    mutationFn: (confirm: boolean) => unwrap(api.DELETE('/v1/organizations/{org}/api-users/{id}', {
      params: { path: { org: organization.id, id: user.id }, query: { confirm }, header: { 'if-match': etag } },
    })),
    onSuccess: async () => {
      notifyDone(`${user.name} was deleted.`);
      await onDeleted();
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiProblem && isLastUserWarning(error)) setRefusedWith(error.problem.warning ?? error.problem.detail);
    },
  });

  async function reload() {
    const latest = await onReload?.();
    if (latest && !latest.isError) {
      setRefusedWith(null);
      remove.reset();
    }
  }

  return (
    <Modal opened onClose={onClose} title="Confirm" centered zIndex={400}>
      <Stack>
        {warning && <Text data-testid="delete-warning">{warning}</Text>}
        <Text>Are you sure you want to delete?</Text>
        {/* The last-user 409 is the warning above; anything else is its detail, a 412 with Reload. */}
        <SaveProblem error={isLastUserWarning(remove.error) ? null : remove.error} title="Not deleted" onReload={() => void reload()} reloading={reloading} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>No</Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(warning !== null)}>Yes</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
