/**
 * The tags by which vendguard finds the network account's resources (the `VendguardNetwork` stack
 * puts them): their ids only exist in AWS, so nothing hard-codes them. Not `vendguard:*` keys: the
 * protect-security SCP (which binds the network account, under Infrastructure) denies those to every
 * principal but the stack set and remediation roles, and this stack deploys with CDK's execution role.
 */
export const NETWORK_TAGS = {
  /** On the Transit Gateway: `organization`. */
  transitGateway: 'vendguard-network:transit-gateway',
  /** On each IPAM pool: its `network.pools` name (`top` on the top-level pool). */
  pool: 'vendguard-network:pool',
  /** On each Transit Gateway route table: a pool name, `egress` or `bastion`. */
  routeTable: 'vendguard-network:route-table',
} as const;

/** The route table of the egress VPC's attachment: every workload VPC propagates into it. */
export const EGRESS_ROUTE_TABLE = 'egress';
/** The route table of the bastion's attachment: the production VPCs propagate into it. */
export const BASTION_ROUTE_TABLE = 'bastion';
