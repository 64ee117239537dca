/**
 * DynamoDB's expression language: conditions and filters, key conditions, projections and
 * updates. Pure: no I/O. Parsing is cached by text; binding a parse to one request's names and
 * values is cheap, and all of a request's expressions bind to one context so that unused
 * placeholders are found across them.
 *
 * @example
 * const ctx = ExpressionContext.create(req.ExpressionAttributeNames, req.ExpressionAttributeValues);
 * const update = parseUpdate(req.UpdateExpression, ctx);
 * const cond = req.ConditionExpression ? parseCondition(req.ConditionExpression, ctx) : undefined;
 * ctx.checkUnused();
 * if (cond && !evaluateCondition(cond, current)) throw conditionalCheckFailed(current);
 * const { item, paths } = applyUpdate(update, current ?? key, table.key);
 */
export type { Condition, Operand, Path, UpdateExpression, UpdateValue } from './ast.ts';
export { parseCondition } from './condition.ts';
export { attributeNames, evaluateCondition } from './condition-eval.ts';
export { ExpressionContext } from './context.ts';
export { type KeyCondition, parseKeyCondition } from './key-condition.ts';
export type { ExpressionName } from './parser.ts';
export { formatPath, getPath } from './paths.ts';
export { parseProjection, project } from './projection.ts';
export { isReservedWord } from './reserved-words.ts';
export { parseUpdate } from './update.ts';
export { applyUpdate, type UpdateResult, updatedAttributes } from './update-apply.ts';
