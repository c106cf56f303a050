import { Badge, Button, Group, Modal, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, unwrapWithEtag } from '../api/client';
import { useSignedIn } from '../api/session';
import type { Application } from '../api/types';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { SaveProblem } from '../components/save-problem';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';
import { notifyDone } from '../lib/notify';
import { can } from '../lib/privileges';

/**
 * External applications API users connect as: the built-ins (HttpApi, Salesforce) and the
 * organization's custom applications, which can be added, renamed and deleted (not while an API
 * user connects as one: the server's 409 says so).
 */
export function ApplicationsPage() {
  const { organization, privileges } = useSignedIn();
  const manage = can(privileges, 'applications:manage');
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'edit' | 'delete'; app: Application } | null>(null);
  const list = useQuery({
    queryKey: ['applications', organization.id],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/applications', { params: { path: { org: organization.id } } })),
  });
  const apps = list.data?.data ?? [];

  return (
    <Stack>
      <Title order={2}>Applications</Title>
      <TimeZoneNote />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">API users connect as these applications. Integrations of a custom application send its key in <code>X-Application</code>.</Text>
        {manage && <Button onClick={() => setDialog({ kind: 'create' })}>+ Add custom application</Button>}
      </Group>
      <ProblemAlert error={list.error} title="Could not load applications" />
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover aria-label="Applications">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th><Table.Th>Key</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Description</Table.Th><Table.Th>Updated</Table.Th>
              {manage && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.isPending && <Table.Tr><Table.Td colSpan={6}>Loading…</Table.Td></Table.Tr>}
            {list.data && apps.length === 0 && <Table.Tr><Table.Td colSpan={6}>No applications.</Table.Td></Table.Tr>}
            {apps.map((app) => (
              <Table.Tr key={app.id}>
                <Table.Td>{app.name}</Table.Td>
                <Table.Td><code>{app.key}</code></Table.Td>
                <Table.Td><Badge variant="light" color={app.kind === 'custom' ? 'blue' : 'gray'}>{app.kind === 'custom' ? 'Custom' : 'Built in'}</Badge></Table.Td>
                <Table.Td>{app.description}</Table.Td>
                <Table.Td>{formatSignIn(app.updated_at, organization.time_zone)}</Table.Td>
                {manage && (
                  <Table.Td>
                    {app.kind === 'custom' ? (
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-sm" variant="default" aria-label={`Rename ${app.name}`} onClick={() => setDialog({ kind: 'edit', app })}>Rename</Button>
                        <Button size="compact-sm" variant="light" color="red" aria-label={`Delete ${app.name}`} onClick={() => setDialog({ kind: 'delete', app })}>Delete</Button>
                      </Group>
                    ) : <Text size="sm" c="dimmed">Built in</Text>}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {dialog?.kind === 'create' && <CreateApplicationModal onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit' && <EditApplicationModal id={dialog.app.id} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteApplicationModal app={dialog.app} onClose={() => setDialog(null)} />}
    </Stack>
  );
}

function CreateApplicationModal({ onClose }: { onClose: () => void }) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const narrow = useMediaQuery('(max-width: 600px)');
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [description, setDescription] = useState('');
  const save = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/organizations/{org}/applications', {
      params: { path: { org: organization.id } },
      body: { name: name.trim(), key: key.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
    })),
    onSuccess: async (app) => {
      notifyDone(`${app.name} was added.`);
      await client.invalidateQueries({ queryKey: ['applications', organization.id] });
      onClose();
    },
  });

  function changeName(value: string) {
    setName(value);
    // Suggest a key from the name until the user types one.
    if (!keyTouched) setKey(value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, 40));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title="Add custom application" size="lg" fullScreen={narrow}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Name" required value={name} onChange={(e) => changeName(e.currentTarget.value)} error={fieldError(save.error, 'name')} />
          <TextInput label="Key" required value={key} description="Lower-case letters, digits and dashes; integrations send it in X-Application. It cannot change later."
            onChange={(e) => { setKeyTouched(true); setKey(e.currentTarget.value); }} error={fieldError(save.error, 'key')} />
          <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} error={fieldError(save.error, 'description')} />
          <ProblemAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>Save</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Reads the application with its ETag, so the rename is sent with If-Match. */
function useApplication(id: string) {
  const { organization } = useSignedIn();
  return useQuery({
    queryKey: ['application', organization.id, id],
    queryFn: () => unwrapWithEtag(api.GET('/v1/organizations/{org}/applications/{id}', { params: { path: { org: organization.id, id } } })),
    staleTime: 0,
  });
}

function EditApplicationModal({ id, onClose }: { id: string; onClose: () => void }) {
  const narrow = useMediaQuery('(max-width: 600px)');
  const current = useApplication(id);
  return (
    <Modal opened onClose={onClose} title="Rename application" size="lg" fullScreen={narrow}>
      <ProblemAlert error={current.error} title="Could not open the application" />
      {current.isPending && <Text>Loading…</Text>}
      {current.data && (
        <EditApplicationForm key={current.data.etag} app={current.data.data} etag={current.data.etag}
          reloading={current.isFetching} onReload={() => void current.refetch()} onClose={onClose} />
      )}
    </Modal>
  );
}

function EditApplicationForm({ app, etag, onReload, reloading, onClose }: { app: Application; etag: string; onReload: () => void; reloading: boolean; onClose: () => void }) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const [name, setName] = useState(app.name);
  const [description, setDescription] = useState(app.description);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/organizations/{org}/applications/{id}', {
      params: { path: { org: organization.id, id: app.id }, header: { 'if-match': etag } },
      body: { name: name.trim(), description: description.trim() },
    })),
    onSuccess: async (saved) => {
      notifyDone(`Saved ${saved.name}.`);
      await client.invalidateQueries({ queryKey: ['applications', organization.id] });
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Key" readOnly value={app.key} description="The key cannot change: integrations send it." />
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} />
        <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} error={fieldError(save.error, 'description')} />
        <SaveProblem error={save.error} onReload={onReload} reloading={reloading} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={save.isPending}>Save</Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeleteApplicationModal({ app, onClose }: { app: Application; onClose: () => void }) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const current = useApplication(app.id);
  const remove = useMutation({
    mutationFn: (etag: string) => unwrap(api.DELETE('/v1/organizations/{org}/applications/{id}', {
      params: { path: { org: organization.id, id: app.id }, header: { 'if-match': etag } },
    })),
    onSuccess: async () => {
      notifyDone(`${app.name} was deleted.`);
      await client.invalidateQueries({ queryKey: ['applications', organization.id] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title="Delete application" centered>
      <Stack>
        <Text>Delete the custom application {app.name} (<code>{app.key}</code>)? Integrations sending this key will be refused.</Text>
        <ProblemAlert error={current.error} title="Could not open the application" />
        <SaveProblem error={remove.error} title="Not deleted" reloading={current.isFetching}
          onReload={() => { remove.reset(); void current.refetch(); }} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>No</Button>
          <Button color="red" loading={remove.isPending} disabled={!current.data}
            onClick={() => current.data && remove.mutate(current.data.etag)}>Yes, delete</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
