import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Center, Loader } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api, setCsrfToken, whenUnauthorized } from './client';
import type { paths } from './schema';

export type Session = paths['/v1/session']['get']['responses'][200]['content']['application/json'];
export const SESSION_KEY = ['session'] as const;

/** GET /v1/session: the signed-in administrator, or null (401). Re-reads the CSRF token. */
async function readSession(): Promise<Session | null> {
  const { data, response } = await api.GET('/v1/session');
  if (response.status === 401 || !data) return null;
  setCsrfToken(data.csrf_token ?? null);
  return data;
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: readSession, staleTime: Infinity, retry: false });
}

/** The session of a page inside <RequireSession>, which renders children only when signed in. */
export function useSignedIn(): Session {
  const { data } = useSession();
  if (!data) throw new Error('useSignedIn outside <RequireSession>');
  return data;
}

/** Where sign-in sends the user back to: only a path on this site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/administrators';
}

/**
 * Renders its children for a signed-in administrator; otherwise sends them to sign-in with the
 * page they were on, so they come back to it. A 401 from any call does the same.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const client = useQueryClient();
  const location = useLocation();
  const navigate = useNavigate();
  useEffect(() => {
    whenUnauthorized(() => {
      setCsrfToken(null);
      client.setQueryData(SESSION_KEY, null);
      const here = window.location.pathname + window.location.search;
      navigate(`/sign-in?next=${encodeURIComponent(here)}&expired=1`, { replace: true });
    });
  }, [client, navigate]);
  if (session.isPending) return <Center h="100vh"><Loader aria-label="Loading" /></Center>;
  if (!session.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}
