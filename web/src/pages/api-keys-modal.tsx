import { Badge, Button, Code, Group, Modal, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import type { ApiUser } from '../api/types';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';
import { notifyDone } from '../lib/notify';
import { CopyButton } from './credential-copy';
import { endOfDayIn, wallTimeIn, wallTimeToInstant } from './credential-time';
import { OAuthClientPanel } from './oauth-client-panel';

export { endOfDayIn } from './credential-time';

/** How long the old key keeps working after a roll unless the administrator picks another time. */
const DEFAULT_OVERLAP_HOURS = 24;

/** A new key, shown once, with a Copy button. */
function NewKeyBox({ secret, note }: { secret: string; note?: string }) {
  return (
    <Stack gap="xs" p="sm" bg="green.0" role="status" aria-label="New API key">
      <Text size="sm" fw={600}>Copy it now: you will not see this key again.</Text>
      <Group gap="xs" wrap="nowrap">
        <Code data-testid="new-api-key" style={{ wordBreak: 'break-all', userSelect: 'all' }}>{secret}</Code>
        <CopyButton value={secret} label="Copy key" what="the key" />
      </Group>
      {note && <Text size="sm" data-testid="roll-note">{note}</Text>}
    </Stack>
  );
}

type KeyRow = { id: string; name: string; hint: string };
type Rolled = { key: string; previous: { hint: string; expires_at: string | null } };

/**
 * Roll: a new key now, the old one valid until a time the administrator picks (in the
 * organization's zone; default 24 h from now), so the integration switches over without downtime.
 */
function RollKeyDialog({ apiKey, user, onRolled, onClose }: { apiKey: KeyRow; user: ApiUser; onRolled: (data: Rolled) => void; onClose: () => void }) {
  const { organization } = useSignedIn();
  const zone = organization.time_zone;
  const [until, setUntil] = useState(() => wallTimeIn(new Date(Date.now() + DEFAULT_OVERLAP_HOURS * 3_600_000), zone));
  const instant = wallTimeToInstant(until, zone);
  const roll = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/organizations/{org}/api-users/{id}/keys/{key}/roll', {
      params: { path: { org: organization.id, id: user.id, key: apiKey.id } },
      body: { old_key_valid_until: instant! },
    })),
    onSuccess: onRolled,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (instant) roll.mutate();
  }
  return (
    <Modal opened onClose={onClose} title={`Roll ${apiKey.name}`} centered zIndex={400}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">A new key is created now. The old key ({apiKey.hint}) keeps working until the time below, so the integration can switch to the new one without downtime.</Text>
          <TextInput label="Old key valid until" type="datetime-local" required value={until} onChange={(e) => setUntil(e.currentTarget.value)}
            description={`${organization.time_zone_label}. Default: ${DEFAULT_OVERLAP_HOURS} hours from now.`}
            error={!instant ? 'Choose a date and time.' : fieldError(roll.error, 'old_key_valid_until')} />
          <ProblemAlert error={roll.error} title="Key not rolled" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={roll.isPending} disabled={!instant}>Roll</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** An API user's keys: list, create (shown once), roll with an overlap, revoke. */
function ApiKeysPanel({ user }: { user: ApiUser }) {
  const { organization, privileges } = useSignedIn();
  const client = useQueryClient();
  const zone = organization.time_zone;
  const canManage = privileges.includes('api-users:manage') || privileges.includes('account:manage');
  const path = { org: organization.id, id: user.id };
  const queryKey = ['api-keys', organization.id, user.id];
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const [shown, setShown] = useState<{ secret: string; note?: string } | null>(null);
  const [rolling, setRolling] = useState<KeyRow | null>(null);
  const [revoking, setRevoking] = useState<KeyRow | null>(null);

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
  const revoke = useMutation({
    mutationFn: (key: string) => unwrap(api.DELETE('/v1/organizations/{org}/api-users/{id}/keys/{key}', { params: { path: { ...path, key } } })),
    onSuccess: async () => {
      notifyDone(`${revoking?.name ?? 'The key'} was revoked.`);
      setRevoking(null);
      await refresh();
    },
  });

  async function rolled(data: Rolled) {
    const until = data.previous.expires_at;
    setShown({ secret: data.key, note: `The old key ${data.previous.hint} keeps working until ${until ? formatSignIn(until, zone) : 'it is revoked'}.` });
    setRolling(null);
    await refresh();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  return (
    <Stack>
      {shown && <NewKeyBox secret={shown.secret} note={shown.note} />}
      <Text size="sm">Integrations send a key as <Code>Authorization: Bearer au_key_…</Code> or <Code>X-API-Key</Code>, or use it as the client secret at the OAuth token endpoint.</Text>
      {canManage && (
        <form onSubmit={submit} noValidate aria-label="Create key">
          <Stack gap="xs">
            <Title order={3} size="h4">Create key</Title>
            <Group align="flex-end" wrap="wrap">
              <TextInput label="Key name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(create.error, 'name')} />
              <TextInput label="Expires on (optional)" type="date" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value)}
                error={fieldError(create.error, 'expires_at')} />
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>Create key</Button>
            </Group>
            <ProblemAlert error={create.error} title="Key not created" />
          </Stack>
        </form>
      )}
      <ProblemAlert error={keys.error} title="Keys not loaded" />
      {keys.data && keys.data.data.length === 0 && <Text size="sm" c="dimmed">No API keys yet.</Text>}
      {keys.data && keys.data.data.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="API keys" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th><Table.Th w={120}>Key</Table.Th><Table.Th w={110}>Status</Table.Th><Table.Th>Expires</Table.Th><Table.Th>Last used</Table.Th><Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data.data.map((key) => {
                const live = key.status === 'active' || key.status === 'expiring';
                return (
                  <Table.Tr key={key.id}>
                    <Table.Td>{key.name}</Table.Td>
                    <Table.Td><Code style={{ whiteSpace: 'nowrap' }}>{key.hint}</Code></Table.Td>
                    <Table.Td><Badge variant="light" color={key.status === 'active' ? 'green' : key.status === 'expiring' ? 'yellow' : 'gray'}>{key.status}</Badge></Table.Td>
                    <Table.Td>{key.status === 'expiring' && key.expires_at ? `Rolled: valid until ${formatSignIn(key.expires_at, zone)}` : formatSignIn(key.expires_at, zone) || 'Never'}</Table.Td>
                    <Table.Td>{key.last_used_at ? `${formatSignIn(key.last_used_at, zone)}${key.last_used_application ? ` · ${key.last_used_application}` : ''}` : 'Never'}</Table.Td>
                    <Table.Td>
                      {live && canManage && (
                        <Group gap="xs" wrap="nowrap">
                          <Button size="xs" variant="default" aria-label={`Roll ${key.name}`} disabled={key.status !== 'active'} onClick={() => setRolling(key)}>Roll</Button>
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
      {rolling && <RollKeyDialog apiKey={rolling} user={user} onRolled={rolled} onClose={() => setRolling(null)} />}
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
    </Stack>
  );
}

/** An API user's credentials: API keys, and its OAuth client (client id, token endpoint, public keys). */
export function ApiKeysModal({ user, onClose }: { user: ApiUser; onClose: () => void }) {
  const [tab, setTab] = useState<string | null>('api-keys');
  const narrow = useMediaQuery('(max-width: 600px)');
  return (
    <Modal opened onClose={onClose} size="xl" fullScreen={narrow} zIndex={300} title={`Credentials of ${user.name}`}>
      <Stack>
        <TimeZoneNote />
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="api-keys">API keys</Tabs.Tab>
            <Tabs.Tab value="oauth">OAuth client</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="api-keys" pt="md"><ApiKeysPanel user={user} /></Tabs.Panel>
          <Tabs.Panel value="oauth" pt="md"><OAuthClientPanel user={user} /></Tabs.Panel>
        </Tabs>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Close</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
