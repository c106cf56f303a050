import { Text } from '@mantine/core';
import { useSignedIn } from '../api/session';

/** The Movius line on every page with times: which zone they are shown in. */
export function TimeZoneNote() {
  const { organization } = useSignedIn();
  return <Text size="sm" c="dimmed" data-testid="time-zone-note">All the information displayed in {organization.time_zone_label}</Text>;
}
