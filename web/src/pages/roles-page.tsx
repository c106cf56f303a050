import { Badge, Button, Checkbox, Group, Modal, Stack, Table, Text, Textarea, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, unwrapWithEtag } from '../api/client';
import { useSignedIn } from '../api/session';
import type { paths } from '../api/schema';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { SaveProblem } from '../components/save-problem';
import { notifyDone } from '../lib/notify';
import { can } from '../lib/privileges';

type Role = paths['/v1/organizations/{org}/roles']['get']['responses'][200]['content']['application/json']['data'][number];
type Privilege = paths['/v1/privileges']['get']['responses'][200]['content']['application/json']['data'][number];

/** Built-in roles from the most to the least powerful, then custom roles by name. */
const BUILT_IN_ORDER = ['owner', 'enterprise-super-admin', 'administrator', 'viewer', 'api-user'];
function byRank(a: Role, b: Role): number {
  const rank = (r: Role) => (r.kind === 'built_in' ? BUILT_IN_ORDER.indexOf(r.id) : BUILT_IN_ORDER.length);
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

/** Whether a role grants a privilege: held directly, or through "Can manage account". */
function grants(role: Role, privilege: string): boolean {
  return role.privileges.includes(privilege) || role.privileges.includes('account:manage');
}

/**
 * Roles and what they allow: a matrix of roles (columns) by privileges (rows), built-in and
 * custom. With "Can manage account" custom roles can be created, edited and deleted.
 */
export function RolesPage() {
  const { organization, privileges } = useSignedIn();
  const manage = can(privileges, 'account:manage');
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'edit' | 'delete'; role: Role } | null>(null);
  const roles = useQuery({
    queryKey: ['roles', organization.id],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/roles', { params: { path: { org: organization.id } } })),
  });
  const catalog = usePrivileges();
  const list = [...(roles.data?.data ?? [])].sort(byRank);
  const all = catalog.data?.data ?? [];
  const custom = list.filter((r) => r.kind === 'custom');

  return (
    <Stack>
      <Title order={2}>Roles</Title>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">What each role allows. “Can manage account” implies every other privilege. Built-in roles cannot change.</Text>
        {manage && <Button onClick={() => setDialog({ kind: 'create' })}>+ New custom role</Button>}
      </Group>
      <ProblemAlert error={roles.error ?? catalog.error} title="Could not load roles" />
      {(roles.isPending || catalog.isPending) && <Text>Loading…</Text>}
      {roles.data && catalog.data && (
        <Table.ScrollContainer minWidth={240 + list.length * 130}>
          <Table withColumnBorders striped aria-label="Privileges of each role">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Privilege</Table.Th>
                {list.map((role) => (
                  <Table.Th key={role.id} scope="col" ta="center">
                    <Stack gap={2} align="center">
                      <Text size="sm" fw={600}>{role.name}</Text>
                      <Badge size="xs" variant="light" color={role.kind === 'custom' ? 'blue' : 'gray'}>{role.kind === 'custom' ? 'Custom' : 'Built in'}</Badge>
                      {role.assignable_to === 'api' && <Text size="xs" c="dimmed">for API users</Text>}
                    </Stack>
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {all.map((privilege) => (
                <Table.Tr key={privilege.name}>
                  <Table.Th scope="row" fw={400}>
                    <Text size="sm">{privilege.description}</Text>
                    <Text size="xs" c="dimmed"><code>{privilege.name}</code></Text>
                  </Table.Th>
                  {list.map((role) => {
                    const direct = role.privileges.includes(privilege.name);
                    const on = grants(role, privilege.name);
                    return (
                      <Table.Td key={role.id} ta="center">
                        <Text span c={on && direct ? undefined : 'dimmed'} aria-hidden>{on ? '✓' : '—'}</Text>
                        <VisuallyHidden>{on ? (direct ? 'Yes' : 'Yes, through Can manage account') : 'No'}</VisuallyHidden>
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Title order={3}>Custom roles</Title>
      {roles.data && custom.length === 0 && <Text size="sm">No custom roles yet.{manage ? ' Choose + New custom role to add one.' : ''}</Text>}
      {custom.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped aria-label="Custom roles">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Description</Table.Th><Table.Th>Privileges</Table.Th>{manage && <Table.Th>Actions</Table.Th>}</Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {custom.map((role) => (
                <Table.Tr key={role.id}>
                  <Table.Td>{role.name}</Table.Td>
                  <Table.Td>{role.description}</Table.Td>
                  <Table.Td>{role.privileges.join(', ') || '—'}</Table.Td>
                  {manage && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-sm" variant="default" aria-label={`Edit ${role.name}`} onClick={() => setDialog({ kind: 'edit', role })}>Edit</Button>
                        <Button size="compact-sm" variant="light" color="red" aria-label={`Delete ${role.name}`} onClick={() => setDialog({ kind: 'delete', role })}>Delete</Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {dialog?.kind === 'create' && <RoleModal privileges={all} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit' && <RoleModal privileges={all} id={dialog.role.id} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteRoleModal role={dialog.role} onClose={() => setDialog(null)} />}
    </Stack>
  );
}

function usePrivileges() {
  return useQuery({ queryKey: ['privileges'], queryFn: () => unwrap(api.GET('/v1/privileges')), staleTime: Infinity });
}

function useRole(id: string | undefined) {
  const { organization } = useSignedIn();
  return useQuery({
    queryKey: ['role', organization.id, id],
    enabled: Boolean(id),
    queryFn: () => unwrapWithEtag(api.GET('/v1/organizations/{org}/roles/{id}', { params: { path: { org: organization.id, id: id! } } })),
  });
}

/** New custom role, or Edit (read with its ETag; saved with If-Match). */
function RoleModal({ id, privileges, onClose }: { id?: string; privileges: Privilege[]; onClose: () => void }) {
  const narrow = useMediaQuery('(max-width: 600px)');
  const current = useRole(id);
  return (
    <Modal opened onClose={onClose} title={id ? 'Edit role' : 'New custom role'} size="lg" fullScreen={narrow}>
      <ProblemAlert error={current.error} title="Could not open the role" />
      {id && current.isPending && <Text>Loading…</Text>}
      {(!id || current.data) && (
        <RoleForm key={current.data?.etag ?? 'new'} editing={current.data} privileges={privileges}
          reloading={current.isFetching} onReload={() => void current.refetch()} onClose={onClose} />
      )}
    </Modal>
  );
}

function RoleForm({ editing, privileges, onReload, reloading, onClose }: {
  editing: { data: Role; etag: string } | undefined;
  privileges: Privilege[];
  onReload: () => void;
  reloading: boolean;
  onClose: () => void;
}) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const role = editing?.data;
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [chosen, setChosen] = useState<string[]>(role?.privileges ?? []);
  const save = useMutation({
    mutationFn: () => {
      type Body = NonNullable<paths['/v1/organizations/{org}/roles']['post']['requestBody']>['content']['application/json'];
      const body = { name: name.trim(), description: description.trim(), privileges: chosen as Body['privileges'] };
      if (!editing) return unwrap(api.POST('/v1/organizations/{org}/roles', { params: { path: { org: organization.id } }, body }));
      return unwrap(api.PATCH('/v1/organizations/{org}/roles/{id}', {
        params: { path: { org: organization.id, id: editing.data.id }, header: { 'if-match': editing.etag } }, body,
      }));
    },
    onSuccess: async (saved) => {
      notifyDone(editing ? `Saved ${saved.name}.` : `${saved.name} was created.`);
      await client.invalidateQueries({ queryKey: ['roles', organization.id] });
      await client.invalidateQueries({ queryKey: ['role', organization.id] });
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
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} />
        <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} error={fieldError(save.error, 'description')} />
        <Checkbox.Group label="Privileges" value={chosen} onChange={setChosen} error={fieldError(save.error, 'privileges')}
          description="Changes apply to the people holding the role on their next request.">
          <Stack gap="xs" mt="xs">
            {privileges.map((p) => <Checkbox key={p.name} value={p.name} label={p.description} description={p.name} />)}
          </Stack>
        </Checkbox.Group>
        <SaveProblem error={save.error} onReload={onReload} reloading={reloading} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={save.isPending}>Save</Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeleteRoleModal({ role, onClose }: { role: Role; onClose: () => void }) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const current = useRole(role.id);
  const remove = useMutation({
    mutationFn: (etag: string) => unwrap(api.DELETE('/v1/organizations/{org}/roles/{id}', {
      params: { path: { org: organization.id, id: role.id }, header: { 'if-match': etag } },
    })),
    onSuccess: async () => {
      notifyDone(`${role.name} was deleted.`);
      await client.invalidateQueries({ queryKey: ['roles', organization.id] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title="Delete role" centered>
      <Stack>
        <Text>Delete the custom role {role.name}? Only a role nobody holds can be deleted.</Text>
        <ProblemAlert error={current.error} title="Could not open the role" />
        <SaveProblem error={remove.error} title="Not deleted" reloading={current.isFetching} onReload={() => { remove.reset(); void current.refetch(); }} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>No</Button>
          <Button color="red" loading={remove.isPending} disabled={!current.data} onClick={() => current.data && remove.mutate(current.data.etag)}>Yes, delete</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
