import { Autocomplete, Button, Code, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import { LoadMore } from '../components/load-more';
import { ProblemAlert } from '../components/problem-alert';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';
import { useKeysetList } from '../lib/keyset';
import { can } from '../lib/privileges';
import { dayRangeIn, isDay } from '../lib/zoned-day';

/** The actions the server records (src/modules/*: recordAudit), offered as suggestions; any text may be typed. */
export const AUDIT_ACTIONS = [
  'access_token.created', 'access_token.revoked', 'administrator.created', 'administrator.deleted', 'administrator.invite_accepted',
  'administrator.updated', 'api_key.created', 'api_key.revoked', 'api_key.rolled', 'api_user.created', 'api_user.deleted', 'api_user.invite_sent',
  'api_user.updated', 'application.created', 'application.deleted', 'application.updated', 'credential.idle_revoked', 'credential.idle_warning',
  'organization.created', 'organization.credential_policy_updated', 'organization.ownership_transferred', 'organization.updated',
  'public_key.added', 'public_key.removed', 'role.created', 'role.deleted', 'role.updated', 'session.created', 'session.revoked',
];

/** `{ name: 'Acme Portal', privileges: [...] }` as one short line for the Details column. */
function describeData(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}

/**
 * The audit log, newest first: time (in the organization's zone), actor, action, target, details.
 * Filters by action, actor, target id and a range of days From..To (both included) picked in the
 * organization's zone and sent as `since`/`until` instants (what GET …/audit-events supports); 50
 * events a page with Load more.
 */
export function AuditLogPage() {
  const { organization, privileges } = useSignedIn();
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState<string | null>(null);
  const [target, setTarget] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // A To before From would be refused by the server (since >= until): say so and send neither.
  const backwards = isDay(from) && isDay(to) && to < from;
  const [filters] = useDebouncedValue({ action: action.trim(), actorId, target: target.trim(), from: backwards ? '' : from, to: backwards ? '' : to }, 300);
  const range = dayRangeIn(filters.from, filters.to, organization.time_zone);
  const people = useQuery({
    queryKey: ['directory', organization.id, 'actors'],
    enabled: can(privileges, 'admins:read'),
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/administrators', { params: { path: { org: organization.id }, query: { kind: 'admin', limit: 200 } } })),
  });
  const list = useKeysetList(['audit', organization.id, filters.action, filters.actorId, filters.target, range], (cursor) => unwrap(api.GET('/v1/organizations/{org}/audit-events', {
    params: {
      path: { org: organization.id },
      query: {
        limit: 50,
        ...(cursor ? { cursor } : {}),
        ...(filters.action ? { action: filters.action } : {}),
        ...(filters.actorId ? { actor_id: filters.actorId } : {}),
        ...(filters.target ? { target_id: filters.target } : {}),
        ...range,
      },
    },
  })));
  const actorOptions = (people.data?.data ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.email ?? p.username ?? ''})` }));
  if (actorId && !actorOptions.some((o) => o.value === actorId)) actorOptions.unshift({ value: actorId, label: actorId });
  const filtered = Boolean(filters.action || filters.actorId || filters.target || range.since || range.until);

  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <TimeZoneNote />
      <form role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <Group align="flex-end" gap="sm">
          <Autocomplete label="Action" placeholder="Any action" data={AUDIT_ACTIONS} value={action} onChange={setAction} w={{ base: '100%', sm: 220 }} clearable />
          <Select label="Actor" placeholder="Anyone" data={actorOptions} value={actorId} onChange={setActorId} searchable clearable
            nothingFoundMessage="Nobody" w={{ base: '100%', sm: 220 }} />
          <TextInput label="Target id" placeholder="Any target" value={target} onChange={(e) => setTarget(e.currentTarget.value)} w={{ base: '100%', sm: 220 }} />
          <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={{ base: '100%', sm: 170 }}
            max={isDay(to) ? to : undefined} />
          <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={{ base: '100%', sm: 170 }}
            min={isDay(from) ? from : undefined} error={backwards ? 'On or after From' : undefined} />
          {(action || actorId || target || from || to) && (
            <Button variant="default" onClick={() => { setAction(''); setActorId(null); setTarget(''); setFrom(''); setTo(''); }}>Clear filters</Button>
          )}
        </Group>
      </form>
      <Text size="xs" c="dimmed">
        From and To are whole days in {organization.time_zone_label}, both included. Select an actor or a target in the table to show only their events.
      </Text>
      <ProblemAlert error={list.query.error} title="Could not load the audit log" />
      <Table.ScrollContainer minWidth={900}>
        <Table striped aria-label="Audit log" data-testid="audit-table">
          <Table.Thead>
            <Table.Tr><Table.Th>Time</Table.Th><Table.Th>Actor</Table.Th><Table.Th>Action</Table.Th><Table.Th>Target</Table.Th><Table.Th>Details</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.query.isPending && <Table.Tr><Table.Td colSpan={5}>Loading…</Table.Td></Table.Tr>}
            {list.query.data && list.rows.length === 0 && <Table.Tr><Table.Td colSpan={5}>{filtered ? 'No events match these filters.' : 'No events yet.'}</Table.Td></Table.Tr>}
            {list.rows.map((event) => (
              <Table.Tr key={event.id}>
                <Table.Td style={{ whiteSpace: 'nowrap' }} title={event.created_at}>{formatSignIn(event.created_at, organization.time_zone)}</Table.Td>
                <Table.Td>
                  {event.actor.id ? (
                    <Button variant="subtle" size="compact-sm" px={0} aria-label={`Show only events by ${event.actor.label}`}
                      onClick={() => setActorId(event.actor.id)}>{event.actor.label}</Button>
                  ) : event.actor.label}
                </Table.Td>
                <Table.Td><Code>{event.action}</Code></Table.Td>
                <Table.Td>
                  {event.target.type}
                  {event.target.id && (
                    <>
                      {' '}
                      <Button variant="subtle" size="compact-xs" px={0} aria-label={`Show only events about ${event.target.type} ${event.target.id}`}
                        onClick={() => setTarget(event.target.id ?? '')}>{event.target.id}</Button>
                    </>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{describeData(event.data)}</Text>
                  <Text size="xs" c="dimmed">{[event.ip && `IP ${event.ip}`, event.request_id && `request ${event.request_id}`].filter(Boolean).join(' · ')}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore shown={list.rows.length} noun={['event', 'events']} hasMore={list.hasMore} loading={list.loadingMore} onLoad={list.loadMore} />
    </Stack>
  );
}
