/**
 * `npm run backup -- --to backups/basicdb.sqlite [--data-dir .basic-sync-data]`: an online
 * backup of the server's database, safe while the server runs. To restore, stop the
 * server and put the file back as `<data-dir>/basicdb.sqlite` (keep `jwt.key` too, or
 * everyone signs in again).
 */
import { parseArgs } from 'node:util';
import { backupDatabase } from './backup.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, to: { type: 'string' } } });
const dataDir = values['data-dir'] ?? process.env.BASIC_DATA_DIR ?? '.basic-sync-data';
if (!values.to) {
  console.error('usage: npm run backup -- --to <new file> [--data-dir <folder>]');
  process.exit(2);
}
try {
  const { pages } = await backupDatabase(dataDir, values.to);
  console.log(`backed up ${dataDir} to ${values.to} (${pages} pages)`);
} catch (error) {
  console.error(`backup failed: ${(error as Error).message}`);
  process.exit(1);
}
