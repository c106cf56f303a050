import { Breadcrumbs, Button, Checkbox, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiProblem, api, unwrap, unwrapWithEtag } from '../api/client';
import { useSignedIn } from '../api/session';
import type { ApiUser } from '../api/types';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { SaveProblem } from '../components/save-problem';
import { TimeZoneNote } from '../components/time-zone-note';
import { notifyDone } from '../lib/notify';
import { ApiKeysModal } from './api-keys-modal';
import { DeleteApiUserDialog } from './delete-api-user-dialog';

export const SALESFORCE_NOTE = 'Note: you must select Salesforce to create a connection to MultiLine for Salesforce. Selecting HttpApi will not work.';

/** The API user being edited, as last read, with its ETag; `onReload` reads it again (after a 412). */
export interface Editing {
  user: ApiUser;
  etag: string;
  onReload: () => Promise<{ isError: boolean }>;
  reloading: boolean;
}

interface Props {
  /** Edit this API user; absent: Add API User. */
  editing?: Editing;
  onClose: () => void;
}

/**
 * Movius: Add API User (personal details, external applications; the user is emailed their
 * username and a one-time link) and Edit Administrator for an API user (plus Resend Invite and
 * Delete). Changes are sent with If-Match; a 412 (someone else changed the user since) says so
 * and Reload reads the latest version into the form.
 */
