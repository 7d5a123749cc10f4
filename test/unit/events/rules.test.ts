import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRules, matchesHubSourcesOnly, type RuleDefinition } from '../../../events/rules';
import { FUNCTIONS } from '../../../functions/manifest';
import { GUARDRAIL_RULES as KNOWN_GUARDRAIL_RULES } from '../../../functions/shared/guardrails/rules';
import { eventPatternProblem, matchesEventPattern } from '../../../sandbox/services/eventbridge/pattern';

const SAMPLES = join(__dirname, '..', '..', '..', 'events', 'samples');
type Json = Record<string, unknown>;

function sample(file: string): Json {
  return JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as Json;
}

/** A deep copy of a sample with `edit` applied to its `detail`. */
function variant(file: string, edit: (detail: Json) => void): Json {
  const event = structuredClone(sample(file));
  edit(event.detail as Json);
  return event;
}

const rules = loadRules();
const rule = (name: string): RuleDefinition => {
  const found = rules.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};
const matches = (name: string, event: Json) => matchesEventPattern(rule(name).pattern ?? {}, event);

const GUARDRAIL_RULES = [
  'igw-created',
  'igw-attached',
  'sg-open-ingress',
  'prod-ingress-outside-bastion',
  'trail-tampered',
  's3-public-access-weakened',
  'vendguard-tampering',
  'organization-tampering',
  'leave-organization',
  'denied-attempts',
];

/** A sample of each remediating rule (each also matched positively below). */
const REMEDIATING_SAMPLES = [
  ['igw-created', 'aws.ec2/create-internet-gateway.json'],
  ['igw-attached', 'aws.ec2/attach-internet-gateway.json'],
  ['sg-open-ingress', 'aws.ec2/authorize-security-group-ingress-open.json'],
  ['trail-tampered', 'aws.cloudtrail/stop-logging.json'],
  ['s3-public-access-weakened', 'aws.s3/delete-account-public-access-block.json'],
] as const;

const remediatorIdentity = (detail: Json) => {
  detail.userIdentity = {
    type: 'AssumedRole',
    principalId: 'AROAREMEDIATION:vendguard-guardrails',
    arn: 'arn:aws:sts::222233334444:assumed-role/VendguardGuardrailRemediation/vendguard-guardrails',
    accountId: '222233334444',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        arn: 'arn:aws:iam::222233334444:role/VendguardGuardrailRemediation',
        accountId: '222233334444',
        userName: 'VendguardGuardrailRemediation',
      },
    },
  };
};
const denied = (detail: Json) => {
  detail.errorCode = 'Client.UnauthorizedOperation';
  detail.errorMessage =
    'You are not authorized to perform this operation. with an explicit deny in a service control policy';
  detail.responseElements = null;
};

