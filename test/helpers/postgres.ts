import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use; CI runs one there (see `.ci/run`). */
export const TEST_POSTGRES_URL =
  process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test run uses: each run creates its own and drops it. */
export function testSchemaName(): string {
  return `baton_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Runs statements as the admin of the test database (creating and dropping schemas). */
export async function adminQuery(sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Fails with what to do when PostgreSQL is not reachable: these suites never skip silently. */
export async function requirePostgres(): Promise<void> {
  try {
    await adminQuery('SELECT 1');
  } catch (e) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${(e as Error).message}). ` +
        'The PostgreSQL suites need it: start it (.ci/run does, with pg_ctlcluster), ' +
        'or set BATON_TEST_POSTGRES_URL to a database where the user may create schemas.',
      { cause: e },
    );
  }
}

export async function dropSchema(name: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
}

/** `TEST_POSTGRES_URL` with `search_path` set to `schema`, as the README tells users to write it. */
export function urlWithSchema(schema: string): string {
  return `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
}
