import { Button, Group, List, Modal, PasswordInput, Radio, Stack, Text, TextInput, Textarea, ThemeIcon } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { passwordRules } from '../lib/password-rules';
import { notifyDone } from '../lib/notify';

/**
 * dotdigital's New user: the generated username proposed and accepted as is, a description, the
 * password twice with its rules checked as the user types, status Enabled.
 */
export function NewApiUserModal({ onClose }: { onClose: () => void }) {
  const { organization } = useSignedIn();
  const client = useQueryClient();
  const narrow = useMediaQuery('(max-width: 600px)');
  const [description, setDescription] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [status, setStatus] = useState<'enabled' | 'disabled'>('enabled');
  const proposal = useQuery({
    queryKey: ['api-users', organization.id, 'new'],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/api-users/new', { params: { path: { org: organization.id } } })),
    staleTime: Infinity,
    gcTime: 0,
  });
  const username = proposal.data?.username ?? '';
  const rules = passwordRules(password, confirmation, [username, organization.name]);
  const save = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/organizations/{org}/api-users', {
      params: { path: { org: organization.id } },
      body: { username, description, password, password_confirmation: confirmation, status },
    })),
    onSuccess: async (created) => {
      notifyDone(`${created.api_user.username} was added.`);
      await client.invalidateQueries({ queryKey: ['api-users', organization.id] });
      await client.invalidateQueries({ queryKey: ['directory', organization.id] });
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title="New API user" size="lg" fullScreen={narrow}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Email address" description="Randomly generated and unique; it cannot be changed later." readOnly
            value={proposal.isPending ? 'Generating…' : username} error={proposal.error ? 'Could not generate a username' : undefined} />
          <Textarea label="Description" description="Shown in the list after the email address, so make the user easy to identify."
            maxLength={500} autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <PasswordInput label="Password" required autoComplete="new-password" value={password}
            onChange={(e) => setPassword(e.currentTarget.value)} aria-describedby="password-rules" error={fieldError(save.error, 'password')} />
          <PasswordInput label="Confirm password" required autoComplete="new-password" value={confirmation}
            onChange={(e) => setConfirmation(e.currentTarget.value)} error={fieldError(save.error, 'password_confirmation')} />
          <List id="password-rules" size="sm" spacing={2} aria-live="polite" aria-label="Password rules" center>
            {rules.map((rule) => (
              <List.Item key={rule.label} data-met={rule.met}
                icon={<ThemeIcon size={16} radius="xl" color={rule.met ? 'green' : 'gray'} aria-hidden>{rule.met ? '✓' : '·'}</ThemeIcon>}>
                <Text size="sm" c={rule.met ? undefined : 'dimmed'}>{rule.label}{rule.met ? '' : ' (not yet)'}</Text>
              </List.Item>
            ))}
          </List>
          <Radio.Group label="Status" value={status} onChange={(v) => setStatus(v as 'enabled' | 'disabled')}>
            <Group mt="xs">
              <Radio value="enabled" label="Enabled" />
              <Radio value="disabled" label="Disabled" />
            </Group>
          </Radio.Group>
          <ProblemAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending} disabled={!username || !rules.every((r) => r.met)}>Save</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
