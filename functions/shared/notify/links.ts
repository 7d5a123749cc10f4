/** AWS console links for the resources an alert is about. Pure string building; no AWS call. */

const consoleBase = (region: string) => `https://${region}.console.aws.amazon.com`;
const enc = encodeURIComponent;

/** CloudTrail event history, opened on one event by its id. */
export function cloudTrailEventLink(region: string, eventId: string): string {
  return `${consoleBase(region)}/cloudtrailv2/home?region=${region}#/events/${enc(eventId)}`;
}

/** The console page of an EC2/VPC resource by its id prefix (igw-, vpc-, sg-), or undefined. */
export function resourceLink(region: string, resource: string | undefined): { label: string; url: string } | undefined {
  if (!resource) return undefined;
  const r = `region=${region}`;
  if (resource.startsWith('igw-'))
    return {
      label: 'Internet gateway (VPC console)',
      url: `${consoleBase(region)}/vpcconsole/home?${r}#InternetGateway:internetGatewayId=${enc(resource)}`,
    };
  if (resource.startsWith('vpc-'))
    return {
      label: 'VPC (VPC console)',
      url: `${consoleBase(region)}/vpcconsole/home?${r}#VpcDetails:VpcId=${enc(resource)}`,
    };
  if (resource.startsWith('sg-'))
    return {
      label: 'Security group (EC2 console)',
      url: `${consoleBase(region)}/ec2/home?${r}#SecurityGroup:groupId=${enc(resource)}`,
    };
  if (resource.startsWith('arn:aws:cloudtrail:'))
    return { label: 'Trails (CloudTrail console)', url: `${consoleBase(region)}/cloudtrailv2/home?${r}#/trails` };
  return undefined;
}

/** S3 account-level Block Public Access settings. */
export function s3AccountSettingsLink(region: string): string {
  return `https://s3.console.aws.amazon.com/s3/settings?region=${region}`;
}

/** An account in the Organizations console. */
export function organizationsAccountLink(accountId: string): string {
  return `https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts/${enc(accountId)}`;
}

/** A Step Functions execution (its region is taken from the ARN). */
export function executionLink(executionArn: string): string {
  const region = executionArn.split(':')[3] || 'us-east-1';
  return `${consoleBase(region)}/states/home?region=${region}#/v2/executions/details/${enc(executionArn)}`;
}

/** A service-managed stack set. */
export function stackSetLink(region: string, stackSet: string): string {
  return `${consoleBase(region)}/cloudformation/home?region=${region}#/stacksets/${enc(stackSet)}/info?permissions=service`;
}
