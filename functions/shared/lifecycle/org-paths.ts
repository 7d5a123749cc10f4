/** Where an account sits in the organization, as an OU path (`Workloads/Dev`, `Root`). */
import {
  DescribeOrganizationalUnitCommand,
  ListParentsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';

/** The account's OU path and its direct parent's id, walking ListParents up to the root. */
export async function ouPathOf(
  org: OrganizationsClient,
  accountId: string,
): Promise<{ path: string; parentId: string }> {
  const names: string[] = [];
  let childId = accountId;
  let parentId: string | undefined;
  for (let depth = 0; depth < 6; depth++) {
    const parent = (await org.send(new ListParentsCommand({ ChildId: childId }))).Parents?.[0];
    if (!parent?.Id) break;
    parentId ??= parent.Id;
    if (parent.Type === 'ROOT') break;
    const ou = await org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id }));
    names.unshift(ou.OrganizationalUnit?.Name ?? parent.Id);
    childId = parent.Id;
  }
  return { path: names.length ? names.join('/') : 'Root', parentId: parentId ?? '' };
}
