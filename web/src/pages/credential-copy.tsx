import { Button, Code, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';

/**
 * Copy `value` to the clipboard; says so, or asks to copy by hand where the browser refuses
 * (no clipboard outside a secure context).
 */
export function CopyButton({ value, label = 'Copy', what = 'it' }: { value: string; label?: string; what?: string }) {
  const [message, setMessage] = useState<string | null>(null);
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setMessage('Copied.');
    } catch {
      setMessage(`Could not copy automatically: select ${what} and copy it by hand.`);
    }
  }
  return (
    <Group gap={6} wrap="nowrap">
      <Button size="xs" variant="default" onClick={copy} aria-label={label}>Copy</Button>
      {message && <Text size="xs" aria-live="polite">{message}</Text>}
    </Group>
  );
}

/** A labelled value shown as code, selectable, with a Copy button. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>{label}</Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code data-testid={testId} style={{ wordBreak: 'break-all', userSelect: 'all' }}>{value}</Code>
        <CopyButton value={value} label={`Copy ${label}`} what={`the ${label.toLowerCase()}`} />
      </Group>
    </Stack>
  );
}
