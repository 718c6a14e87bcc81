// Accessibility checks for the e2e specs: axe-core (WCAG 2.0-2.2 A/AA and best practices) on the page as it stands,
// failing on serious or critical violations and listing minor and moderate ones in the test output and the report.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

/** The rule sets axe runs: every WCAG A/AA level up to 2.2 plus axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Impacts that fail a test; the others are listed, not failed. */
const FAILING = new Set(['serious', 'critical']);

export interface A11yViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** One line per violation: impact, rule, help, and up to three of the elements it names. */
export function describeViolations(violations: readonly A11yViolation[]): string {
  return violations.map((v) => {
    const more = v.targets.length > 3 ? ` (+${v.targets.length - 3} more)` : '';
    return `[${v.impact}] ${v.id}: ${v.help} — ${v.targets.slice(0, 3).join(', ')}${more}`;
  }).join('\n');
}

/**
 * Runs axe on the whole page and fails on any violation of impact serious or critical; minor and moderate ones are
 * logged and attached to the report as `a11y-<stateName>.txt`. No rule is disabled.
 */
export async function expectNoSeriousA11yViolations(page: Page, testInfo: TestInfo, stateName: string): Promise<void> {
  // Legacy mode runs axe.run in the page itself: the default (runPartial + finishRun) opens a second blank page to
  // merge frame results, which cost ~7 s of the ~10 s per check here and buys nothing on a page without iframes.
  // Only violations are needed, so axe serialises the other result types as one node each.
  const results = await new AxeBuilder({ page }).setLegacyMode(true).withTags(AXE_TAGS)
    .options({ resultTypes: ['violations'] }).analyze();
  const all: A11yViolation[] = results.violations.map((v) => ({
    id: v.id, impact: v.impact ?? 'unknown', help: v.help, targets: v.nodes.map((n) => n.target.join(' ')),
  }));
  const failing = all.filter((v) => FAILING.has(v.impact));
  const other = all.filter((v) => !FAILING.has(v.impact));
  const report = [
    `axe-core ${results.testEngine.version} on "${stateName}" at ${page.viewportSize()?.width ?? '?'} px: ${failing.length} serious/critical, ${other.length} other`,
    describeViolations(all),
  ].filter(Boolean).join('\n');
  if (all.length > 0) console.log(report);
  await testInfo.attach(`a11y-${stateName}.txt`, { body: report, contentType: 'text/plain' });
  expect(failing, `serious or critical accessibility violations in "${stateName}":\n${describeViolations(failing)}`).toEqual([]);
}
