import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../config/load';
import { FUNCTIONS } from '../../../functions/manifest';
import type { FunctionRecord } from './model';

/**
 * What code a function runs. The sandbox never fetches a deployment package (an S3 object, a zip):
 * a function's code is found in the project itself, by two documented rules.
 *
 * 1. **A manifest function by name.** `vendguard-<name>` with `<name>` in `functions/manifest.ts` is
 *    that function's bundle, as the CDK app deploys it (`Handler: index.handler`, code from a CDK
 *    asset): module `index` is the manifest entry (`functions/<name>/app.ts`), the export is the
 *    handler's. Any other module of the bundle does not exist.
 * 2. **A project module by path.** Any other function runs the module its `Handler` names, relative to
 *    the project root, under `functions/` or `test/fixtures/` (`functions/vend-start/app.handler`,
 *    `test/fixtures/lambda/echo.handler`).
 *
 * Anything else is created as Lambda creates it, and fails when invoked as Lambda's Node.js runtime
 * fails: `Runtime.ImportModuleError` (no such module), `Runtime.HandlerNotFound` (no such export),
 * `Runtime.MalformedHandlerName`. Only Node.js runtimes run code here.
 */

/** A runnable handler, or the runtime error Lambda reports at the first invocation. */
export type CodeResolution =
  | {
      readonly ok: true;
      /** Relative to the project root. */
      readonly modulePath: string;
      readonly exportName: string;
      /** The manifest function, when rule 1 found it. */
      readonly manifestName?: string;
    }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string; readonly trace: string[] };

const PROJECT_MODULE = /^(functions|test\/fixtures)\/[A-Za-z0-9_./-]+$/;
const EXTENSIONS = ['', '.ts', '.js', '.cjs', '.mjs'];

/** Node's import failure, as the Node.js runtime reports it. */
export function importModuleError(fn: FunctionRecord, module: string): CodeResolution {
  if (!fn.Runtime.startsWith('nodejs')) {
    const message = fn.Runtime.startsWith('python')
      ? `Unable to import module '${module}': No module named '${module}'`
      : `Unable to load the handler module ${module}: the vendguard sandbox runs Node.js functions only`;
    return { ok: false, errorType: 'Runtime.ImportModuleError', errorMessage: message, trace: [] };
  }
  const message = `Error: Cannot find module '${module}'\nRequire stack:\n- /var/runtime/index.mjs`;
  return {
    ok: false,
    errorType: 'Runtime.ImportModuleError',
    errorMessage: message,
    trace: [
      `Runtime.ImportModuleError: ${message}`.split('\n'),
      '    at _loadUserApp (file:///var/runtime/index.mjs:1087:17)',
    ].flat(),
  };
}

/** `<module>.<export> is undefined or not exported`. */
export function handlerNotFound(fn: FunctionRecord): CodeResolution {
  const message = `${fn.Handler} is undefined or not exported`;
  return {
    ok: false,
    errorType: 'Runtime.HandlerNotFound',
    errorMessage: message,
    trace: [
      `Runtime.HandlerNotFound: ${message}`,
      '    at UserFunction.js.module.exports.load (file:///var/runtime/index.mjs:1151:15)',
    ],
  };
}

/** The code a function runs (see the module comment). */
export function resolveCode(fn: FunctionRecord): CodeResolution {
  const dot = fn.Handler.lastIndexOf('.');
  if (dot <= 0 || dot === fn.Handler.length - 1) {
    return {
      ok: false,
      errorType: 'Runtime.MalformedHandlerName',
      errorMessage: `Bad handler ${fn.Handler}`,
      trace: [],
    };
  }
  const module = fn.Handler.slice(0, dot);
  const exportName = fn.Handler.slice(dot + 1);
  if (!fn.Runtime.startsWith('nodejs')) return importModuleError(fn, module);
  const manifest = FUNCTIONS.find((f) => `vendguard-${f.name}` === fn.FunctionName);
  if (manifest) {
    return module === 'index'
      ? { ok: true, modulePath: manifest.entry, exportName, manifestName: manifest.name }
      : importModuleError(fn, module);
  }
  if (!PROJECT_MODULE.test(module) || module.split('/').includes('..')) return importModuleError(fn, module);
  const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();
  if (!EXTENSIONS.some((ext) => isFile(join(PROJECT_ROOT, `${module}${ext}`)))) return importModuleError(fn, module);
  return { ok: true, modulePath: module, exportName };
}
