/** `npm run settings`: prints the README's settings table (paste it between the markers). */
import { settingsMarkdown } from '../app/all-settings';

process.stdout.write(settingsMarkdown() + '\n');
