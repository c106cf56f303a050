import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, unwrapWithEtag } from '../api/client';
import { useSignedIn } from '../api/session';
import type { paths } from '../api/schema';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { SaveProblem } from '../components/save-problem';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';
import { notifyDone } from '../lib/notify';

type Administrator = paths['/v1/organizations/{org}/administrators/{id}']['get']['responses'][200]['content']['application/json'];
type Changes = NonNullable<paths['/v1/organizations/{org}/administrators/{id}']['patch']['requestBody']>['content']['application/json'];

/**
 * Edit Administrator for a person: name, email, role and status, saved with If-Match. The server's
 * rules stand (the Account owner keeps their role until ownership is transferred, nobody changes
 * their own role or status, only roles whose privileges you hold); its `detail` is shown.
 */
export function EditAdministratorModal({ id, onClose }: { id: string; onClose: () => void }) {
  const { organization } = useSignedIn();
  const narrow = useMediaQuery('(max-width: 600px)');
  const current = useQuery({
    queryKey: ['administrator', organization.id, id],
    queryFn: () => unwrapWithEtag(api.GET('/v1/organizations/{org}/administrators/{id}', { params: { path: { org: organization.id, id } } })),
  });
  return (
    <Modal opened onClose={onClose} title="Edit Administrator" size="lg" fullScreen={narrow}>
      <ProblemAlert error={current.error} title="Could not open the administrator" />
      {current.isPending && <Text>Loading…</Text>}
      {current.data && (
        <EditAdministratorForm key={current.data.etag} admin={current.data.data} etag={current.data.etag}
          reloading={current.isFetching} onReload={() => void current.refetch()} onClose={onClose} />
      )}
    </Modal>
  );
}

function EditAdministratorForm({ admin, etag, onReload, reloading, onClose }: { admin: Administrator; etag: string; onReload: () => void; reloading: boolean; onClose: () => void }) {
  const session = useSignedIn();
  const { organization } = session;
  const client = useQueryClient();
  const [firstName, setFirstName] = useState(admin.first_name);
  const [lastName, setLastName] = useState(admin.last_name);
  const [email, setEmail] = useState(admin.email);
  const [roleId, setRoleId] = useState<string | null>(admin.role.id);
  const [status, setStatus] = useState<string | null>(admin.status);
  const roles = useQuery({
    queryKey: ['roles', organization.id],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/roles', { params: { path: { org: organization.id } } })),
  });
  const isOwner = admin.role.id === 'owner';
  const isSelf = admin.id === session.administrator.id;
  const accessLocked = isOwner || isSelf;
  const roleOptions = (roles.data?.data ?? [])
    .filter((r) => r.assignable_to === 'admin' && (r.id !== 'owner' || isOwner))
    .map((r) => ({ value: r.id, label: r.name }));
  if (!roleOptions.some((o) => o.value === admin.role.id)) roleOptions.unshift({ value: admin.role.id, label: admin.role.name });

  // Only what changed is sent, so an unchanged role never trips the owner or self rules.
  const changes: Changes = {
    ...(firstName.trim() !== admin.first_name ? { first_name: firstName.trim() } : {}),
    ...(lastName.trim() !== admin.last_name ? { last_name: lastName.trim() } : {}),
    ...(email.trim() !== admin.email ? { email: email.trim() } : {}),
    ...(roleId && roleId !== admin.role.id ? { role_id: roleId } : {}),
    ...(status && status !== admin.status ? { status: status as 'enabled' | 'disabled' } : {}),
  };
  const changed = Object.keys(changes).length > 0;
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/organizations/{org}/administrators/{id}', {
      params: { path: { org: organization.id, id: admin.id }, header: { 'if-match': etag } }, body: changes,
    })),
    onSuccess: async (saved) => {
      notifyDone(`Saved ${saved.name}.`);
      await client.invalidateQueries({ queryKey: ['directory', organization.id] });
      await client.invalidateQueries({ queryKey: ['administrator', organization.id, admin.id] });
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (changed) save.mutate();
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TimeZoneNote />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="First Name" required value={firstName} onChange={(e) => setFirstName(e.currentTarget.value)} error={fieldError(save.error, 'first_name')} />
          <TextInput label="Last Name" required value={lastName} onChange={(e) => setLastName(e.currentTarget.value)} error={fieldError(save.error, 'last_name')} />
        </SimpleGrid>
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(save.error, 'email')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label="Role" required data={roleOptions} value={roleId} onChange={setRoleId} allowDeselect={false} readOnly={accessLocked}
            error={fieldError(save.error, 'role_id')} />
          <Select label="Status" data={admin.status === 'invited' ? [{ value: 'invited', label: 'Invited' }] : [{ value: 'enabled', label: 'Enabled' }, { value: 'disabled', label: 'Disabled' }]}
            value={status} onChange={setStatus} allowDeselect={false} readOnly={accessLocked || admin.status === 'invited'} error={fieldError(save.error, 'status')}
            description={admin.status === 'invited' ? 'Becomes Enabled when the invitation is accepted.' : 'Disabling signs them out everywhere.'} />
        </SimpleGrid>
        {isOwner && <Alert color="gray" title="Account owner">The Account owner keeps this role and stays enabled until ownership is transferred to another administrator.</Alert>}
        {isSelf && !isOwner && <Alert color="gray" title="Your own account">You cannot change your own role or status; ask another administrator.</Alert>}
        <Group gap="xl">
          <Text size="sm">Organization : {organization.display_name}</Text>
          <Text size="sm">Last Sign In : {formatSignIn(admin.last_sign_in_at, organization.time_zone) || 'Never'}</Text>
        </Group>
        <SaveProblem error={save.error} onReload={onReload} reloading={reloading} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Close</Button>
          <Button type="submit" loading={save.isPending} disabled={!changed}>Save</Button>
        </Group>
      </Stack>
    </form>
  );
}
