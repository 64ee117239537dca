/**
 * Function roles end to end: real server, real runner processes, and handlers that call SQS with
 * the AWS SDK they do not bundle, with no endpoint and no credentials in their code (issue 7).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ACCOUNT = '000000000000';
const PLACEHOLDER = `arn:aws:iam::${ACCOUNT}:role/r`;
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const allow = (actions: string[], resource: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
  });

/** Sends `event.body` to `event.queueUrl` with a client built from the environment alone. */
const SENDER_ESM = `
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const handler = async (event) => {
  try {
    const out = await sqs.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: event.body ?? 'hi' }));
    return { ok: true, id: out.MessageId };
  } catch (e) {
    return { ok: false, name: e.name, message: e.message };
  }
};
export const env = async () => ({
  keyId: process.env.AWS_ACCESS_KEY_ID,
  secretLength: process.env.AWS_SECRET_ACCESS_KEY?.length,
  token: process.env.AWS_SESSION_TOKEN,
  endpoint: process.env.AWS_ENDPOINT_URL,
  region: process.env.AWS_REGION,
});
`;
const SENDER_CJS = `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: event.body ?? 'hi' }));
    return { ok: true };
  } catch (e) {
    return { ok: false, name: e.name, message: e.message };
  }
};
`;

type Sent = { ok: boolean; name?: string; message?: string };

