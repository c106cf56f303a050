import { notifications } from '@mantine/notifications';

/** A green "done" toast whose close button has an accessible name (Mantine's has none by default). */
export function notifyDone(message: string): void {
  notifications.show({ color: 'green', message, closeButtonProps: { 'aria-label': 'Dismiss notification' } });
}
