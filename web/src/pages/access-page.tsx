import { Badge, Button, Group, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import { ProblemAlert } from '../components/problem-alert';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';
import { NewApiUserModal } from './new-api-user-modal';

/** dotdigital: Settings > Access > API users. */
export function AccessPage() {
  const { organization, privileges } = useSignedIn();
  const [creating, setCreating] = useState(false);
  const canManage = privileges.includes('api-users:manage') || privileges.includes('account:manage');
  const list = useQuery({
    queryKey: ['api-users', organization.id],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/api-users', { params: { path: { org: organization.id }, query: { limit: 100 } } })),
  });

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
            <ProblemAlert error={list.error} title="Could not load API users" />
            <Table.ScrollContainer minWidth={720}>
              <Table striped highlightOnHover aria-label="API users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Username</Table.Th><Table.Th>Description</Table.Th><Table.Th>Status</Table.Th>
                    <Table.Th>Applications</Table.Th><Table.Th>Last sign-in</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.isPending && <Table.Tr><Table.Td colSpan={5}>Loading…</Table.Td></Table.Tr>}
                  {list.data?.data.length === 0 && <Table.Tr><Table.Td colSpan={5}>No API users yet. Choose New user to add one.</Table.Td></Table.Tr>}
                  {list.data?.data.map((user) => (
                    <Table.Tr key={user.id}>
                      <Table.Td>{user.username}</Table.Td>
                      <Table.Td>{user.description}</Table.Td>
                      <Table.Td><Badge color={user.status === 'enabled' ? 'green' : 'gray'} variant="light">{user.status === 'enabled' ? 'Enabled' : user.status === 'disabled' ? 'Disabled' : 'Invited'}</Badge></Table.Td>
                      <Table.Td>{user.applications.map((a) => a.name).join(', ')}</Table.Td>
                      <Table.Td>{formatSignIn(user.last_sign_in_at, list.data.time_zone) || 'Never'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        </Tabs.Panel>
      </Tabs>
      {creating && <NewApiUserModal onClose={() => setCreating(false)} />}
    </Stack>
  );
}
