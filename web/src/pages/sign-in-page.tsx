import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { api, setCsrfToken, unwrap } from '../api/client';
import { safeNext, SESSION_KEY, useSession } from '../api/session';
import { ProblemAlert } from '../components/problem-alert';

/**
 * POST /v1/session, then back to the page the user came from. `?email=` fills the email (the
 * setup page sends the new owner here; signed in already, they go straight on to `next`).
 */
export function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const session = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [email, setEmail] = useState(() => params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/session', { body: { email, password } })),
    onSuccess: (data) => {
      setCsrfToken(data.csrf_token ?? null);
      client.setQueryData(SESSION_KEY, data);
      navigate(next, { replace: true });
    },
  });
  if (session.data) return <Navigate to={next} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    signIn.mutate();
  }

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420} component="form" onSubmit={submit}>
        <Stack>
          <Title order={1} size="h2">Sign in</Title>
          {params.get('expired') && <Alert color="yellow">Your session ended. Sign in again to continue.</Alert>}
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label="Password" autoComplete="current-password" required autoFocus={Boolean(params.get('email'))} value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <ProblemAlert error={signIn.error} title="Could not sign in" />
          <Button type="submit" loading={signIn.isPending}>Sign in</Button>
        </Stack>
      </Paper>
    </Center>
  );
}
