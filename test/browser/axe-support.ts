import { join } from 'node:path';
import type { Page } from 'playwright-core';

const AXE = join(import.meta.dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js');

interface AxeNode { target: unknown[]; failureSummary?: string; html: string }
interface AxeViolation { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] }

/**
 * Runs axe-core (WCAG 2 A and AA rules) on the page as it is now and returns its serious and
 * critical violations, one readable block each: rule, impact, help, and every element with the fix.
 */
export async function seriousViolations(page: Page, where: string): Promise<string[]> {
  if (!await page.evaluate(() => 'axe' in globalThis)) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    // Runs in the page: globalThis is its window.
    const { axe, document } = globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> }; document: unknown };
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
    return result.violations;
  }) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => [
      `${where}: [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
      ...v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`),
    ].join('\n'));
}
