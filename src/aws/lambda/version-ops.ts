import { randomUUID } from 'node:crypto';
import { BatonError } from '../../core/errors.ts';
import type { AliasRecord } from '../../registry/records.ts';
import { notFound } from '../../registry/resolve.ts';
import { functionArn } from '../../runtime/function-env.ts';
import { parseJsonObject, sendJson } from '../../server/http-io.ts';
import {
  ALIAS_RE,
  invalid,
  type LambdaApiDeps,
  type LambdaContext,
  type Op,
  onlyKnown,
  optString,
  VERSION_RE,
} from './common.ts';
import { parseFunctionRef } from './names.ts';
import { aliasConfiguration, functionConfiguration } from './shapes.ts';

/** Versions and aliases. */
export function versionOps(deps: LambdaApiDeps, ctx: LambdaContext) {
  const { registry, identity } = deps;
  const { latest, aliasOf, checkRevision, paginate } = ctx;
  // --- Versions and aliases ------------------------------------------------------------------

  const publishVersion: Op = async ({ res, name, body }) => {
    const fn = latest(parseFunctionRef(name).name);
    const o = body.length > 0 ? parseJsonObject(body) : {};
    onlyKnown(o, ['CodeSha256', 'Description', 'RevisionId'], 'PublishVersion');
    const version = await deps.deployer.publish(fn.name, {
      codeSha256: optString(o, 'CodeSha256'),
      description: optString(o, 'Description'),
      revisionId: optString(o, 'RevisionId'),
    });
    sendJson(res, 201, functionConfiguration(version, identity));
  };
  const listVersions: Op = async ({ res, name, url }) => {
    const fn = latest(parseFunctionRef(name).name);
    const all = [fn, ...registry.versions(fn.name)];
    const { page, next } = paginate(all, (r) => r.version ?? '$LATEST', url);
    sendJson(res, 200, {
      Versions: page.map((r) => functionConfiguration(r, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  /** Checks FunctionVersion and RoutingConfig against the function's versions. */
  const aliasTarget = (fn: string, o: Record<string, unknown>, current?: AliasRecord) => {
    const version = optString(o, 'FunctionVersion', 1024) ?? current?.functionVersion;
    if (version === undefined) throw invalid('FunctionVersion is required');
    if (!VERSION_RE.test(version))
      throw invalid(
        `1 validation error detected: Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`,
      );
    if (!registry.getVersion(fn, version)) throw notFound(identity, fn, version);
    let weights = current?.weights ?? {};
    if (o.RoutingConfig !== undefined) {
      const w = (o.RoutingConfig as { AdditionalVersionWeights?: unknown } | null)?.AdditionalVersionWeights;
      weights = {};
      if (w !== undefined && w !== null) {
        if (typeof w !== 'object' || Array.isArray(w))
          throw invalid('AdditionalVersionWeights must be a map');
        const entries = Object.entries(w as Record<string, unknown>);
        if (entries.length > 1) throw invalid('Number of additional version weights must be at most 1');
        for (const [v, share] of entries) {
          if (typeof share !== 'number' || !(share >= 0 && share <= 1))
            throw invalid(
              `Invalid weight ${String(share)} for version ${v}: weights are between 0.0 and 1.0`,
            );
          if (!/^\d+$/.test(v))
            throw invalid(`Invalid routing config: version ${v} must be a published version`);
          if (version === '$LATEST')
            throw invalid('$LATEST is not supported for an alias pointing to more than 1 version');
          if (v === version)
            throw invalid(
              `Invalid function version ${v}. Function version ${v} is already included in routing configuration.`,
            );
          if (!registry.getVersion(fn, v)) throw notFound(identity, fn, v);
          weights[v] = share;
        }
      }
    }
    return { version, weights };
  };
  const createAlias: Op = async ({ res, name, body }) => {
    const fn = latest(parseFunctionRef(name).name);
    const o = parseJsonObject(body);
    onlyKnown(o, ['Name', 'FunctionVersion', 'Description', 'RoutingConfig'], 'CreateAlias');
    const aliasName = optString(o, 'Name', 128);
    if (aliasName === undefined || !ALIAS_RE.test(aliasName))
      throw invalid(
        `1 validation error detected: Value '${String(o.Name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`,
      );
    if (registry.getAlias(fn.name, aliasName))
      throw new BatonError(
        'ResourceConflict',
        `Alias already exists: ${functionArn(identity, `${fn.name}:${aliasName}`)}`,
      );
    const target = aliasTarget(fn.name, o);
    const alias: AliasRecord = {
      function: fn.name,
      name: aliasName,
      functionVersion: target.version,
      description: optString(o, 'Description') ?? '',
      weights: target.weights,
      revisionId: randomUUID(),
    };
    await registry.putAlias(alias);
    sendJson(res, 201, aliasConfiguration(alias, identity));
  };
  const getAlias: Op = async ({ res, name, sub }) => {
    sendJson(res, 200, aliasConfiguration(aliasOf(parseFunctionRef(name).name, sub), identity));
  };
  const updateAlias: Op = async ({ res, name, sub, body }) => {
    const current = aliasOf(parseFunctionRef(name).name, sub);
    const o = parseJsonObject(body);
    onlyKnown(o, ['FunctionVersion', 'Description', 'RoutingConfig', 'RevisionId'], 'UpdateAlias');
    checkRevision(o, current.revisionId);
    const target = aliasTarget(current.function, o, current);
    const alias: AliasRecord = {
      ...current,
      functionVersion: target.version,
      weights: target.weights,
      description: optString(o, 'Description') ?? current.description,
      revisionId: randomUUID(),
    };
    await registry.putAlias(alias);
    sendJson(res, 200, aliasConfiguration(alias, identity));
  };
  const deleteAlias: Op = async ({ res, name, sub }) => {
    const fn = latest(parseFunctionRef(name).name);
    await registry.deleteAlias(fn.name, sub);
    res.writeHead(204).end();
  };
  const listAliases: Op = async ({ res, name, url }) => {
    const fn = latest(parseFunctionRef(name).name);
    const version = url.searchParams.get('FunctionVersion');
    const all = registry
      .aliases(fn.name)
      .filter((a) => version === null || a.functionVersion === version || version in a.weights);
    const { page, next } = paginate(all, (a) => a.name, url);
    sendJson(res, 200, {
      Aliases: page.map((a) => aliasConfiguration(a, identity)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  return { publishVersion, listVersions, createAlias, getAlias, updateAlias, deleteAlias, listAliases };
}