describe('function roles: instance credentials and the shared AWS SDK', () => {
  let s: ServerProcess;
  let lambda: LambdaClient;
  let iam: IAMClient;
  let sqs: SQSClient;
  const queueUrl = (name: string) => `${s.controlUrl}/${ACCOUNT}/${name}`;
  const invoke = async (name: string, payload: unknown = {}): Promise<unknown> => {
    const r = await lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
    return JSON.parse(Buffer.from(r.Payload ?? []).toString());
  };
  /** `role` defaults to a placeholder that Baton's IAM does not have: no role. */
  const create = (name: string, files: Record<string, string>, handler: string, role = PLACEHOLDER) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Handler: handler,
        Role: role,
        Code: {
          ZipFile: zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))),
        },
        Timeout: 10,
      }),
    );

  before(async () => {
    s = await startServerProcess();
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    lambda = new LambdaClient(opts);
    iam = new IAMClient(opts);
    sqs = new SQSClient(opts);
    await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    const jobs = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
    for (const [role, actions] of [
      ['no-send', ['sqs:GetQueueUrl', 'sqs:ReceiveMessage']],
      ['sender', ['sqs:SendMessage']],
    ] as const) {
      await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: TRUST }));
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: role,
          PolicyName: 'jobs',
          PolicyDocument: allow([...actions], jobs),
        }),
      );
    }
  });
  after(async () => {
    for (const c of [lambda, iam, sqs]) c.destroy();
    await s.stop();
  });

  it('gives each instance session credentials of its role and the endpoint of Baton', async () => {
    await create(
      'env-probe',
      { 'index.mjs': SENDER_ESM },
      'index.env',
      `arn:aws:iam::${ACCOUNT}:role/sender`,
    );
    const env = (await invoke('env-probe')) as Record<string, unknown>;
    assert.match(String(env.keyId), /^ASIA[A-Z2-7]{16}$/);
    assert.equal(env.secretLength, 40);
    assert.ok(typeof env.token === 'string' && env.token.length >= 100);
    assert.equal(env.endpoint, s.controlUrl);
    assert.equal(env.region, 'us-east-1');
    assert.ok(!s.output().includes(String(env.token)), "the session token is not in Baton's logs");
  });

  it('denies a role without sqs:SendMessage, and allows it once the function has a role with it', async () => {
    await create(
      'worker',
      { 'index.mjs': SENDER_ESM },
      'index.handler',
      `arn:aws:iam::${ACCOUNT}:role/no-send`,
    );
    const denied = (await invoke('worker', { queueUrl: queueUrl('jobs'), body: 'denied' })) as Sent;
    assert.equal(denied.ok, false);
    assert.match(String(denied.name), /AccessDenied/, JSON.stringify(denied));
    assert.match(
      String(denied.message),
      /assumed-role\/no-send\/worker is not authorized to perform: sqs:sendmessage/,
    );

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'worker',
        Role: `arn:aws:iam::${ACCOUNT}:role/sender`,
      }),
    );
    const sent = (await invoke('worker', { queueUrl: queueUrl('jobs'), body: 'allowed' })) as Sent;
    assert.deepEqual(sent.ok, true, JSON.stringify(sent));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl('jobs'), WaitTimeSeconds: 2 }));
    assert.deepEqual(
      got.Messages?.map((m) => m.Body),
      ['allowed'],
    );
  });

  it('resolves the SDK from CommonJS too, and a bundled copy wins over the shared one', async () => {
    await create('cjs-worker', { 'index.js': SENDER_CJS }, 'index.handler', 'sender');
    assert.deepEqual(await invoke('cjs-worker', { queueUrl: queueUrl('jobs'), body: 'cjs' }), { ok: true });

    await create(
      'bundled',
      {
        'index.mjs':
          "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const handler = async () => SQSClient;\n",
        'node_modules/@aws-sdk/client-sqs/package.json': '{"name":"@aws-sdk/client-sqs","main":"index.js"}',
        'node_modules/@aws-sdk/client-sqs/index.js': "exports.SQSClient = 'bundled';\n",
      },
      'index.handler',
    );
    assert.equal(await invoke('bundled'), 'bundled');

    // Sharing Baton's node_modules opens nothing else: not the data directory, not the credentials.
    await create(
      'reader',
      {
        'index.mjs':
          "import { readFileSync } from 'node:fs';\nexport const handler = async (e) => { try { readFileSync(e.path); return 'read'; } catch (err) { return err.code; } };\n",
      },
      'index.handler',
    );
    for (const path of [join(s.dataDir, 'credentials.json'), join(s.dataDir, 'sandboxes', 'x')])
      assert.equal(await invoke('reader', { path }), 'ERR_ACCESS_DENIED', path);
    assert.equal(
      await invoke('reader', {
        path: join(s.dataDir, 'sandboxes', 'node_modules', '@aws-sdk', 'client-sqs', 'package.json'),
      }),
      'read',
    );
  });

  it("grants a roleless manifest app its own queues, not another app's; an API function gets nothing", async () => {
    const root = mkdtempSync(join(tmpdir(), 'baton-roles-'));
    const app = (name: string, queue: string, fn: string, role?: string) => {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'sender.mjs'), SENDER_ESM);
      writeFileSync(
        join(dir, 'baton.yaml'),
        [
          `app: ${name}`,
          'queues:',
          `  ${queue}: {}`,
          'functions:',
          `  ${fn}:`,
          '    handler: sender.handler',
          ...(role ? [`    role: ${role}`] : []),
          '',
        ].join('\n'),
      );
      return dir;
    };
    for (const dir of [
      app('orders', 'orders-jobs', 'producer'),
      // A placeholder role that Baton's IAM does not have counts as none.
      app('billing', 'billing-jobs', 'biller', PLACEHOLDER),
    ]) {
      const r = await runCli(['deploy', dir], s.cliEnv);
      assert.equal(r.code, 0, r.stderr);
    }
    const send = (fn: string, queue: string) => invoke(fn, { queueUrl: queueUrl(queue) }) as Promise<Sent>;
    assert.equal((await send('producer', 'orders-jobs')).ok, true);
    assert.equal((await send('biller', 'billing-jobs')).ok, true);
    const across = await send('producer', 'billing-jobs');
    assert.match(String(across.name), /AccessDenied/, JSON.stringify(across));
    assert.match(String(across.message), /assumed-role\/baton-default\/producer/);
    assert.match(String((await send('biller', 'orders-jobs')).name), /AccessDenied/);

    // Made through the Lambda API (no app), with a role Baton does not have.
    await create('loner', { 'index.mjs': SENDER_ESM }, 'index.handler');
    assert.match(String((await send('loner', 'orders-jobs')).name), /AccessDenied/);
  });
});
