import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { createTheme, darken, luminance, MantineProvider, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { ApiProblem } from './api/client';
import { AppRoutes } from './app-routes';

const queryClient = new QueryClient({
  defaultOptions: {
    // A 4xx will not change on retry; a network blip might.
    queries: { retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 2, refetchOnWindowFocus: false },
  },
});

// WCAG 2 AA (the axe check in test/browser/accessibility.test.ts): Mantine's default blue.6 under
// white text and its gray.6 "dimmed" text are below 4.5:1, and its dialogs' close buttons and
// table scroll areas, and the close buttons of notifications (toasts), have no name or focus.
const theme = createTheme({
  primaryShade: { light: 8, dark: 8 },
  components: {
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss' } } },
    // Every toast (<Notifications> renders each as a Notification) gets a named close button.
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } } },
    TableScrollContainer: { defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } } },
  },
});
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((m, n) => n - m) as [number, number];
  return (x + 0.05) / (y + 0.05);
};
/**
 * The palette's shade 9, darkened until it reads at 4.5:1 on `background` with a margin for the
 * striped or hovered table row under it.
 */
function readable(shades: readonly string[], background: string): string {
  let amount = 0;
  while (contrast(darken(shades[9]!, amount), background) < 5.2 && amount < 0.9) amount += 0.05;
  return darken(shades[9]!, amount);
}
const cssVariablesResolver: CSSVariablesResolver = (resolved) => {
  const light: Record<string, string> = { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' };
  for (const [name, shades] of Object.entries(resolved.colors)) {
    // "light" variants (badges, light buttons, the active link) draw shade 9 or darker on a 10% tint.
    const tint = `#${[1, 3, 5].map((i) => Math.round(229.5 + parseInt(shades[8]!.slice(i, i + 2), 16) * 0.1).toString(16).padStart(2, '0')).join('')}`;
    light[`--mantine-color-${name}-light-color`] = readable(shades, tint);
    // "filled" variants put white text on the primary shade.
    if (contrast(shades[8]!, '#ffffff') < 4.5) light[`--mantine-color-${name}-filled`] = readable(shades, '#ffffff');
  }
  return { variables: {}, light, dark: {} };
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
