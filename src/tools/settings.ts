/** `npm run settings`: prints the README's settings table (paste it between the markers). */
import { settingsMarkdown } from '../config/all';

process.stdout.write(settingsMarkdown() + '\n');
