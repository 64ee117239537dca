import type { AppResources } from '../deploy/deployer.ts';
import { functionArn, type PlatformIdentity } from '../runtime/function-env.ts';
import type { BusService } from '../services/bus/service.ts';
import type { QueueService } from '../services/queues/service.ts';
import { isTableError } from '../services/tables/errors.ts';
import type { TopicService } from '../services/topics/service.ts';
import type { AlarmService } from '../telemetry/alarms/service.ts';
import type { ComposedTables } from './compose-tables.ts';

/** What deploys need of the queue, topic, bus and table services, through their public operations. */
export function appResources(
  queues: QueueService,
  topics: () => TopicService,
  bus: () => BusService,
  identity: PlatformIdentity,
  tables: () => ComposedTables,
  alarms?: () => AlarmService,
): AppResources {
  const topicArn = (name: string) => topics().arnOf(name);
  return {
    ...(alarms ? { syncAlarms: (app: string, specs) => alarms().syncApp(app, specs) } : {}),
    topicArn,
    // A missing table is the one error expected here; others stop the deploy.
    table: (name) =>
      tables()
        .service.table(name)
        .catch((e: unknown) => {
          if (isTableError(e, 'ResourceNotFoundException')) return undefined;
          throw e;
        }),
    tables: () => tables().service.allTables(),
    async createTable(input) {
      await tables().service.createTable(input);
    },
    async updateTable(input) {
      await tables().service.updateTable(input);
    },
    async updateTimeToLive(input) {
      await tables().service.updateTimeToLive(input);
    },
    async tagTable(input) {
      await tables().service.tagResource(input);
    },
    streamStart: (arn, position) => tables().startAfter(arn, position),
    queueExists: (name) => queues.exists(name),
    queueArn: (name) => queues.arnOf(name),
    ensureQueue: (name, attributes) => queues.ensureQueue(name, attributes),
    functionArn: (name) => functionArn(identity, name),
    async topicExists(name) {
      try {
        await topics().topicFromArn(topicArn(name));
        return true;
      } catch {
        return false;
      }
    },
    async ensureTopic(name, attributes) {
      if (!(await this.topicExists(name))) {
        await topics().createTopic({ Name: name, Attributes: attributes });
        return 'created';
      }
      const have = ((await topics().getTopicAttributes({ TopicArn: topicArn(name) })).Attributes ??
        {}) as Record<string, string>;
      let updated = false;
      for (const [k, v] of Object.entries(attributes)) {
        if (k === 'FifoTopic' || have[k] === v) continue;
        await topics().setTopicAttributes({ TopicArn: topicArn(name), AttributeName: k, AttributeValue: v });
        updated = true;
      }
      return updated ? 'updated' : 'unchanged';
    },
    async subscriptions(topic) {
      const out: { arn: string; protocol: string; endpoint: string; attributes: Record<string, string> }[] =
        [];
      let token: string | undefined;
      do {
        const page = await topics().listSubscriptionsByTopic({ TopicArn: topicArn(topic), NextToken: token });
        for (const s of (page.Subscriptions ?? []) as Record<string, string>[]) {
          if (!s.SubscriptionArn?.startsWith('arn:')) continue;
          const attrs = await topics().getSubscriptionAttributes({ SubscriptionArn: s.SubscriptionArn });
          out.push({
            arn: s.SubscriptionArn,
            protocol: s.Protocol ?? '',
            endpoint: s.Endpoint ?? '',
            attributes: (attrs.Attributes ?? {}) as Record<string, string>,
          });
        }
        token = page.NextToken as string | undefined;
      } while (token);
      return out;
    },
    async subscribe(topic, protocol, endpoint, attributes) {
      await topics().subscribe({
        TopicArn: topicArn(topic),
        Protocol: protocol,
        Endpoint: endpoint,
        Attributes: attributes,
      });
    },
    async setSubscriptionAttributes(arn, attributes) {
      for (const [k, v] of Object.entries(attributes))
        await topics().setSubscriptionAttributes({
          SubscriptionArn: arn,
          AttributeName: k,
          AttributeValue: v,
        });
    },
    async unsubscribe(arn) {
      await topics().unsubscribe({ SubscriptionArn: arn });
    },
    async ensureBus(name) {
      try {
        await bus().describeEventBus({ Name: name });
        return 'unchanged';
      } catch {
        await bus().createEventBus({ Name: name });
        return 'created';
      }
    },
    async rulesWithPrefix(prefix, buses) {
      const out: { bus: string; name: string }[] = [];
      for (const b of buses) {
        let token: string | undefined;
        do {
          const page = await bus()
            .listRules({ NamePrefix: prefix, EventBusName: b, NextToken: token })
            .catch(() => ({}) as Record<string, unknown>);
          for (const r of (page.Rules ?? []) as { Name: string }[]) out.push({ bus: b, name: r.Name });
          token = page.NextToken as string | undefined;
        } while (token);
      }
      return out;
    },
    async putFunctionRule(spec, fnArn) {
      const name = spec.name!;
      const current = await bus()
        .describeRule({ Name: name, EventBusName: spec.bus })
        .catch(() => undefined);
      const targets = current
        ? ((await bus().listTargetsByRule({ Rule: name, EventBusName: spec.bus })).Targets as {
            Id: string;
            Arn: string;
          }[])
        : [];
      const same =
        current &&
        current.State === 'ENABLED' &&
        (current.ScheduleExpression ?? undefined) === spec.schedule &&
        (current.EventPattern === undefined
          ? undefined
          : JSON.stringify(JSON.parse(String(current.EventPattern)))) === spec.pattern &&
        targets.length === 1 &&
        targets[0]!.Arn === fnArn;
      if (same) return 'unchanged';
      await bus().putRule({
        Name: name,
        EventBusName: spec.bus,
        State: 'ENABLED',
        ...(spec.schedule ? { ScheduleExpression: spec.schedule } : {}),
        ...(spec.pattern ? { EventPattern: spec.pattern } : {}),
      });
      const stale = targets.filter((t) => t.Arn !== fnArn).map((t) => t.Id);
      if (stale.length > 0) await bus().removeTargets({ Rule: name, EventBusName: spec.bus, Ids: stale });
      await bus().putTargets({
        Rule: name,
        EventBusName: spec.bus,
        Targets: [{ Id: 'function', Arn: fnArn }],
      });
      return current ? 'updated' : 'created';
    },
    async deleteRule(busName, name) {
      await bus().deleteRule({ Name: name, EventBusName: busName, Force: true });
    },
  };
}
