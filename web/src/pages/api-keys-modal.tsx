import { Badge, Button, Code, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import type { ApiUser } from '../api/types';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';

/** Offset of `timeZone` from UTC at `date`, in milliseconds. */
function zoneOffset(date: Date, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - Math.floor(date.getTime() / 1000) * 1000;
}

/** The end (23:59:59) of calendar day `day` (YYYY-MM-DD) in `timeZone`, as an ISO instant. */
export function endOfDayIn(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 23, 59, 59);
  const first = wall - zoneOffset(new Date(wall), timeZone);
  return new Date(wall - zoneOffset(new Date(first), timeZone)).toISOString();
}

/** A new key, shown once, with a Copy button. */
function NewKeyBox({ secret, note }: { secret: string; note?: string }) {
  const [copyMessage, setCopyMessage] = useState<string | null>(null);
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(secret);
      setCopyMessage('Copied.');
    } catch {
      setCopyMessage('Could not copy automatically: select the key and copy it by hand.');
    }
  }
  return (
    <Stack gap="xs" p="sm" bg="green.0" role="status" aria-label="New API key">
      <Text size="sm" fw={600}>Copy it now: you will not see this key again.</Text>
      <Group gap="xs" wrap="nowrap">
        <Code data-testid="new-api-key" style={{ wordBreak: 'break-all', userSelect: 'all' }}>{secret}</Code>
        <Button size="xs" onClick={copy}>Copy</Button>
      </Group>
      {copyMessage && <Text size="sm" aria-live="polite">{copyMessage}</Text>}
      {note && <Text size="sm">{note}</Text>}
    </Stack>
  );
}

/** An API user's keys: list, create (shown once), roll, revoke. */
export function ApiKeysModal({ user, onClose }: { user: ApiUser; onClose: () => void }) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const zone = organization.time_zone;
  const path = { org: organization.id, id: user.id };
  const queryKey = ['api-keys', organization.id, user.id];
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const [shown, setShown] = useState<{ secret: string; note?: string } | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string; hint: string } | null>(null);

  const keys = useQuery({ queryKey, queryFn: () => unwrap(api.GET('/v1/organizations/{org}/api-users/{id}/keys', { params: { path } })) });
  const refresh = () => client.invalidateQueries({ queryKey });

  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/organizations/{org}/api-users/{id}/keys', {
      params: { path },
      body: { name: name.trim(), ...(expiry ? { expires_at: endOfDayIn(expiry, zone) } : {}) },
    })),
    onSuccess: async (data) => {
      setShown({ secret: data.key });
      setName('');
      setExpiry('');
      await refresh();
    },
  });
  const roll = useMutation({
    mutationFn: (key: string) => unwrap(api.POST('/v1/organizations/{org}/api-users/{id}/keys/{key}/roll', { params: { path: { ...path, key } }, body: {} })),
    onSuccess: async (data) => {
      const until = data.previous.expires_at;
      setShown({ secret: data.key, note: `The old key ${data.previous.hint} keeps working until ${until ? formatSignIn(until, zone) : 'it is revoked'}.` });
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (key: string) => unwrap(api.DELETE('/v1/organizations/{org}/api-users/{id}/keys/{key}', { params: { path: { ...path, key } } })),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: `${revoking?.name ?? 'The key'} was revoked.` });
      setRevoking(null);
      await refresh();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  return (
    <Modal opened onClose={onClose} size="xl" zIndex={300} title={`API keys of ${user.name}`}>
      <Stack>
        <TimeZoneNote />
        {shown && <NewKeyBox secret={shown.secret} note={shown.note} />}
        <form onSubmit={submit} noValidate aria-label="Create key">
          <Stack gap="xs">
            <Title order={4}>Create key</Title>
            <Group align="flex-end" wrap="wrap">
              <TextInput label="Key name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(create.error, 'name')} />
              <TextInput label="Expires on (optional)" type="date" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value)}
                error={fieldError(create.error, 'expires_at')} />
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>Create key</Button>
            </Group>
            <ProblemAlert error={create.error} title="Key not created" />
          </Stack>
        </form>
        <ProblemAlert error={keys.error} title="Keys not loaded" />
        <ProblemAlert error={roll.error} title="Key not rolled" />
        {keys.data && keys.data.data.length === 0 && <Text size="sm" c="dimmed">No API keys yet.</Text>}
        {keys.data && keys.data.data.length > 0 && (
          <Table.ScrollContainer minWidth={700}>
            <Table aria-label="API keys" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th><Table.Th>Key</Table.Th><Table.Th>Status</Table.Th><Table.Th>Expires</Table.Th><Table.Th>Last used</Table.Th><Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.data.map((key) => {
                  const live = key.status === 'active' || key.status === 'expiring';
                  return (
                    <Table.Tr key={key.id}>
                      <Table.Td>{key.name}</Table.Td>
                      <Table.Td><Code>{key.hint}</Code></Table.Td>
                      <Table.Td><Badge variant="light" color={key.status === 'active' ? 'green' : key.status === 'expiring' ? 'yellow' : 'gray'}>{key.status}</Badge></Table.Td>
                      <Table.Td>{formatSignIn(key.expires_at, zone) || 'Never'}</Table.Td>
                      <Table.Td>{key.last_used_at ? `${formatSignIn(key.last_used_at, zone)}${key.last_used_application ? ` · ${key.last_used_application}` : ''}` : 'Never'}</Table.Td>
                      <Table.Td>
                        {live && (
                          <Group gap="xs" wrap="nowrap">
                            <Button size="xs" variant="default" aria-label={`Roll ${key.name}`} loading={roll.isPending && roll.variables === key.id}
                              disabled={key.status !== 'active'} onClick={() => roll.mutate(key.id)}>Roll</Button>
                            <Button size="xs" color="red" variant="light" aria-label={`Revoke ${key.name}`} onClick={() => { revoke.reset(); setRevoking(key); }}>Revoke</Button>
                          </Group>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Close</Button>
        </Group>
      </Stack>
      {revoking && (
        <Modal opened onClose={() => setRevoking(null)} title="Revoke key" centered zIndex={400}>
          <Stack>
            <Text>Revoke {revoking.name} ({revoking.hint})? Integrations using it are refused on their next request.</Text>
            <ProblemAlert error={revoke.error} title="Not revoked" />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRevoking(null)} data-autofocus>Cancel</Button>
              <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate(revoking.id)}>Revoke</Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Modal>
  );
}
