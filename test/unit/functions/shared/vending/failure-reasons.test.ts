import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import { CREATE_ACCOUNT_FAILURES } from '../../../../../functions/shared/vending/failure-reasons';

describe('CREATE_ACCOUNT_FAILURES', () => {
  it('has a row per reason in the table of docs/vending.md, saying what vendguard does', () => {
    const doc = readFileSync(join(__dirname, '../../../../../docs/vending.md'), 'utf8');
    for (const reason of Object.values(CreateAccountFailureReason)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${reason}\``));
      expect([reason, row?.split('|')[2]?.trim().split(/[ ,]/)[0]]).toEqual([
        reason,
        CREATE_ACCOUNT_FAILURES[reason].kind,
      ]);
    }
  });
});
