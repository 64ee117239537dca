import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { runCli, type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

interface AlarmEvent {
  source: string;
  'detail-type': string;
  resources: string[];
  detail: {
    alarmName: string;
    state: { value: string; reason: string };
    previousState: { value: string };
    configuration: { description?: string; metrics: { metricStat: { metric: { name: string } } }[] };
  };
}

const MANIFEST = `app: alarmed
functions:
  fails:
    handler: handlers.fails
queues:
  alerts: {}
alarms:
  fails-errors:
    description: fails throws
    metric: errors
    function: fails
    statistic: Sum
    period: 2
    comparison: GreaterThanThreshold
    threshold: 2
`;

const HANDLERS = `export const fails = async () => {
  throw new Error('always');
};
`;

/**
 * A real `baton up` process with BATON_ALARM_MIN_PERIOD_S=1: an app with a throwing function and
 * an alarm on its errors; a bus rule sends alarm state changes to a queue. Three errors within a
 * period put an ALARM event on the queue; quiet periods then put an OK event.
 */
describe('alarms end to end (real server process)', () => {
  let s: ServerProcess;
  let sqs: SQSClient;
  const queueUrl = () => `${s.controlUrl}/000000000000/alerts`;

  before(async () => {
    s = await startServerProcess({ env: { BATON_ALARM_MIN_PERIOD_S: '1' } });
    const app = join(mkdtempSync(join(tmpdir(), 'baton-alarms-app-')), 'alarmed');
    mkdirSync(app);
    writeFileSync(join(app, 'baton.yaml'), MANIFEST);
    writeFileSync(join(app, 'handlers.mjs'), HANDLERS);
    const deployed = await runCli(['deploy', app], s.cliEnv);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, /alarm fails-errors \(created\)/);
    const opts = { endpoint: s.controlUrl, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
    sqs = new SQSClient(opts);
    const eb = new EventBridgeClient(opts);
    await eb.send(
      new PutRuleCommand({
        Name: 'alarm-changes',
        EventPattern: JSON.stringify({
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { alarmName: ['fails-errors'], state: { value: ['ALARM', 'OK'] } },
        }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'alarm-changes',
        Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:alerts' }],
      }),
    );
    eb.destroy();
  });
  after(async () => {
    sqs?.destroy();
    await s?.stop();
  });

  /** Waits for the next alarm event on the queue with this state. */
  async function nextEvent(state: string, deadline = Date.now() + 15_000): Promise<AlarmEvent> {
    while (Date.now() < deadline) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), WaitTimeSeconds: 1 }));
      for (const m of r.Messages ?? []) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl(), ReceiptHandle: m.ReceiptHandle }));
        const event = JSON.parse(m.Body!) as AlarmEvent;
        if (event.detail.state.value === state) return event;
      }
    }
    throw new Error(`no ${state} event within the deadline:\n${s.output()}`);
  }

  it('errors over the threshold put ALARM on the bus, and quiet periods OK', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await s.admin('functions/fails/invoke', { method: 'POST', body: '{}' });
      assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
      await r.arrayBuffer();
    }
    const alarm = await nextEvent('ALARM');
    assert.equal(alarm.source, 'aws.cloudwatch');
    assert.equal(alarm['detail-type'], 'CloudWatch Alarm State Change');
    assert.deepEqual(alarm.resources, ['arn:aws:cloudwatch:us-east-1:000000000000:alarm:fails-errors']);
    assert.equal(alarm.detail.alarmName, 'fails-errors');
    assert.match(alarm.detail.state.reason, /greater than the threshold \(2\)/);
    assert.equal(alarm.detail.configuration.description, 'fails throws');
    assert.equal(alarm.detail.configuration.metrics[0]?.metricStat.metric.name, 'Errors');
    const ok = await nextEvent('OK');
    assert.equal(ok.detail.previousState.value, 'ALARM');
  });

  it('the admin API and `baton alarms` put, list and delete alarms; periods below the floor are refused', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-alarm-')), 'slow.yaml');
    writeFileSync(
      file,
      'metric: duration\nstatistic: p99\nperiod: 60\ncomparison: GreaterThanThreshold\nthreshold: 1000\n',
    );
    const put = await runCli(['alarms', 'put', 'slow', file], s.cliEnv);
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /Put alarm slow \(INSUFFICIENT_DATA\)/);
    const list = await runCli(['alarms'], s.cliEnv);
    assert.match(list.stdout, /slow {2}p99\(duration\) over 60s > 1000/);
    assert.match(list.stdout, /fails-errors .*\(app alarmed\)/);
    // An app's alarm is changed through its manifest only.
    const owned = await s.admin('alarms/fails-errors', {
      method: 'PUT',
      body: JSON.stringify({ metric: 'errors', threshold: 1, comparison: 'GreaterThanThreshold' }),
    });
    assert.equal(owned.status, 409);
    await owned.arrayBuffer();
    const floor = await s.admin('alarms/tiny', {
      method: 'PUT',
      body: JSON.stringify({ metric: 'errors', period: 0, threshold: 1, comparison: 'GreaterThanThreshold' }),
    });
    assert.equal(floor.status, 400);
    assert.match(await floor.text(), /alarm\.period: must be a whole number from 1 to 86400/);
    const del = await runCli(['alarms', 'delete', 'slow'], s.cliEnv);
    assert.equal(del.code, 0, del.stderr);
    const gone = await s.admin('alarms/slow');
    assert.equal(gone.status, 404);
    await gone.arrayBuffer();
  });
});