export function ApiUserFormModal({ editing, onClose }: Props) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const narrow = useMediaQuery('(max-width: 600px)');
  const user = editing?.user;
  const [firstName, setFirstName] = useState(user?.first_name ?? '');
  const [lastName, setLastName] = useState(user?.last_name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [applications, setApplications] = useState<string[]>(user ? user.applications.map((a) => a.key) : []);
  const [confirmRemoval, setConfirmRemoval] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [showKeys, setShowKeys] = useState(false);
  // A newer version came (Reload, or a refetch): the form shows it, as the other edit forms do.
  const [shownEtag, setShownEtag] = useState(editing?.etag);
  if (editing && user && editing.etag !== shownEtag) {
    setShownEtag(editing.etag);
    setFirstName(user.first_name);
    setLastName(user.last_name);
    setEmail(user.email ?? '');
    setApplications(user.applications.map((a) => a.key));
    setConfirmRemoval(null);
  }
  const apps = useQuery({
    queryKey: ['applications', organization.id],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/applications', { params: { path: { org: organization.id } } })),
  });
  const refresh = async () => {
    await client.invalidateQueries({ queryKey: ['directory', organization.id] });
    await client.invalidateQueries({ queryKey: ['api-users', organization.id] });
    // The user itself too: reopened, Edit must show (and send the ETag of) what was just saved.
    await client.invalidateQueries({ queryKey: ['api-user', organization.id] });
  };

  const save = useMutation({
    mutationFn: async (confirm: boolean) => {
      const body = { first_name: firstName.trim(), last_name: lastName.trim(), email: email.trim(), applications };
      if (!editing) return unwrap(api.POST('/v1/organizations/{org}/api-users', { params: { path: { org: organization.id } }, body }));
      return unwrap(api.PATCH('/v1/organizations/{org}/api-users/{id}', {
        params: { path: { org: organization.id, id: editing.user.id }, query: { confirm }, header: { 'if-match': editing.etag } },
        body,
      }));
    },
    onSuccess: async () => {
      notifyDone(editing ? 'Saved.' : `${firstName} ${lastName} was added; an invitation was sent to ${email}.`);
      await refresh();
      onClose();
    },
    onError: (error) => {
      // Removing an application from its last API user needs a second, informed yes.
      if (error instanceof ApiProblem && error.problem.code === 'api_user.last_for_application') setConfirmRemoval(error.problem.warning ?? error.problem.detail);
    },
  });
  const resend = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/organizations/{org}/api-users/{id}/invite', { params: { path: { org: organization.id, id: user!.id } } })),
    onSuccess: () => notifyDone(`A new invitation was sent to ${user?.email}.`),
  });

  /** After a 412: read the latest version (the form follows it), then forget the refused save. */
  async function reload() {
    const latest = await editing?.onReload();
    if (latest && !latest.isError) save.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(false);
  }

  const title = editing ? 'Edit Administrator' : 'Add API User';
  return (
    <Modal opened onClose={onClose} size="xl" fullScreen={narrow} title={
      <Breadcrumbs separator="›">
        <Text size="sm">{organization.display_name}</Text><Text size="sm">Administrators</Text><Text size="sm" fw={600}>{title}</Text>
      </Breadcrumbs>
    }>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TimeZoneNote />
          <Group justify="space-between">
            <Title order={3}>{editing ? 'Profile' : 'Personal Details'}</Title>
            {editing && (
              <Group gap="xs">
                <Button variant="default" onClick={() => setShowKeys(true)}>Credentials</Button>
                <Button variant="default" onClick={() => resend.mutate()} loading={resend.isPending} disabled={!user?.email}>Resend Invite</Button>
                <Button color="red" variant="light" onClick={() => setDeleting(true)}>Delete</Button>
              </Group>
            )}
          </Group>
          <ProblemAlert error={resend.error} title="Invitation not sent" />
          <Group grow align="flex-start" wrap={narrow ? 'wrap' : 'nowrap'}>
            <TextInput label="First Name" required value={firstName} onChange={(e) => setFirstName(e.currentTarget.value)} error={fieldError(save.error, 'first_name')} />
            <TextInput label="Last Name" required value={lastName} onChange={(e) => setLastName(e.currentTarget.value)} error={fieldError(save.error, 'last_name')} />
          </Group>
          <TextInput label="Email" type="email" required description="The API user's username and a one-time link to their password are sent here."
            value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(save.error, 'email')} />
          {editing && (
            <Group grow>
              <TextInput label="Organization" readOnly value={organization.display_name} />
              <TextInput label="Role" readOnly value={user?.role.name ?? ''} />
            </Group>
          )}
          <Checkbox.Group label="External Applications" withAsterisk value={applications} onChange={setApplications}
            description="The applications this API user connects as." error={fieldError(save.error, 'applications')}>
            <Stack gap="xs" mt="xs">
              {apps.data?.data.map((app) => (
                <Checkbox key={app.id} value={app.key} label={app.name} description={app.kind === 'custom' ? 'Custom app' : app.description} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Text size="sm" fs="italic">{SALESFORCE_NOTE}</Text>
          {confirmRemoval && (
            <Stack gap="xs" p="sm" bg="yellow.0" role="alert">
              <Text size="sm">{confirmRemoval}</Text>
              <Group gap="xs">
                <Button size="xs" variant="default" onClick={() => setConfirmRemoval(null)}>No</Button>
                <Button size="xs" color="red" onClick={() => save.mutate(true)}>Save anyway</Button>
              </Group>
            </Stack>
          )}
          {!confirmRemoval && <SaveProblem error={save.error} onReload={() => void reload()} reloading={editing?.reloading ?? false} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{editing ? 'Close' : 'Cancel'}</Button>
            <Button type="submit" loading={save.isPending} disabled={applications.length === 0}>Save</Button>
          </Group>
        </Stack>
      </form>
      {showKeys && user && <ApiKeysModal user={user} onClose={() => setShowKeys(false)} />}
      {deleting && user && editing && (
        <DeleteApiUserDialog user={user} etag={editing.etag} onReload={editing.onReload} reloading={editing.reloading}
          onClose={() => setDeleting(false)} onDeleted={async () => { await refresh(); onClose(); }} />
      )}
    </Modal>
  );
}

/** Reads the API user with its ETag, for Edit and Delete. */
export function useApiUser(id: string | null) {
  const { organization } = useSignedIn();
  return useQuery({
    queryKey: ['api-user', organization.id, id],
    enabled: Boolean(id),
    queryFn: () => unwrapWithEtag(api.GET('/v1/organizations/{org}/api-users/{id}', { params: { path: { org: organization.id, id: id! } } })),
  });
}