describe('guardrail rules', () => {
  it('loads every rule file with loadRules()', () => {
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(GUARDRAIL_RULES));
  });

  it('knows every rule whose target is a guard-* function in the guardrails (functions/shared/guardrails/rules.ts)', () => {
    const guarded = rules.filter((r) => r.target.kind === 'function' && r.target.name.startsWith('guard-'));
    expect([...KNOWN_GUARDRAIL_RULES.keys()].sort()).toEqual(guarded.map((r) => r.name).sort());
  });

  it.each(GUARDRAIL_RULES)('%s has a pattern the EventBridge matcher accepts', (name) => {
    expect(eventPatternProblem(rule(name).pattern ?? {})).toBeUndefined();
  });

  it.each(GUARDRAIL_RULES)('%s targets a manifest function that lists it as a trigger', (name) => {
    const r = rule(name);
    const fn = FUNCTIONS.find((f) => f.name === r.target.name);
    expect(fn?.trigger.kind).toBe('rule');
    expect(fn?.trigger.kind === 'rule' ? fn.trigger.rules : []).toContain(name);
  });

  it.each([
    ['igw-created', 'aws.ec2/create-internet-gateway.json'],
    ['igw-attached', 'aws.ec2/attach-internet-gateway.json'],
    ['sg-open-ingress', 'aws.ec2/authorize-security-group-ingress-open.json'],
    ['sg-open-ingress', 'aws.ec2/authorize-security-group-ingress-open-ipv6.json'],
    ['sg-open-ingress', 'aws.ec2/modify-security-group-rules-open.json'],
    ['trail-tampered', 'aws.cloudtrail/stop-logging.json'],
    ['trail-tampered', 'aws.cloudtrail/delete-trail.json'],
    ['s3-public-access-weakened', 'aws.s3/delete-account-public-access-block.json'],
    ['s3-public-access-weakened', 'aws.s3/put-account-public-access-block-weakened.json'],
    ['vendguard-tampering', 'aws.events/delete-vendguard-rule.json'],
    ['leave-organization', 'aws.organizations/leave-organization.json'],
    ['organization-tampering', 'aws.organizations/detach-policy.json'],
    ['denied-attempts', 'aws.ec2/create-internet-gateway-denied.json'],
  ])('%s matches its sample %s', (name, file) => {
    expect(matches(name, sample(file))).toBe(true);
  });

  it('sends each sample to its guardrail rules: one, and ingress also to the production guard (it decides by account)', () => {
    for (const [file, expected] of [
      ['aws.ec2/create-internet-gateway.json', ['igw-created']],
      ['aws.ec2/attach-internet-gateway.json', ['igw-attached']],
      ['aws.ec2/authorize-security-group-ingress-open.json', ['sg-open-ingress', 'prod-ingress-outside-bastion']],
      ['aws.cloudtrail/stop-logging.json', ['trail-tampered']],
      ['aws.s3/delete-account-public-access-block.json', ['s3-public-access-weakened']],
      ['aws.ec2/create-internet-gateway-denied.json', ['denied-attempts']],
    ] as const) {
      const hits = GUARDRAIL_RULES.filter((name) => matches(name, sample(file)));
      expect({ file, hits }).toEqual({ file, hits: [...expected] });
    }
  });

  describe('negative cases', () => {
    it.each(REMEDIATING_SAMPLES)('%s ignores a failed call (errorCode present)', (name, file) => {
      expect(matches(name, variant(file, denied))).toBe(false);
    });

    it.each(REMEDIATING_SAMPLES)("%s ignores the remediation role's own calls", (name, file) => {
      expect(matches(name, variant(file, remediatorIdentity))).toBe(false);
    });

    it('matches an IAM user (no session issuer) creating a gateway', () => {
      const event = variant('aws.ec2/create-internet-gateway.json', (d) => {
        d.userIdentity = {
          type: 'IAMUser',
          principalId: 'AIDAEXAMPLE',
          arn: 'arn:aws:iam::222233334444:user/ci',
          accountId: '222233334444',
          userName: 'ci',
        };
      });
      expect(matches('igw-created', event)).toBe(true);
    });

    it('sg-open-ingress ignores ingress from a private range only', () => {
      const event = variant('aws.ec2/authorize-security-group-ingress-open.json', (d) => {
        const params = d.requestParameters as { ipPermissions: { items: { ipRanges: { items: Json[] } }[] } };
        for (const p of params.ipPermissions.items) p.ipRanges.items = [{ cidrIp: '10.1.0.0/16' }];
      });
      expect(matches('sg-open-ingress', event)).toBe(false);
    });

    it('sg-open-ingress ignores other EC2 calls', () => {
      const event = variant('aws.ec2/authorize-security-group-ingress-open.json', (d) => {
        d.eventName = 'AuthorizeSecurityGroupEgress';
      });
      expect(matches('sg-open-ingress', event)).toBe(false);
    });

    it('denied-attempts ignores a successful call and a non-access error', () => {
      expect(matches('denied-attempts', sample('aws.ec2/create-internet-gateway.json'))).toBe(false);
      const notFound = variant('aws.ec2/attach-internet-gateway.json', (d) => {
        d.errorCode = 'InvalidInternetGatewayID.NotFound';
      });
      expect(matches('denied-attempts', notFound)).toBe(false);
    });

    it('vendguard-tampering ignores changes to resources that are not vendguard', () => {
      const event = variant('aws.events/delete-vendguard-rule.json', (d) => {
        d.requestParameters = { name: 'team-payments-nightly' };
      });
      expect(matches('vendguard-tampering', event)).toBe(false);
    });

    it('vendguard-tampering alerts on a vendguard-* role made or changed by anyone but the StackSets execution role', () => {
      const roleCall = (eventName: string, roleName: string, issuer: string) =>
        variant('aws.events/delete-vendguard-rule.json', (d) => {
          d.eventSource = 'iam.amazonaws.com';
          d.eventName = eventName;
          d.requestParameters = { roleName };
          (
            d.userIdentity as { sessionContext: { sessionIssuer: { userName: string } } }
          ).sessionContext.sessionIssuer.userName = issuer;
        });
      const iam = (e: Json) => ({ ...e, source: 'aws.iam' });
      expect(matches('vendguard-tampering', iam(roleCall('CreateRole', 'vendguard-event-forwarder-x', 'Admin')))).toBe(
        true,
      );
      expect(matches('vendguard-tampering', iam(roleCall('UpdateRole', 'stacksets-exec-1234', 'Admin')))).toBe(true);
      // the baseline (re)deploys vendguard's roles in every account: not tampering
      expect(
        matches(
          'vendguard-tampering',
          iam(roleCall('CreateRole', 'VendguardGuardrailRemediation', 'stacksets-exec-1234')),
        ),
      ).toBe(false);
    });

    it('ignores the samples of other sources', () => {
      const request = sample('vendguard.requests/account-request.json');
      for (const name of GUARDRAIL_RULES) expect(matches(name, request)).toBe(false);
    });
  });
});

