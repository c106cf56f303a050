import { Badge, Button, Group, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import { LoadMore } from '../components/load-more';
import { ProblemAlert } from '../components/problem-alert';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';
import { useKeysetList } from '../lib/keyset';
import { NewApiUserModal } from './new-api-user-modal';

/** dotdigital: Settings > Access > API users. */
export function AccessPage() {
  const { organization, privileges } = useSignedIn();
  const [creating, setCreating] = useState(false);
  const canManage = privileges.includes('api-users:manage') || privileges.includes('account:manage');
  // Keyset pages of 100 with Load more, so every API user is reachable.
  const list = useKeysetList(['api-users', organization.id, 'pages'], (cursor) => unwrap(api.GET('/v1/organizations/{org}/api-users', {
    params: { path: { org: organization.id }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
  })));
  const timeZone = list.first?.time_zone ?? organization.time_zone;

  return (
    <Stack>
      <Title order={2}>Access</Title>
      <TimeZoneNote />
      <Tabs value="api-users" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="api-users">API users</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="api-users" pt="md">
          <Stack>
            <Group justify="space-between">
              <Text size="sm" c="dimmed">Create one API user per integrated system, so problems are easy to isolate.</Text>
              {canManage && <Button onClick={() => setCreating(true)}>New user</Button>}
            </Group>
            <ProblemAlert error={list.query.error} title="Could not load API users" />
            <Table.ScrollContainer minWidth={720}>
              <Table striped highlightOnHover aria-label="API users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Username</Table.Th><Table.Th>Description</Table.Th><Table.Th>Status</Table.Th>
                    <Table.Th>Applications</Table.Th><Table.Th>Last sign-in</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.query.isPending && <Table.Tr><Table.Td colSpan={5}>Loading…</Table.Td></Table.Tr>}
                  {list.query.data && list.rows.length === 0 && <Table.Tr><Table.Td colSpan={5}>No API users yet. Choose New user to add one.</Table.Td></Table.Tr>}
                  {list.rows.map((user) => (
                    <Table.Tr key={user.id}>
                      <Table.Td>{user.username}</Table.Td>
                      <Table.Td>{user.description}</Table.Td>
                      <Table.Td><Badge color={user.status === 'enabled' ? 'green' : 'gray'} variant="light">{user.status === 'enabled' ? 'Enabled' : user.status === 'disabled' ? 'Disabled' : 'Invited'}</Badge></Table.Td>
                      <Table.Td>{user.applications.map((a) => a.name).join(', ')}</Table.Td>
                      <Table.Td>{formatSignIn(user.last_sign_in_at, timeZone) || 'Never'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore shown={list.rows.length} noun="API users" hasMore={list.hasMore} loading={list.loadingMore} onLoad={list.loadMore} />
          </Stack>
        </Tabs.Panel>
      </Tabs>
      {creating && <NewApiUserModal onClose={() => setCreating(false)} />}
    </Stack>
  );
}
