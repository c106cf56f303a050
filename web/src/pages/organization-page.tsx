import { Button, Checkbox, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { api, unwrap, unwrapWithEtag } from '../api/client';
import { SESSION_KEY, useSignedIn } from '../api/session';
import type { paths } from '../api/schema';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { SaveProblem } from '../components/save-problem';
import { TimeZoneNote } from '../components/time-zone-note';
import { notifyDone } from '../lib/notify';
import { can } from '../lib/privileges';
import { timeZoneOptions } from '../lib/time-zone-options';

type Organization = paths['/v1/organizations/{org}']['get']['responses'][200]['content']['application/json'];
type Policy = paths['/v1/organizations/{org}/credential-policy']['get']['responses'][200]['content']['application/json'];
type PolicyChanges = NonNullable<paths['/v1/organizations/{org}/credential-policy']['patch']['requestBody']>['content']['application/json'];

const TIERS = [
  { value: 'low', label: 'Low: 60 requests per minute' },
  { value: 'medium', label: 'Medium: 300 requests per minute' },
  { value: 'high', label: 'High: 1,200 requests per minute' },
  { value: 'unlimited', label: 'Unlimited' },
];
const IDLE_ACTIONS = [
  { value: 'none', label: 'Only list them (GET …/credentials/idle)' },
  { value: 'warn', label: 'Warn the contact and the administrators by email' },
  { value: 'warn_then_disable', label: 'Warn, then revoke the credential if still unused' },
];

/**
 * Settings › Organization: name and time zone (every time in the UI is shown in it) and the
 * credential policy. Changing needs "Can manage account"; both are saved with If-Match and share
 * the organization's version, so saving one re-reads the other.
 */
export function OrganizationPage() {
  const { organization, privileges } = useSignedIn();
  const manage = can(privileges, 'account:manage');
  const org = useQuery({
    queryKey: ['organization', organization.id],
    queryFn: () => unwrapWithEtag(api.GET('/v1/organizations/{org}', { params: { path: { org: organization.id } } })),
  });
  const policy = useQuery({
    queryKey: ['credential-policy', organization.id],
    enabled: can(privileges, 'api-users:read'),
    queryFn: () => unwrapWithEtag(api.GET('/v1/organizations/{org}/credential-policy', { params: { path: { org: organization.id } } })),
  });

  return (
    <Stack>
      <Title order={2}>Organization settings</Title>
      <TimeZoneNote />
      {!manage && <Text size="sm" c="dimmed">Only an administrator who can manage the account (such as the Account owner) can change these settings.</Text>}
      <ProblemAlert error={org.error} title="Could not load the organization" />
      {org.isPending && <Text>Loading…</Text>}
      {org.data && (
        <OrganizationForm key={org.data.etag} org={org.data.data} etag={org.data.etag} readOnly={!manage}
          reloading={org.isFetching} onReload={() => void org.refetch()} />
      )}
      {can(privileges, 'api-users:read') && (
        <>
          <ProblemAlert error={policy.error} title="Could not load the credential policy" />
          {policy.data && (
            <PolicyForm key={policy.data.etag} policy={policy.data.data} etag={policy.data.etag} readOnly={!manage}
              reloading={policy.isFetching} onReload={() => void policy.refetch()} />
          )}
        </>
      )}
    </Stack>
  );
}

/** After a save: the organization's version moved, and the zone shown on every page may have. */
function useAfterSave() {
  const client = useQueryClient();
  const { organization } = useSignedIn();
  return async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: SESSION_KEY }),
      client.invalidateQueries({ queryKey: ['organization', organization.id] }),
      client.invalidateQueries({ queryKey: ['credential-policy', organization.id] }),
      client.invalidateQueries({ queryKey: ['directory', organization.id] }),
      client.invalidateQueries({ queryKey: ['api-users', organization.id] }),
    ]);
  };
}

function OrganizationForm({ org, etag, readOnly, onReload, reloading }: { org: Organization; etag: string; readOnly: boolean; onReload: () => void; reloading: boolean }) {
  const { organization } = useSignedIn();
  const afterSave = useAfterSave();
  const [name, setName] = useState(org.name);
  const [zone, setZone] = useState<string | null>(org.time_zone);
  const zones = useMemo(() => timeZoneOptions(org.time_zone, new Date()), [org.time_zone]);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/organizations/{org}', {
      params: { path: { org: organization.id }, header: { 'if-match': etag } },
      body: { ...(name.trim() !== org.name ? { name: name.trim() } : {}), ...(zone && zone !== org.time_zone ? { time_zone: zone } : {}) },
    })),
    onSuccess: async (saved) => {
      notifyDone(`Saved. Times are now shown in ${saved.time_zone_label}.`);
      await afterSave();
    },
  });
  const changed = name.trim() !== org.name || (zone !== null && zone !== org.time_zone);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (changed) save.mutate();
  }

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="organization-heading">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={3} id="organization-heading">Organization</Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Account number" readOnly value={org.account_number} />
            <TextInput label="Shown as" readOnly value={org.display_name} />
          </SimpleGrid>
          <TextInput label="Name" required readOnly={readOnly} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} />
          <Select label="Time zone" required searchable readOnly={readOnly} data={zones} value={zone} onChange={setZone} allowDeselect={false}
            nothingFoundMessage="No such time zone" maxDropdownHeight={280} comboboxProps={{ withinPortal: true }}
            description={`Every time in this UI is shown in it. Now: ${org.time_zone_label}.`} error={fieldError(save.error, 'time_zone')} />
          <SaveProblem error={save.error} onReload={onReload} reloading={reloading} />
          {!readOnly && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending} disabled={!changed}>Save organization</Button>
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

