import { Code, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { ApiUser } from '../api/types';
import { ProblemAlert } from '../components/problem-alert';
import { CopyButton, CopyField } from './credential-copy';
import { PublicKeysPanel } from './public-keys-panel';

/** The token endpoint as the server announces it (RFC 8414), from PUBLIC_URL. */
export function useOAuthMetadata() {
  return useQuery({
    queryKey: ['oauth-metadata'],
    staleTime: 300_000,
    queryFn: () => unwrap(api.GET('/.well-known/oauth-authorization-server')),
  });
}

/**
 * The API user as an OAuth 2.0 client: its client id (the username), the token endpoint, a
 * client credentials request to copy, and the public keys it may sign client assertions with.
 */
export function OAuthClientPanel({ user }: { user: ApiUser }) {
  const metadata = useOAuthMetadata();
  const tokenEndpoint = metadata.data?.token_endpoint ?? `${window.location.origin}/oauth/token`;
  const issuer = metadata.data?.issuer ?? window.location.origin;
  const resource = user.applications[0]?.key ?? 'httpapi';
  const curl = [
    `curl -u "${user.username}:$SECRET" \\`,
    `  -d grant_type=client_credentials -d resource=${resource} \\`,
    `  ${tokenEndpoint}`,
  ].join('\n');
  return (
    <Stack>
      <Text size="sm">
        Every API user is also an OAuth 2.0 client. An integration trades its secret for a short-lived access token with the client
        credentials grant, then calls the API with <Code>Authorization: Bearer &lt;token&gt;</Code>.
      </Text>
      <ProblemAlert error={metadata.error} title="Server metadata not loaded" />
      <CopyField label="Client ID" value={user.username} testId="oauth-client-id" />
      <CopyField label="Token endpoint" value={tokenEndpoint} testId="oauth-token-endpoint" />
      <Stack gap={4}>
        <Title order={3} size="h5">Get a token (client credentials grant)</Title>
        <Code block data-testid="oauth-curl" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{curl}</Code>
        <CopyButton value={curl} label="Copy curl example" what="the example" />
        <Text size="sm" c="dimmed">
          <Code>$SECRET</Code> is the API user&apos;s password or one of its API keys. <Code>resource</Code> names the external application the
          token is for ({user.applications.map((a) => a.key).join(', ') || 'none assigned yet'}). OAuth libraries configure themselves from the
          issuer <Code>{issuer}</Code> (metadata at <Code>{issuer}/.well-known/oauth-authorization-server</Code>).
        </Text>
      </Stack>
      <PublicKeysPanel user={user} tokenEndpoint={tokenEndpoint} />
    </Stack>
  );
}
