/**
 * The Lambda resource types deploy as the hub template declares them (the properties below are the
 * synthesized `VendguardHub` template's for `vend-start`, its rule permission, plus an invoke config),
 * through the Lambda API's own functions; an update changes the function in place; deleting the stack
 * removes them.
 */
import {
  deleteStackResources,
  deployStackResources,
  StackDeploymentError,
} from '../../../../../sandbox/services/cloudformation/stack-resources';
import { invokeFunction } from '../../../../../sandbox/services/lambda/api';
import { getFunctionEventInvokeConfig } from '../../../../../sandbox/services/lambda/event-invoke-config';
import { getFunction } from '../../../../../sandbox/services/lambda/functions';
import { getPolicy } from '../../../../../sandbox/services/lambda/permissions';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';
import { LAMBDA_TRUST, rejected, thrown } from './harness';

let rt: TestRuntime;
let account: string;
const region = 'eu-west-1';
const stackId = () =>
  `arn:aws:cloudformation:${region}:${account}:stack/VendguardHub/0f8e7a60-0000-4000-8000-000000000001`;

beforeEach(() => {
  rt = createTestRuntime();
  account = rt.managementAccountId;
});
afterEach(() => rt.close());

const RULE_ARN = () => `arn:aws:events:${region}:${account}:rule/vendguard/vendguard-account-request`;

function template(overrides: { timeout?: number; reserved?: number; retries?: number } = {}): string {
  return JSON.stringify({
    Resources: {
      Functionsvendstartrole317479BA: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: LAMBDA_TRUST, RoleName: 'vendguard-test-vend-start' },
      },
      Functionsvendstart3BF11A56: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Architectures: ['arm64'],
          Code: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
            S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-eu-west-1' },
            S3Key: '1ec6fd9e.zip',
          },
          Description: 'Starts one vending execution per account request, named from its request id',
          Environment: {
            Variables: {
              POWERTOOLS_SERVICE_NAME: 'vendguard',
              VENDGUARD_EVENT_BUS: 'vendguard',
              VENDGUARD_STATE_TABLE: 'vendguard-state',
            },
          },
          FunctionName: 'vendguard-vend-start',
          Handler: 'index.handler',
          LoggingConfig: { LogGroup: '/aws/lambda/vendguard-vend-start' },
          MemorySize: 256,
          Role: { 'Fn::GetAtt': ['Functionsvendstartrole317479BA', 'Arn'] },
          Runtime: 'nodejs22.x',
          Timeout: overrides.timeout ?? 30,
          TracingConfig: { Mode: 'PassThrough' },
          ...(overrides.reserved !== undefined ? { ReservedConcurrentExecutions: overrides.reserved } : {}),
        },
        DependsOn: ['Functionsvendstartrole317479BA'],
      },
      RuleaccountrequestRuleAllowEventRule: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['Functionsvendstart3BF11A56', 'Arn'] },
          Principal: 'events.amazonaws.com',
          SourceArn: RULE_ARN(),
        },
      },
      StartInvokeConfig: {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: { Ref: 'Functionsvendstart3BF11A56' },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: overrides.retries ?? 1,
        },
      },
    },
  });
}

const deploy = (body: string) =>
  deployStackResources(rt, {
    account,
    region,
    owner: 'stack/VendguardHub',
    stackId: stackId(),
    templateBody: body,
    parameters: [],
  });

