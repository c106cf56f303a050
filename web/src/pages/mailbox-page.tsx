import { Accordion, Alert, Code, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../api/session';
import { ProblemAlert } from '../components/problem-alert';
import { TimeZoneNote } from '../components/time-zone-note';
import { formatSignIn } from '../lib/format-time';

/** The local mailbox: with no SMTP server configured, invitations are kept here. */
export function MailboxPage() {
  const { organization } = useSignedIn();
  const mail = useQuery({
    queryKey: ['mail', organization.id],
    queryFn: () => unwrap(api.GET('/v1/organizations/{org}/mail', { params: { path: { org: organization.id } } })),
  });
  return (
    <Stack>
      <Title order={2}>Mailbox</Title>
      <TimeZoneNote />
      <Text size="sm" c="dimmed">With no SMTP server configured, the emails this organization sends (invitations, API user credentials) are kept here.</Text>
      <ProblemAlert error={mail.error} title="Could not read the mailbox" />
      {mail.isPending && <Text>Loading…</Text>}
      {mail.data?.data.length === 0 && <Alert color="gray">No emails yet.</Alert>}
      <Accordion variant="separated">
        {mail.data?.data.map((message) => (
          <Accordion.Item key={message.id} value={message.id}>
            <Accordion.Control>
              <Text fw={600}>{message.subject}</Text>
              <Text size="sm" c="dimmed">To {message.to} · {formatSignIn(message.created_at, organization.time_zone)}</Text>
            </Accordion.Control>
            <Accordion.Panel><Code block style={{ whiteSpace: 'pre-wrap' }}>{message.text}</Code></Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}
