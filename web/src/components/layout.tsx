import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { NavLink as RouterLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { api, setCsrfToken } from '../api/client';
import { SESSION_KEY, useSignedIn } from '../api/session';
import { can } from '../lib/privileges';

/**
 * The navigation; a link whose page needs a privilege the administrator lacks is not shown, nor
 * the Mailbox when emails go to an SMTP server (there is no local mailbox then).
 */
const LINKS: { to: string; label: string; needs?: string; localMailbox?: true }[] = [
  { to: '/administrators', label: 'Administrators' },
  { to: '/settings/access/api-users', label: 'Settings › Access' },
  { to: '/settings/applications', label: 'Settings › Applications', needs: 'api-users:read' },
  { to: '/settings/roles', label: 'Settings › Roles', needs: 'admins:read' },
  { to: '/settings/organization', label: 'Settings › Organization' },
  { to: '/audit-log', label: 'Audit log', needs: 'audit:read' },
  // The mailbox holds invitation links: GET …/mail needs "Can manage account".
  { to: '/mail', label: 'Mailbox', needs: 'account:manage', localMailbox: true },
];

/** Header (organization, who is signed in, sign out), navigation, and the page. */
export function Layout() {
  const session = useSignedIn();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();

  async function signOut() {
    await api.DELETE('/v1/session');
    setCsrfToken(null);
    client.clear();
    client.setQueryData(SESSION_KEY, null);
    navigate('/sign-in', { replace: true });
  }

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={1} size="h4" lineClamp={1}>{session.organization.display_name}</Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="sm">{session.administrator.name}</Text>
            <Button variant="default" size="xs" onClick={signOut}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {LINKS.filter((link) => (!link.needs || can(session.privileges, link.needs)) && (!link.localMailbox || session.local_mailbox)).map((link) => (
          <NavLink key={link.to} component={RouterLink} to={link.to} label={link.label}
            active={location.pathname.startsWith(link.to)} onClick={close} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
