/** Types for `asl-validator` 4.x, which ships none. It mutates its input (adds `QueryLanguage`). */
declare module 'asl-validator' {
  interface AslValidatorOptions {
    readonly checkPaths?: boolean;
    readonly checkArn?: boolean;
  }
  interface AslValidationError {
    readonly 'Error code': string;
    readonly Message: string;
  }
  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly AslValidationError[];
    errorsText(separator?: string): string;
  }
  function validator(definition: unknown, options?: AslValidatorOptions): AslValidationResult;
  export = validator;
}
