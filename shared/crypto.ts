/**
 * Secrets: tokens and API keys are random, carry a recognisable prefix, are shown once, and are
 * stored as a SHA-256 hash (for lookup) plus, for tenant keys only, an AES-256-GCM encrypted copy
 * so a worker can inject the key into a container again.
 */
import { createCipheriv, createDecipheriv, hash, randomBytes } from "node:crypto";

export const TENANT_KEY_PREFIX = "sk_tenant_";
export const ORG_TOKEN_PREFIX = "cvg_org_";

export function newSecret(prefix: string): string {
  return prefix + randomBytes(24).toString("base64url");
}

/**
 * Keys are high-entropy, so a fast hash is the right tool (no password stretching needed). The
 * one-shot crypto.hash: a quarter of createHash().update().digest()'s cost, on every authenticated request.
 */
export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
}

/** What may be shown and logged: the prefix and the first few characters. */
export function displayPrefix(secret: string): string {
  // The known prefix, never "up to the last underscore": base64url bodies contain '_' too, and
  // cutting there could show nearly the whole key.
  const known = [TENANT_KEY_PREFIX, ORG_TOKEN_PREFIX, "whsec_"].find((p) => secret.startsWith(p));
  return known ? secret.slice(0, known.length + 6) : secret.slice(0, 4);
}

export function encryptSecret(plaintext: string, keyB64: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(keyB64, "base64"), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, keyB64: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) throw new Error("unrecognised encrypted secret format");
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(keyB64, "base64"), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    // OpenSSL's own words ("Unsupported state or unable to authenticate data") say nothing useful here.
    throw new SecretDecryptionError();
  }
}

/** A stored secret does not decrypt with ENCRYPTION_KEY: almost always a key changed since it was stored. */
export class SecretDecryptionError extends Error {
  constructor() {
    super("a stored secret cannot be decrypted with this ENCRYPTION_KEY (was ENCRYPTION_KEY changed since it was stored?)");
  }
}
