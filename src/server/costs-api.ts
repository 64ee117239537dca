import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorize } from '../aws/access.ts';
import type { Authenticate } from '../aws/auth.ts';
import { BatonError } from '../core/errors.ts';
import type { UsageBackend } from '../governance/costs/backend.ts';
import type { BudgetKeeper } from '../governance/costs/budgets.ts';
import { parseBudget } from '../governance/costs/budgets.ts';
import type { Meter } from '../governance/costs/meter.ts';
import type { PriceTable } from '../governance/costs/prices.ts';
import { costReport, parseGrouping } from '../governance/costs/report.ts';
import { costsAccess } from './admin-access.ts';
import { readAdminRoute } from './admin-subroute.ts';
import { parseJsonObject, type RequestTarget, sendJson } from './http-io.ts';

export interface CostsApiDeps {
  backend: UsageBackend;
  meter: Meter;
  budgets: BudgetKeeper;
  prices: PriceTable;
  authenticate: Authenticate;
  authorize: Authorize;
}

const PREFIX = '/admin/v1/';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

type Handler = (
  res: ServerResponse,
  match: RegExpExecArray,
  url: RequestTarget,
  body: Buffer,
) => Promise<void>;

/**
 * Cost reports and budgets over the admin API (README, "Costs and budgets"): `GET costs`,
 * `GET budgets`, `PUT budgets/{app|function}/NAME`, `DELETE budgets/{app|function}/NAME`.
 * SigV4-signed like every admin route and authorized as `baton:<operation>`.
 */
export function costsRoutes(
  deps: CostsApiDeps,
): (req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean> {
  const day = (url: RequestTarget, key: string): string | undefined => {
    const v = url.searchParams.get(key);
    if (v === null || v === '') return undefined;
    if (!DAY.test(v)) throw new BatonError('InvalidParameterValue', `${key}: must be a day, YYYY-MM-DD`);
    return v;
  };
  const getCosts: Handler = async (res, _m, url) => {
    let by: ReturnType<typeof parseGrouping>;
    try {
      by = parseGrouping(url.searchParams.get('by'));
    } catch (e) {
      throw new BatonError('InvalidParameterValue', (e as Error).message);
    }
    const range = { since: day(url, 'since'), until: day(url, 'until') };
    // A report includes what is still in memory: flush it first.
    await deps.meter.flush();
    const rows = await deps.backend.query(range);
    sendJson(res, 200, {
      ...costReport(rows, deps.prices, by, range),
      stopped: deps.budgets.stops(),
    });
  };
  const listBudgets: Handler = async (res) => {
    sendJson(res, 200, { budgets: await deps.backend.listBudgets(), stopped: deps.budgets.stops() });
  };
  const putBudget: Handler = async (res, m, _url, body) => {
    const b = parseBudget(m[1]!, decodeURIComponent(m[2]!), body.length ? parseJsonObject(body) : {});
    await deps.backend.putBudget(b);
    await deps.meter.flush();
    await deps.budgets.evaluate();
    sendJson(res, 200, { budget: b });
  };
  const deleteBudget: Handler = async (res, m) => {
    if (!(await deps.backend.deleteBudget(m[1] as 'app', decodeURIComponent(m[2]!))))
      throw new BatonError('ResourceNotFound', `Budget not found: ${m[1]} ${decodeURIComponent(m[2]!)}`);
    await deps.budgets.evaluate();
    res.writeHead(204).end();
  };

  const routes: [string, RegExp, Handler, number, string][] = [
    ['GET', /^costs$/, getCosts, 0, 'GetCosts'],
    ['GET', /^budgets$/, listBudgets, 0, 'ListBudgets'],
    ['PUT', /^budgets\/(app|function)\/([^/]+)$/, putBudget, 4096, 'PutBudget'],
    ['DELETE', /^budgets\/(app|function)\/([^/]+)$/, deleteBudget, 0, 'DeleteBudget'],
  ];

  return async (req, res, url) => {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const rest = url.pathname.slice(PREFIX.length);
    if (rest !== 'costs' && rest !== 'budgets' && !rest.startsWith('budgets/')) return false;
    const found = await readAdminRoute(req, res, url, rest, routes, deps.authenticate);
    if (!found) return true;
    const { route, match, signed } = found;
    deps.authorize(signed.accessKeyId, costsAccess(route[4]), req, signed.region);
    await route[2](res, match, url, signed.body);
    return true;
  };
}
