import { Navigate, Route, Routes } from 'react-router-dom';
import { RequireSession } from './api/session';
import { Layout } from './components/layout';
import { AccessPage } from './pages/access-page';
import { AdministratorsPage } from './pages/administrators-page';
import { ApplicationsPage } from './pages/applications-page';
import { AuditLogPage } from './pages/audit-log-page';
import { MailboxPage } from './pages/mailbox-page';
import { OrganizationPage } from './pages/organization-page';
import { RolesPage } from './pages/roles-page';
import { SignInPage } from './pages/sign-in-page';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route element={<RequireSession><Layout /></RequireSession>}>
        <Route path="/administrators" element={<AdministratorsPage />} />
        <Route path="/settings/access" element={<Navigate to="/settings/access/api-users" replace />} />
        <Route path="/settings/access/api-users" element={<AccessPage />} />
        <Route path="/settings/applications" element={<ApplicationsPage />} />
        <Route path="/settings/roles" element={<RolesPage />} />
        <Route path="/settings/organization" element={<OrganizationPage />} />
        <Route path="/audit-log" element={<AuditLogPage />} />
        <Route path="/mail" element={<MailboxPage />} />
        <Route path="*" element={<Navigate to="/administrators" replace />} />
      </Route>
    </Routes>
  );
}
