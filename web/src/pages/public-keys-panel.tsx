import { Button, Code, Group, Modal, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { useSignedIn } from '../api/session';
import type { ApiUser } from '../api/types';
import { fieldError, ProblemAlert } from '../components/problem-alert';
import { formatSignIn } from '../lib/format-time';
import { notifyDone } from '../lib/notify';

type Upload = NonNullable<paths['/v1/organizations/{org}/api-users/{id}/public-keys']['post']['requestBody']>['content']['application/json'];

const FORMAT_HELP = 'Paste a JWK Set ({"keys": […]}), one JWK, or a PEM public key (-----BEGIN PUBLIC KEY-----).';

/**
 * What the administrator pasted, as the upload body: a PEM (with the kid typed beside it), a JWK
 * Set, or one JWK. Throws a readable message for anything else; the server checks the keys.
 */
export function parsePublicKey(text: string, name: string, kid: string): Upload {
  const trimmed = text.trim();
  const named = name.trim() ? { name: name.trim() } : {};
  if (trimmed.startsWith('-----BEGIN')) return { ...named, pem: trimmed, ...(kid.trim() ? { kid: kid.trim() } : {}) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new Error(`That is neither JSON nor PEM. ${FORMAT_HELP}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(FORMAT_HELP);
  const object = parsed as Record<string, unknown>;
  if (Array.isArray(object.keys)) return { ...named, keys: object.keys as Extract<Upload, { keys: unknown }>['keys'] };
  if (typeof object.kty !== 'string') throw new Error(`A JWK needs "kty". ${FORMAT_HELP}`);
  return { ...object, kty: object.kty, ...(kid.trim() && !object.kid ? { kid: kid.trim() } : {}), ...named };
}

/** The public keys an API user signs private_key_jwt client assertions with: list, upload, remove. */
export function PublicKeysPanel({ user, tokenEndpoint }: { user: ApiUser; tokenEndpoint: string }) {
  const { organization, privileges } = useSignedIn();
  const client = useQueryClient();
  const zone = organization.time_zone;
  const canManage = privileges.includes('api-users:manage') || privileges.includes('account:manage');
  const path = { org: organization.id, id: user.id };
  const queryKey = ['public-keys', organization.id, user.id];
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [kid, setKid] = useState('');
  const [removing, setRemoving] = useState<{ id: string; name: string; key_id: string } | null>(null);

  const keys = useQuery({ queryKey, queryFn: () => unwrap(api.GET('/v1/organizations/{org}/api-users/{id}/public-keys', { params: { path } })) });
  const refresh = () => client.invalidateQueries({ queryKey });
  const upload = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/organizations/{org}/api-users/{id}/public-keys', { params: { path }, body: parsePublicKey(text, name, kid) })),
    onSuccess: async (data) => {
      notifyDone(`${data.data.length === 1 ? 'The key was' : `${data.data.length} keys were`} added.`);
      setName('');
      setText('');
      setKid('');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (key: string) => unwrap(api.DELETE('/v1/organizations/{org}/api-users/{id}/public-keys/{key}', { params: { path: { ...path, key } } })),
    onSuccess: async () => {
      notifyDone(`${removing?.name ?? 'The key'} was removed.`);
      setRemoving(null);
      await refresh();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    upload.mutate();
  }

  const rows = keys.data?.data ?? [];
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">Public keys (private_key_jwt)</Title>
      <Text size="sm">
        Instead of a secret, the integration can sign a short JWT with its private key (RFC 7523): header <Code>kid</Code> = the key ID below,{' '}
        <Code>iss</Code> = <Code>sub</Code> = the client ID, <Code>aud</Code> = <Code>{tokenEndpoint}</Code>, <Code>exp</Code> at most 5 minutes
        ahead and a unique <Code>jti</Code>; it sends it as <Code>client_assertion</Code> with{' '}
        <Code>client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer</Code>. Only the public key is stored here.
      </Text>
      <ProblemAlert error={keys.error} title="Public keys not loaded" />
      {keys.data && rows.length === 0 && <Text size="sm" c="dimmed">No public keys yet.</Text>}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Public keys" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th><Table.Th>Key ID (kid)</Table.Th><Table.Th>Type</Table.Th><Table.Th>Thumbprint</Table.Th><Table.Th>Last used</Table.Th><Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((key) => (
                <Table.Tr key={key.id}>
                  <Table.Td>{key.name}</Table.Td>
                  <Table.Td><Code style={{ wordBreak: 'break-all' }}>{key.key_id}</Code></Table.Td>
                  <Table.Td>{[key.jwk.kty, key.jwk.crv, key.jwk.alg].filter(Boolean).join(' ')}</Table.Td>
                  <Table.Td><Code title={key.thumbprint}>{key.hint}</Code></Table.Td>
                  <Table.Td>{formatSignIn(key.last_used_at, zone) || 'Never'}</Table.Td>
                  <Table.Td>
                    {canManage && (
                      <Button size="xs" color="red" variant="light" aria-label={`Delete ${key.name}`} onClick={() => { remove.reset(); setRemoving(key); }}>Delete</Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canManage && (
        <form onSubmit={submit} noValidate aria-label="Add public key">
          <Stack gap="xs">
            <Textarea label="Public key" required autosize minRows={4} maxRows={12} value={text} onChange={(e) => setText(e.currentTarget.value)}
              description={`${FORMAT_HELP} Private keys are refused.`} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              error={fieldError(upload.error, 'pem') ?? fieldError(upload.error, 'keys')} />
            <Group align="flex-start" grow wrap="wrap">
              <TextInput label="Name (optional)" description="What the key is for; default: its key ID." value={name} onChange={(e) => setName(e.currentTarget.value)}
                error={fieldError(upload.error, 'name')} />
              <TextInput label="Key ID (optional)" description="For a PEM or a JWK without kid; default: the thumbprint." value={kid} onChange={(e) => setKid(e.currentTarget.value)}
                error={fieldError(upload.error, 'kid')} />
            </Group>
            <ProblemAlert error={upload.error} title="Key not added" />
            <Group justify="flex-end">
              <Button type="submit" loading={upload.isPending} disabled={!text.trim()}>Add public key</Button>
            </Group>
          </Stack>
        </form>
      )}
      {removing && (
        <Modal opened onClose={() => setRemoving(null)} title="Delete public key" centered zIndex={400}>
          <Stack>
            <Text>Delete {removing.name} ({removing.key_id})? Client assertions signed with it are refused from the next request; access tokens already issued stay valid until they expire.</Text>
            <ProblemAlert error={remove.error} title="Not deleted" />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRemoving(null)} data-autofocus>Cancel</Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(removing.id)}>Delete</Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Stack>
  );
}
