/**
 * Every settings table of the project, in README order. `npm run settings` prints the README's
 * settings table from it, and a test fails when the README and the code disagree.
 */
import { ACCESS_SETTINGS } from '../access/config';
import { JWT_SETTINGS } from '../auth/jwt-config';
import { CONVERSATION_NAME_SETTINGS } from '../conversation-name/config';
import { EVENT_SETTINGS } from '../events/config';
import { PROXY_SETTINGS } from '../proxy/config';
import { REGISTER_SETTINGS } from '../register/config';
import { RELAY_SETTINGS } from '../relay/config';
import { WEBHOOK_SETTINGS } from '../webhook/config';
import { CORE_SETTINGS } from '../config/core';
import type { SettingsTable } from '../config/settings';

export const ALL_SETTINGS: ReadonlyArray<{ readonly section: string; readonly table: SettingsTable }> = [
  { section: 'Core and Redis', table: CORE_SETTINGS },
  { section: 'Relay and local stack', table: RELAY_SETTINGS },
  { section: 'Conversation access', table: ACCESS_SETTINGS },
  { section: 'Tokens (JWT)', table: JWT_SETTINGS },
  { section: 'Token registration', table: REGISTER_SETTINGS },
  { section: 'Event functions', table: EVENT_SETTINGS },
  { section: 'Fulfillment webhook', table: WEBHOOK_SETTINGS },
  { section: 'Dialogflow proxy', table: PROXY_SETTINGS },
  { section: 'Conversation-name API', table: CONVERSATION_NAME_SETTINGS },
];

function cell(value: string | undefined): string {
  return value === undefined || value === '' ? '' : `\`${value}\``;
}

/** The Markdown table of every setting (what the README shows between its settings markers). */
export function settingsMarkdown(): string {
  const rows = ['| setting | default | local default | meaning |', '|---|---|---|---|'];
  for (const { section, table } of ALL_SETTINGS) {
    rows.push(`| **${section}** | | | |`);
    for (const [name, setting] of Object.entries(table)) {
      rows.push(`| \`${name}\` | ${cell(setting.default)} | ${cell(setting.localDefault)} | ${setting.doc.replace(/\|/g, '\\|')} |`);
    }
  }
  return rows.join('\n');
}