describe('AWS::Lambda::Function, ::Permission, ::EventInvokeConfig', () => {
  it('creates the hub function, its rule permission and invoke config; Ref and GetAtt as CloudFormation returns them', async () => {
    const resources = deploy(template());
    const byId = Object.fromEntries(resources.map((r) => [r.logicalId, r]));
    const arn = `arn:aws:lambda:${region}:${account}:function:vendguard-vend-start`;
    expect(byId.Functionsvendstart3BF11A56).toMatchObject({
      physicalId: 'vendguard-vend-start',
      attributes: { Arn: arn },
    });
    const permission = byId.RuleaccountrequestRuleAllowEventRule;
    const id = permission?.attributes.Id as string;
    expect(id).toMatch(/^VendguardHub-RuleaccountrequestRuleAllowEventRule-[0-9A-F]{12}$/);
    expect(permission?.physicalId).toBe(`${arn}|${id}`);
    expect(byId.StartInvokeConfig?.physicalId).toBe('vendguard-vend-start|$LATEST');

    const scope = { account, region };
    expect(getFunction(rt, scope, { FunctionName: 'vendguard-vend-start' })).toMatchObject({
      Configuration: {
        Architectures: ['arm64'],
        Role: `arn:aws:iam::${account}:role/vendguard-test-vend-start`,
        Environment: { Variables: { VENDGUARD_EVENT_BUS: 'vendguard' } },
        LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/vendguard-vend-start' },
        Timeout: 30,
      },
      Tags: {
        'aws:cloudformation:stack-name': 'VendguardHub',
        'aws:cloudformation:logical-id': 'Functionsvendstart3BF11A56',
        'aws:cloudformation:stack-id': stackId(),
      },
    });
    expect(JSON.parse(getPolicy(rt, scope, { FunctionName: 'vendguard-vend-start' }).Policy).Statement).toEqual([
      {
        Sid: id,
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: arn,
        Condition: { ArnLike: { 'AWS:SourceArn': RULE_ARN() } },
      },
    ]);
    expect(getFunctionEventInvokeConfig(rt, scope, { FunctionName: 'vendguard-vend-start' })).toMatchObject({
      MaximumRetryAttempts: 1,
    });

    // the rule's service principal may invoke it; the manifest handler runs (and refuses a bad event)
    const invoked = await invokeFunction(rt, arn, '{"detail":{}}', {
      invocationType: 'RequestResponse',
      principalService: 'events.amazonaws.com',
      sourceArn: RULE_ARN(),
    });
    expect(invoked.functionError).toBe('Unhandled');
    expect(JSON.parse(invoked.payload ?? '{}').errorType).not.toMatch(/^Runtime\./);
    expect(
      await rejected(
        invokeFunction(rt, arn, '{}', {
          invocationType: 'Event',
          principalService: 'events.amazonaws.com',
          sourceArn: `${RULE_ARN()}-x`,
        }),
      ),
    ).toMatchObject({ code: 'AccessDeniedException' });
  });

  it('updates the function in place, and deleting the stack deletes all three', () => {
    deploy(template());
    const scope = { account, region };
    const before = getFunction(rt, scope, { FunctionName: 'vendguard-vend-start' }).Configuration.RevisionId;
    deploy(template({ timeout: 60, reserved: 2, retries: 0 }));
    const after = getFunction(rt, scope, { FunctionName: 'vendguard-vend-start' });
    expect(after).toMatchObject({ Configuration: { Timeout: 60 }, Concurrency: { ReservedConcurrentExecutions: 2 } });
    expect(after.Configuration.RevisionId).not.toBe(before);
    expect(getFunctionEventInvokeConfig(rt, scope, { FunctionName: 'vendguard-vend-start' })).toMatchObject({
      MaximumRetryAttempts: 0,
    });
    deploy(template({ timeout: 60 }));
    expect(getFunction(rt, scope, { FunctionName: 'vendguard-vend-start' }).Concurrency).toBeUndefined();

    deleteStackResources(rt, { account, region, owner: 'stack/VendguardHub' });
    expect(thrown(() => getFunction(rt, scope, { FunctionName: 'vendguard-vend-start' }))).toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it("fails the resource with the API's message when Lambda would refuse it", () => {
    const bad = JSON.parse(template());
    bad.Resources.Functionsvendstart3BF11A56.Properties.Runtime = 'nodejs14.x';
    const error = thrown(() => deploy(JSON.stringify(bad))) as unknown as StackDeploymentError;
    expect(error).toBeInstanceOf(StackDeploymentError);
    expect(error.statusReason).toContain(
      'Functionsvendstart3BF11A56: Resource handler returned message: "The runtime parameter of nodejs14.x is no longer supported',
    );
    expect(error.statusReason).toContain('Error Code: InvalidParameterValueException');
  });
});
