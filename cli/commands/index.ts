import type { Command } from 'commander';
import { register as approval } from './approval';
import { register as baseline } from './baseline';
import { register as close } from './close';
import { register as config } from './config';
import { register as doctor } from './doctor';
import { register as enroll } from './enroll';
import { register as events } from './events';
import { register as executions } from './executions';
import { register as invoke } from './invoke';
import { register as network } from './network';
import { register as replay } from './replay';
import { register as request } from './request';
import { register as sandbox } from './sandbox';
import { register as sandboxAlerts } from './sandbox-alerts';

/** Every command registers itself on the program; add one line per command module. */
export const COMMANDS: readonly ((program: Command) => void)[] = [
  config,
  executions,
  replay,
  request,
  enroll,
  approval,
  close,
  baseline,
  events,
  invoke,
  doctor,
  network,
  sandbox,
  // Adds `alerts` to the `sandbox` group (sandboxGroup: whichever module comes first creates it).
  sandboxAlerts,
];
