import { createCipheriv, createDecipheriv } from 'node:crypto';
import { optionalString, requiredString } from '../../core/protocols/input';
import type { RequestContext, SandboxRuntime } from '../../core/types';
import { constraint, incorrectKey, invalidCiphertext, invalidKeyUsage, validation } from './errors';
import { findKey, type KeyRecord, requireEnabled, scopeOf } from './model';
import { randomBytes } from './rules';

/**
 * KMS's symmetric cryptographic operations with real AES-256-GCM under each key's own (seeded) key
 * material, so ciphertexts round-trip and are bound to their key and encryption context. The blob is
 * the sandbox's own format (`VGK1`, the key ARN, IV, tag, ciphertext), not AWS's; only
 * `SYMMETRIC_DEFAULT` keys encrypt.
 */

type Input = Record<string, unknown>;

const MAGIC = Buffer.from('VGK1');

function context(input: Input): Buffer {
  const ctx = input.EncryptionContext;
  if (ctx === undefined || ctx === null) return Buffer.alloc(0);
  if (typeof ctx !== 'object' || Array.isArray(ctx)) throw validation('EncryptionContext must be a map of strings');
  const entries = Object.entries(ctx as Record<string, unknown>)
    .map(([k, v]) => [k, String(v)])
    .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1));
  return Buffer.from(JSON.stringify(entries));
}

function blob(input: Input, name: string, max: number): Buffer {
  const text = requiredString(input, name);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length > max) {
    throw constraint(
      '…',
      name.charAt(0).toLowerCase() + name.slice(1),
      `Member must have length ${bytes.length === 0 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
    );
  }
  return bytes;
}

function symmetricKey(key: KeyRecord): Buffer {
  requireEnabled(key);
  if (key.KeyUsage !== 'ENCRYPT_DECRYPT' || !key.Material) {
    throw invalidKeyUsage(`${key.Arn} key usage is ${key.KeyUsage} which is not valid for this operation.`);
  }
  return Buffer.from(key.Material, 'base64');
}

function algorithm(input: Input): void {
  const alg = optionalString(input, 'EncryptionAlgorithm');
  if (alg !== undefined && alg !== 'SYMMETRIC_DEFAULT') {
    throw invalidKeyUsage(
      `The requested algorithm ${alg} is not valid for this key. Supported algorithms: [SYMMETRIC_DEFAULT]`,
    );
  }
}

/** Encrypts `plaintext` under a key; returns the ciphertext blob. */
export function encryptWith(runtime: SandboxRuntime, key: KeyRecord, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(runtime, 12);
  const cipher = createCipheriv('aes-256-gcm', symmetricKey(key), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const arn = Buffer.from(key.Arn);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(arn.length);
  return Buffer.concat([MAGIC, len, arn, iv, cipher.getAuthTag(), body]);
}

/** The key ARN a ciphertext blob names, or undefined when it is not one of the sandbox's blobs. */
export function blobKeyArn(data: Buffer): string | undefined {
  if (data.length < 6 || !data.subarray(0, 4).equals(MAGIC)) return undefined;
  const len = data.readUInt16BE(4);
  if (data.length < 6 + len + 28) return undefined;
  return data.subarray(6, 6 + len).toString('utf8');
}

function decryptWith(key: KeyRecord, data: Buffer, aad: Buffer): Buffer {
  const len = data.readUInt16BE(4);
  const at = 6 + len;
  const decipher = createDecipheriv('aes-256-gcm', symmetricKey(key), data.subarray(at, at + 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(at + 12, at + 28));
  try {
    return Buffer.concat([decipher.update(data.subarray(at + 28)), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

function dataKeyLength(input: Input): number {
  const spec = optionalString(input, 'KeySpec');
  const bytes = input.NumberOfBytes;
  if ((spec === undefined) === (bytes === undefined || bytes === null)) {
    throw validation('Please specify either number of bytes or key spec.');
  }
  if (spec !== undefined) {
    if (spec !== 'AES_256' && spec !== 'AES_128') {
      throw constraint(spec, 'keySpec', 'Member must satisfy enum value set: [AES_256, AES_128]');
    }
    return spec === 'AES_256' ? 32 : 16;
  }
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 1 || bytes > 1024) {
    throw constraint(bytes, 'numberOfBytes', 'Member must have value between 1 and 1024');
  }
  return bytes;
}

/** The cryptographic operations, bound to the runtime. */
export function cryptoOperations(runtime: SandboxRuntime) {
  const keyFor = (input: Input, ctx: RequestContext) =>
    findKey(runtime, scopeOf(ctx), requiredString(input, 'KeyId'), { aliases: true, crossAccount: true });

  const generate = (input: Input, ctx: RequestContext, withPlaintext: boolean) => {
    const key = keyFor(input, ctx);
    const length = dataKeyLength(input);
    const plaintext = randomBytes(runtime, length);
    const ciphertext = encryptWith(runtime, key, plaintext, context(input));
    return {
      CiphertextBlob: ciphertext.toString('base64'),
      ...(withPlaintext ? { Plaintext: plaintext.toString('base64') } : {}),
      KeyId: key.Arn,
    };
  };

  return {
    Encrypt(input: Input, ctx: RequestContext) {
      const key = keyFor(input, ctx);
      algorithm(input);
      const ciphertext = encryptWith(runtime, key, blob(input, 'Plaintext', 4096), context(input));
      return {
        CiphertextBlob: ciphertext.toString('base64'),
        KeyId: key.Arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },

    Decrypt(input: Input, ctx: RequestContext) {
      const data = blob(input, 'CiphertextBlob', 6144);
      algorithm(input);
      const arn = blobKeyArn(data);
      if (!arn) throw invalidCiphertext();
      const named = optionalString(input, 'KeyId');
      const key = findKey(runtime, scopeOf(ctx), arn, { crossAccount: true });
      if (
        named !== undefined &&
        findKey(runtime, scopeOf(ctx), named, { aliases: true, crossAccount: true }).Arn !== key.Arn
      ) {
        throw incorrectKey();
      }
      const plaintext = decryptWith(key, data, context(input));
      return { KeyId: key.Arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },

    GenerateDataKey: (input: Input, ctx: RequestContext) => generate(input, ctx, true),
    GenerateDataKeyWithoutPlaintext: (input: Input, ctx: RequestContext) => generate(input, ctx, false),
  };
}
