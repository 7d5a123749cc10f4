/**
 * Requesters in other accounts (config `vending.requesters`): the hub bus admits them, only the
 * principals configured; without requesters the bus has the forwarders' statement alone.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { loadOrganizationConfig } from '../../config/load';
import { synthesizeApp } from './support';

const shipped = loadOrganizationConfig();

describe('hub stack: requesters', () => {
  it('admits the configured requester accounts, only their configured principals', () => {
    const loaded = {
      ...shipped,
      config: {
        ...shipped.config,
        vending: {
          ...shipped.config.vending,
          requesters: { accounts: ['222233334444'], principals: ['arn:aws:iam::222233334444:role/platform-ci'] },
        },
      },
    };
    const app = synthesizeApp({}, { loaded });
    app.hubTemplate.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: 'cdk-RequestersPutEvents', // CDK prefixes the statement id
      Statement: Match.objectLike({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Principal: { AWS: Match.anyValue() },
        Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222233334444:role/platform-ci'] } },
      }),
    });
    expect(JSON.stringify(app.hubTemplate.toJSON())).toContain(':iam::222233334444:root');
  }, 60_000);

  it('has no requester statement when none is configured', () => {
    expect(shipped.config.vending.requesters).toEqual({ accounts: [], principals: [] });
    const app = synthesizeApp();
    expect(Object.keys(app.hubTemplate.findResources('AWS::Events::EventBusPolicy'))).toHaveLength(1);
  }, 60_000);
});
