import { notifications } from '@mantine/notifications';

/**
 * A green "done" toast: the one way pages say a change was made. Its close button is named
 * "Dismiss notification" by the theme's Notification default (main.tsx), for every toast.
 */
export function notifyDone(message: string): void {
  notifications.show({ color: 'green', message });
}