function PolicyForm({ policy, etag, readOnly, onReload, reloading }: { policy: Policy; etag: string; readOnly: boolean; onReload: () => void; reloading: boolean }) {
  const { organization } = useSignedIn();
  const afterSave = useAfterSave();
  const [form, setForm] = useState<Policy>(policy);
  const set = <K extends keyof Policy>(key: K, value: Policy[K]) => setForm((f) => ({ ...f, [key]: value }));
  const changes = Object.fromEntries(Object.entries(form).filter(([k, v]) => policy[k as keyof Policy] !== v)) as PolicyChanges;
  const changed = Object.keys(changes).length > 0;
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/organizations/{org}/credential-policy', {
      params: { path: { org: organization.id }, header: { 'if-match': etag } }, body: changes,
    })),
    onSuccess: async () => {
      notifyDone('Credential policy saved.');
      await afterSave();
    },
  });
  const days = (value: string | number) => (typeof value === 'number' ? value : Number.parseInt(value, 10));

  function submit(event: FormEvent) {
    event.preventDefault();
    if (changed) save.mutate();
  }

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="policy-heading">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={3} id="policy-heading">Credential policy</Title>
          <Text size="sm" c="dimmed">Rules for API users' credentials. New rules apply to new API keys and to the next maintenance run; existing keys keep their expiry.</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select label="Default rate-limit tier" description="For API users without a tier of their own." data={TIERS} readOnly={readOnly} allowDeselect={false}
              value={form.default_rate_limit_tier} onChange={(v) => v && set('default_rate_limit_tier', v as Policy['default_rate_limit_tier'])}
              error={fieldError(save.error, 'default_rate_limit_tier')} />
            <NumberInput label="Maximum API key lifetime (days)" description="Empty: no maximum. A maximum makes an expiry date required."
              min={1} max={3650} allowDecimal={false} readOnly={readOnly} value={form.max_key_lifetime_days ?? ''}
              onChange={(v) => set('max_key_lifetime_days', v === '' ? null : days(v))} error={fieldError(save.error, 'max_key_lifetime_days')} />
            <NumberInput label="Expiry reminder (days before)" description="One reminder email; 0: none." min={0} max={365} allowDecimal={false} readOnly={readOnly}
              value={form.expiry_reminder_days} onChange={(v) => set('expiry_reminder_days', days(v))} error={fieldError(save.error, 'expiry_reminder_days')} />
            <NumberInput label="Idle after (days unused)" min={1} max={3650} allowDecimal={false} readOnly={readOnly}
              value={form.idle_days} onChange={(v) => set('idle_days', days(v))} error={fieldError(save.error, 'idle_days')} />
            <Select label="Idle credentials" data={IDLE_ACTIONS} readOnly={readOnly} allowDeselect={false} value={form.idle_action}
              onChange={(v) => v && set('idle_action', v as Policy['idle_action'])} error={fieldError(save.error, 'idle_action')} />
            <NumberInput label="Revoke after warning (days)" description="With “Warn, then revoke”." min={1} max={365} allowDecimal={false} readOnly={readOnly}
              value={form.idle_disable_after_warning_days} onChange={(v) => set('idle_disable_after_warning_days', days(v))}
              error={fieldError(save.error, 'idle_disable_after_warning_days')} />
          </SimpleGrid>
          <Checkbox label="Every new API key must have an expiry date" disabled={readOnly || form.max_key_lifetime_days !== null}
            description={form.max_key_lifetime_days !== null ? 'Always, while a maximum lifetime is set.' : undefined} checked={form.require_key_expiry || form.max_key_lifetime_days !== null}
            onChange={(e) => set('require_key_expiry', e.currentTarget.checked)} error={fieldError(save.error, 'require_key_expiry')} />
          <SaveProblem error={save.error} onReload={onReload} reloading={reloading} />
          {!readOnly && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending} disabled={!changed}>Save credential policy</Button>
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
