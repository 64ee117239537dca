import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { FIXTURES } from '../helpers/harness.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

describe('buses, rules and schedules from the manifest', () => {
  let s: ServerProcess;
  let eb: EventBridgeClient;
  before(async () => {
    s = await startServerProcess();
    eb = new EventBridgeClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    eb.destroy();
    await s.stop();
  });

  it('creates the bus and the rules that target the function, and keeps them in line', async () => {
    const app = join(mkdtempSync(join(tmpdir(), 'baton-bapp-')), 'bapp');
    cpSync(join(FIXTURES, 'bus-app'), app, { recursive: true });
    const first = await runCli(['deploy', app], s.cliEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /bus orders \(created\)/);
    assert.match(first.stdout, /rule baton-bapp-audit-0 → audit \(created\)/);
    assert.match(first.stdout, /rule baton-bapp-audit-1 → audit \(created\)/);
    const scheduled = await eb.send(new ListRulesCommand({ NamePrefix: 'baton-bapp-' }));
    assert.deepEqual(
      scheduled.Rules?.map((r) => [r.Name, r.ScheduleExpression]),
      [['baton-bapp-audit-1', 'rate(5 minutes)']],
    );
    const targets = await eb.send(
      new ListTargetsByRuleCommand({ Rule: 'baton-bapp-audit-0', EventBusName: 'orders' }),
    );
    assert.deepEqual(
      targets.Targets?.map((t) => t.Arn),
      ['arn:aws:lambda:us-east-1:000000000000:function:audit'],
    );
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'orders', Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"id":7}' },
          { EventBusName: 'orders', Source: 'shop', DetailType: 'OrderShipped', Detail: '{"id":8}' },
        ],
      }),
    );
    assert.equal(put.FailedEntryCount, 0);
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.length === 0; i++) {
      const logs = (await (await s.admin('functions/audit/logs')).json()) as {
        events: { message: string }[];
      };
      lines = logs.events
        .flatMap((e) => [...e.message.matchAll(/AUDIT (.*)$/gm)].map((m) => m[1]!))
        .filter((l) => !l.startsWith('Scheduled'));
      if (lines.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(lines, ['OrderPlaced {"id":7}'], 'only the matching event reaches the function');
    const again = await runCli(['deploy', app], s.cliEnv);
    assert.doesNotMatch(again.stdout, /rule /, 'unchanged rules are left alone');
    writeFileSync(
      join(app, 'baton.yaml'),
      'app: bapp\nbuses:\n  orders: {}\nfunctions:\n  audit:\n    handler: audit.handler\n',
    );
    const third = await runCli(['deploy', app], s.cliEnv);
    assert.match(third.stdout, /rule baton-bapp-audit-0 \(deleted\)/);
    assert.match(third.stdout, /rule baton-bapp-audit-1 \(deleted\)/);
  });
});
