import { ActionIcon, Button, Checkbox, CloseButton, Group, Paper, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import type { DirectoryRow } from '../api/types';
import { LoadMore } from '../components/load-more';
import { ProblemAlert } from '../components/problem-alert';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';
import { useKeysetList } from '../lib/keyset';
import { notifyDone } from '../lib/notify';
import { AddAdministratorModal } from './add-administrator-modal';
import { ApiUserFormModal, useApiUser } from './api-user-form-modal';
import { EditAdministratorModal } from './edit-administrator-modal';

/** Movius: the Administrators tool, people and API users in one list. */
export function AdministratorsPage() {
  const { organization, privileges } = useSignedIn();
  const wide = useMediaQuery('(min-width: 1100px)');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [checked, setChecked] = useState<string[]>([]);
  const [detailsId, setDetailsId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'add-api-user' | 'add-admin' | 'edit' | null>(null);
  const manageApiUsers = privileges.includes('api-users:manage') || privileges.includes('account:manage');
  const manageAdmins = privileges.includes('admins:manage') || privileges.includes('account:manage');

  // Keyset pages of 100 with Load more, so every row is reachable however many there are.
  const list = useKeysetList(['directory', organization.id, 'pages', q], (cursor) => unwrap(api.GET('/v1/organizations/{org}/administrators', {
    params: { path: { org: organization.id }, query: { limit: 100, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } },
  })));
  const rows = list.rows;
  const timeZone = list.first?.time_zone ?? organization.time_zone;
  const selected = rows.filter((row) => checked.includes(row.id));
  const single = selected.length === 1 ? selected[0]! : null;
  const details = rows.find((row) => row.id === detailsId) ?? null;
  // An API user opens the API user form; a person, Edit Administrator (needs admins:manage).
  const editable = single && (single.kind === 'api' ? manageApiUsers : manageAdmins) ? single : null;
  const apiUser = useApiUser(dialog === 'edit' && editable?.kind === 'api' ? editable.id : null);

  const resend = useMutation({
    mutationFn: (row: DirectoryRow) => unwrap(api.POST('/v1/organizations/{org}/api-users/{id}/invite', { params: { path: { org: organization.id, id: row.id } } })),
    onSuccess: (_data, row) => notifyDone(`A new invitation was sent to ${row.email}.`),
  });

  function toggle(row: DirectoryRow, on: boolean) {
    setChecked((ids) => (on ? [...ids, row.id] : ids.filter((id) => id !== row.id)));
    if (on) setDetailsId(row.id);
  }

  return (
    <Stack>
      <Title order={2}>Administrators</Title>
      <TimeZoneNote />
      <Group justify="space-between" align="flex-end">
        <TextInput label="Search" placeholder="Name, email or username" type="search" value={search}
          onChange={(e) => setSearch(e.currentTarget.value)} w={{ base: '100%', sm: 320 }} />
        <Group gap="xs">
          {manageApiUsers && <Button onClick={() => setDialog('add-api-user')}>+ Add API User</Button>}
          <Button variant="default" disabled={single?.kind !== 'api' || !manageApiUsers} loading={resend.isPending}
            onClick={() => single && resend.mutate(single)}>Resend Invite</Button>
          {manageAdmins && <Button variant="light" onClick={() => setDialog('add-admin')}>+ Add New Administrator</Button>}
          <Tooltip label={editable ? 'Edit' : 'Select one administrator or API user to edit'}>
            <ActionIcon variant="default" size="lg" aria-label="Edit" disabled={!editable} onClick={() => setDialog('edit')}>✎</ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      <ProblemAlert error={list.query.error} title="Could not load administrators" />
      <ProblemAlert error={resend.error} title="Invitation not sent" />
      <ProblemAlert error={apiUser.error} title="Could not open the API user" />
      <Group align="flex-start" wrap={wide ? 'nowrap' : 'wrap'}>
        <Table.ScrollContainer minWidth={680} style={{ flex: 1 }}>
          <Table highlightOnHover aria-label="Administrators">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>
                  <Checkbox aria-label="Select all" checked={rows.length > 0 && checked.length === rows.length}
                    indeterminate={checked.length > 0 && checked.length < rows.length}
                    onChange={(e) => setChecked(e.currentTarget.checked ? rows.map((r) => r.id) : [])} />
                </Table.Th>
                <Table.Th>Name</Table.Th><Table.Th>Last Sign In</Table.Th><Table.Th>Role</Table.Th><Table.Th>Organization</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.query.isPending && <Table.Tr><Table.Td colSpan={5}>Loading…</Table.Td></Table.Tr>}
              {list.query.data && rows.length === 0 && <Table.Tr><Table.Td colSpan={5}>{q ? `Nobody matches “${q}”.` : 'No administrators yet.'}</Table.Td></Table.Tr>}
              {rows.map((row) => (
                <Table.Tr key={row.id} bg={checked.includes(row.id) ? 'var(--mantine-color-blue-light)' : undefined}>
                  <Table.Td>
                    <Checkbox aria-label={`Select ${row.name} (${row.role.name})`} checked={checked.includes(row.id)} onChange={(e) => toggle(row, e.currentTarget.checked)} />
                  </Table.Td>
                  <Table.Td>
                    <Button variant="subtle" size="compact-sm" px={0} onClick={() => setDetailsId(row.id)}>{row.name}</Button>
                  </Table.Td>
                  <Table.Td>{formatSignIn(row.last_sign_in_at, timeZone)}</Table.Td>
                  <Table.Td>{row.role.name}</Table.Td>
                  <Table.Td>{row.organization.display_name}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {details && (
          <Paper withBorder p="md" w={wide ? 300 : '100%'} component="aside" aria-label="Details">
            <Group justify="space-between" mb="xs">
              <Title order={3} size="h5">Details</Title>
              <CloseButton aria-label="Close details" onClick={() => setDetailsId(null)} />
            </Group>
            <Stack gap={4}>
              <Text fw={600}>{details.name}</Text>
              <Text size="sm">Email : {details.email ?? '—'}</Text>
              {details.username && <Text size="sm">Username : {details.username}</Text>}
              <Text size="sm">Role : {details.role.name}</Text>
              <Text size="sm">Status : {details.status}</Text>
              {details.kind === 'api' && <Text size="sm">External Applications : {details.applications.map((a) => a.name).join(', ') || '—'}</Text>}
              {details.description && <Text size="sm">Description : {details.description}</Text>}
              <Text size="sm">Last Sign In : {formatSignIn(details.last_sign_in_at, timeZone) || 'Never'}</Text>
            </Stack>
          </Paper>
        )}
      </Group>
      <LoadMore shown={rows.length} noun="administrators and API users" hasMore={list.hasMore} loading={list.loadingMore} onLoad={list.loadMore} />
      {dialog === 'add-api-user' && <ApiUserFormModal onClose={() => setDialog(null)} />}
      {dialog === 'add-admin' && <AddAdministratorModal onClose={() => setDialog(null)} />}
      {dialog === 'edit' && editable?.kind === 'admin' && <EditAdministratorModal id={editable.id} onClose={() => { setDialog(null); setChecked([]); }} />}
      {dialog === 'edit' && apiUser.data && (
        <ApiUserFormModal key={apiUser.data.data.id}
          editing={{ user: apiUser.data.data, etag: apiUser.data.etag, onReload: () => apiUser.refetch(), reloading: apiUser.isFetching }}
          onClose={() => { setDialog(null); setChecked([]); }} />
      )}
    </Stack>
  );
}
