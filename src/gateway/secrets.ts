/**
 * Secrets in route settings (API key values, HS256 secrets): a literal, or `${env:NAME}`, which
 * the gateway reads from Baton's own environment when it loads its routes. A reference keeps the
 * value out of `baton.yaml`, the code package and the registry's storage.
 */

const ENV_REF_RE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The variable a secret refers to, or undefined for a literal. */
export function envRefName(secret: string): string | undefined {
  return ENV_REF_RE.exec(secret)?.[1];
}

/** The secret's value; undefined when it refers to a variable that is not set (or empty). */
export function resolveSecret(
  secret: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const name = envRefName(secret);
  if (name === undefined) return secret;
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** How a secret may be shown (admin API, logs): the reference, never a literal's value. */
export function redactSecret(secret: string): string {
  return envRefName(secret) === undefined ? '(literal, hidden)' : secret;
}
