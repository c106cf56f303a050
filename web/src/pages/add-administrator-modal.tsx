import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { notifyDone } from '../lib/notify';

/** + Add New Administrator: a person, invited by email to choose their password. */
export function AddAdministratorModal({ onClose }: { onClose: () => void }) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const narrow = useMediaQuery('(max-width: 600px)');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [email, setEmail] = useState('');
  const [roleId, setRoleId] = useState<string | null>('administrator');
  const roles = useQuery({
    queryKey: ['roles', organization.id],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/roles', { params: { path: { org: organization.id } } })),
  });
  const save = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/organizations/{org}/administrators', {
      params: { path: { org: organization.id } },
      body: { first_name: firstName.trim(), last_name: lastName.trim(), email: email.trim(), role_id: roleId ?? '' },
    })),
    onSuccess: async () => {
      notifyDone(`${firstName} ${lastName} was invited.`);
      await client.invalidateQueries({ queryKey: ['directory', organization.id] });
      onClose();
    },
  });
  const roleOptions = (roles.data?.data ?? []).filter((r) => r.assignable_to === 'admin' && r.id !== 'owner').map((r) => ({ value: r.id, label: r.name }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title="Add New Administrator" size="lg" fullScreen={narrow}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="First Name" required value={firstName} onChange={(e) => setFirstName(e.currentTarget.value)} error={fieldError(save.error, 'first_name')} />
          <TextInput label="Last Name" required value={lastName} onChange={(e) => setLastName(e.currentTarget.value)} error={fieldError(save.error, 'last_name')} />
          <TextInput label="Email" type="email" required description="The invitation goes here." value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(save.error, 'email')} />
          <Select label="Role" required data={roleOptions} value={roleId} onChange={setRoleId} allowDeselect={false} />
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
