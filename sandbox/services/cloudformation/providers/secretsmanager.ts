import { AwsServiceError } from '../../../core/types';
import {
  createSecret,
  deleteSecret,
  findSecret,
  getSecret,
  type PasswordOptions,
  putSecretVersion,
  randomPassword,
  seededToken,
} from '../../secretsmanager';
import { saveSecret } from '../../secretsmanager/model';
import {
  generatedName,
  type ResourceContext,
  ResourceFailure,
  type ResourceProvider,
  scopeOf,
  stackTags,
  str,
} from '../resources';

/**
 * `AWS::SecretsManager::Secret`: a secret in the stack's account and region, its value given
 * (`SecretString`) or generated (`GenerateSecretString`, with `SecretStringTemplate` and
 * `GenerateStringKey`). Ref and `Fn::GetAtt Id` are the secret's ARN. Deleting it deletes the secret
 * without a recovery window.
 */

const GENERATE_KEYS = new Set([
  'ExcludeCharacters',
  'ExcludeLowercase',
  'ExcludeNumbers',
  'ExcludePunctuation',
  'ExcludeUppercase',
  'GenerateStringKey',
  'IncludeSpace',
  'PasswordLength',
  'RequireEachIncludedType',
  'SecretStringTemplate',
]);

/** The secret's value: `SecretString`, or one made by `GenerateSecretString`. */
function secretString(ctx: ResourceContext, props: Record<string, unknown>): string | undefined {
  const given = str(props, 'SecretString');
  const generate = props.GenerateSecretString as Record<string, unknown> | undefined;
  if (given !== undefined && generate !== undefined) {
    throw new ResourceFailure("You can't specify both SecretString and GenerateSecretString.");
  }
  if (!generate) return given;
  const extra = Object.keys(generate).find((k) => !GENERATE_KEYS.has(k));
  if (extra) throw new ResourceFailure(`#/GenerateSecretString: extraneous key [${extra}] is not permitted`);
  const flag = (k: string) =>
    generate[k] === undefined ? {} : { [k]: generate[k] === true || generate[k] === 'true' };
  const options: PasswordOptions = {
    ...(generate.PasswordLength !== undefined ? { PasswordLength: Number(generate.PasswordLength) } : {}),
    ...(typeof generate.ExcludeCharacters === 'string' ? { ExcludeCharacters: generate.ExcludeCharacters } : {}),
    ...flag('ExcludeLowercase'),
    ...flag('ExcludeNumbers'),
    ...flag('ExcludePunctuation'),
    ...flag('ExcludeUppercase'),
    ...flag('IncludeSpace'),
    ...flag('RequireEachIncludedType'),
  };
  const password = randomPassword(ctx.runtime, options);
  const template = generate.SecretStringTemplate;
  const key = generate.GenerateStringKey;
  if ((template === undefined) !== (key === undefined)) {
    throw new ResourceFailure('GenerateStringKey and SecretStringTemplate must be specified together.');
  }
  if (template === undefined) return password;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(template));
  } catch {
    throw new ResourceFailure('SecretStringTemplate must be a valid JSON object.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ResourceFailure('SecretStringTemplate must be a valid JSON object.');
  }
  return JSON.stringify({ ...(parsed as Record<string, unknown>), [String(key)]: password });
}

export const secretProvider: ResourceProvider = {
  type: 'AWS::SecretsManager::Secret',
  properties: ['Description', 'GenerateSecretString', 'KmsKeyId', 'Name', 'SecretString', 'Tags'],
  create(ctx, props) {
    const name = str(props, 'Name') ?? generatedName(ctx, 512);
    if (getSecret(ctx.runtime, scopeOf(ctx), name)) {
      throw new AwsServiceError(
        'AlreadyExists',
        `Resource of type 'AWS::SecretsManager::Secret' with identifier '${name}' already exists.`,
      );
    }
    const value = secretString(ctx, props);
    const description = str(props, 'Description');
    const kmsKeyId = str(props, 'KmsKeyId');
    const { secret } = createSecret(ctx.runtime, scopeOf(ctx), {
      Name: name,
      ClientRequestToken: seededToken(ctx.runtime),
      ...(value !== undefined ? { SecretString: value } : {}),
      ...(description !== undefined ? { Description: description } : {}),
      ...(kmsKeyId !== undefined ? { KmsKeyId: kmsKeyId } : {}),
      Tags: stackTags(ctx, props.Tags),
    });
    return { physicalId: secret.ARN, attributes: { Id: secret.ARN } };
  },
  update(ctx, physicalId, props, previous) {
    let secret = findSecret(ctx.runtime, scopeOf(ctx), physicalId);
    if ((str(props, 'Name') ?? secret.Name) !== secret.Name) return undefined;
    const description = str(props, 'Description');
    const kmsKeyId = str(props, 'KmsKeyId');
    const { Description: _d, KmsKeyId: _k, ...rest } = secret;
    secret = {
      ...rest,
      ...(description !== undefined ? { Description: description } : {}),
      ...(kmsKeyId !== undefined ? { KmsKeyId: kmsKeyId } : {}),
      Tags: stackTags(ctx, props.Tags),
    };
    saveSecret(ctx.runtime, secret);
    const valueChanged =
      JSON.stringify([props.SecretString, props.GenerateSecretString]) !==
      JSON.stringify([previous.SecretString, previous.GenerateSecretString]);
    const value = valueChanged ? secretString(ctx, props) : undefined;
    if (value !== undefined) putSecretVersion(ctx.runtime, secret, seededToken(ctx.runtime), { SecretString: value });
    return { physicalId, attributes: { Id: physicalId } };
  },
  delete(ctx, physicalId) {
    try {
      deleteSecret(ctx.runtime, findSecret(ctx.runtime, scopeOf(ctx), physicalId), { force: true });
    } catch {
      // already gone
    }
  },
};
