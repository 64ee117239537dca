import { randomUUID } from 'node:crypto';
import { BatonError } from '../../core/errors.ts';
import { functionArn } from '../../runtime/function-env.ts';
import { parseJsonObject, sendJson } from '../../server/http-io.ts';
import { type LambdaApiDeps, type LambdaContext, type Op, onlyKnown, optString } from './common.ts';
import { ADD_PERMISSION_FIELDS, permissionStatement, policyText } from './function-policy.ts';

/**
 * A function's resource-based policy: AddPermission, RemovePermission and GetPolicy, per function
 * and per qualifier (a version or alias has its own policy, as on Lambda). The authorizer reads
 * the stored policy on every call to the function (`./router.ts`).
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 * Guarded by `test/governance/resource-policies.test.ts`.
 */
export function policyOps(deps: LambdaApiDeps, ctx: LambdaContext) {
  const { registry, identity } = deps;
  const { refOf, latest, recordFor } = ctx;

  /** The function and qualifier a call names; the qualifier must exist. */
  const target = (name: string, url: Parameters<LambdaContext['refOf']>[1]) => {
    const ref = refOf(name, url);
    if (ref.qualifier === undefined) latest(ref.name);
    else recordFor(ref.name, ref.qualifier);
    return { name: ref.name, qualifier: ref.qualifier ?? '' };
  };
  const noPolicy = () => new BatonError('ResourceNotFound', 'The resource you requested does not exist.');
  const checkRevision = (given: string | undefined, current: string | undefined) => {
    if (given !== undefined && given !== current)
      throw new BatonError(
        'PreconditionFailed',
        'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id',
      );
  };

  const addPermission: Op = async ({ res, name, url, body }) => {
    const t = target(name, url);
    const o = parseJsonObject(body);
    onlyKnown(o, ADD_PERMISSION_FIELDS, 'AddPermission');
    const resource = functionArn(identity, t.qualifier ? `${t.name}:${t.qualifier}` : t.name);
    const statement = permissionStatement(o, resource);
    const current = registry.getPolicy(t.name, t.qualifier);
    checkRevision(optString(o, 'RevisionId'), current?.revisionId);
    if (current?.statements.some((s) => s.Sid === statement.Sid))
      throw new BatonError(
        'ResourceConflict',
        `The statement id (${String(statement.Sid)}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      );
    await registry.putPolicy({
      function: t.name,
      qualifier: t.qualifier,
      statements: [...(current?.statements ?? []), statement],
      revisionId: randomUUID(),
    });
    sendJson(res, 201, { Statement: JSON.stringify(statement) });
  };

  const removePermission: Op = async ({ res, name, sub, url }) => {
    const t = target(name, url);
    const current = registry.getPolicy(t.name, t.qualifier);
    checkRevision(url.searchParams.get('RevisionId') ?? undefined, current?.revisionId);
    const rest = current?.statements.filter((s) => s.Sid !== sub);
    if (!current || !rest || rest.length === current.statements.length)
      throw new BatonError('ResourceNotFound', `Statement ${sub} is not found in resource policy.`);
    await registry.putPolicy({ ...current, statements: rest, revisionId: randomUUID() });
    res.writeHead(204).end();
  };

  const getPolicy: Op = async ({ res, name, url }) => {
    const t = target(name, url);
    const current = registry.getPolicy(t.name, t.qualifier);
    if (!current) throw noPolicy();
    sendJson(res, 200, { Policy: policyText(current), RevisionId: current.revisionId });
  };

  return { addPermission, removePermission, getPolicy };
}