describe('rules on the events vendguard emits', () => {
  const byName = (name: string) => rules.find((r) => r.name === name) as RuleDefinition;

  it('are the ones whose every source is vendguard.guardrails or vendguard.vending ($or branches included)', () => {
    expect(rules.filter((r) => matchesHubSourcesOnly(r)).map((r) => r.name)).toEqual(['notify-slack']);
    // requests may come from requesters outside the hub; CloudTrail events from every account
    expect(matchesHubSourcesOnly(byName('account-request'))).toBe(false);
    expect(matchesHubSourcesOnly(byName('igw-created'))).toBe(false);
    expect(
      matchesHubSourcesOnly({ pattern: { $or: [{ source: ['vendguard.vending'] }, { source: ['aws.ec2'] }] } }),
    ).toBe(false);
    expect(matchesHubSourcesOnly({ pattern: { 'detail-type': ['Guardrail Finding'] } })).toBe(false);
  });
});

describe('organization-tampering', () => {
  it.each(['DetachPolicy', 'UpdatePolicy', 'DeletePolicy', 'DisablePolicyType', 'MoveAccount'])(
    'matches %s by anyone else than vending',
    (eventName) => {
      expect(
        matches(
          'organization-tampering',
          variant('aws.organizations/detach-policy.json', (d) => {
            d.eventName = eventName;
          }),
        ),
      ).toBe(true);
    },
  );

  it("ignores vending's own moves and quarantine releases, and failed calls", () => {
    const byVending = variant('aws.organizations/detach-policy.json', (d) => {
      const identity = d.userIdentity as { sessionContext: { sessionIssuer: { userName: string } } };
      identity.sessionContext.sessionIssuer.userName = 'vendguard-vend-govern-account';
    });
    expect(matches('organization-tampering', byVending)).toBe(false);
    const failed = variant('aws.organizations/detach-policy.json', (d) => {
      d.errorCode = 'AccessDeniedException';
    });
    expect(matches('organization-tampering', failed)).toBe(false);
    expect(matches('organization-tampering', sample('aws.organizations/leave-organization.json'))).toBe(false);
  });
});
