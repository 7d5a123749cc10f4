/** One problem found in a config file: where (dotted path) and why. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Base error of the config module. */
export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** A config file failed validation; `issues` lists every problem, not just the first. */
export class ConfigValidationError extends ConfigError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string;

  constructor(file: string, issues: readonly ConfigIssue[]) {
    const noun = issues.length === 1 ? 'issue' : 'issues';
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    super(`${file} has ${issues.length} ${noun}:\n${lines.join('\n')}`);
    this.name = 'ConfigValidationError';
    this.issues = issues;
    this.file = file;
  }
}
