import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { authenticator } from '../aws/auth.ts';
import { dynamodbApi } from '../aws/dynamodb/router.ts';
import { eventsApi } from '../aws/events/router.ts';
import { lambdaApi } from '../aws/lambda/router.ts';
import { schedulerApi } from '../aws/scheduler/router.ts';
import { snsApi } from '../aws/sns/router.ts';
import { sqsApi } from '../aws/sqs/router.ts';
import { type Backends, storageKinds } from '../backends/index.ts';
import { openPostgres } from '../backends/postgres/database.ts';
import { postgresQueues } from '../backends/postgres/queues.ts';
import { postgresTables } from '../backends/postgres/tables.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { type FunctionRecord, unitKey } from '../core/function-spec.ts';
import { CodeStore } from '../deploy/code-store.ts';
import { Deployer } from '../deploy/deployer.ts';
import { apiIdFor, gatewayServer } from '../gateway/index.ts';
import { manifestOwners } from '../governance/costs/service-usage.ts';
import { Registry } from '../registry/registry.ts';
import { resolveTarget } from '../registry/resolve.ts';
import { AsyncDispatcher } from '../runtime/async/dispatcher.ts';
import { functionArn, type PlatformIdentity } from '../runtime/function-env.ts';
import { Invoker } from '../runtime/invoker.ts';
import { Pool } from '../runtime/pool.ts';
import { SparePool } from '../runtime/spares.ts';
import { type ArnSenderDeps, arnSender } from '../services/arn-sender.ts';
import { QueueService } from '../services/queues/service.ts';
import { TopicDeliverer } from '../services/topics/deliverer.ts';
import { TopicService } from '../services/topics/service.ts';
import { loadSigningIdentity, MessageSigner } from '../services/topics/signing.ts';
import { LogSink, retentionOverrides } from '../telemetry/logs/log-sink.ts';
import { QueuePollers } from '../triggers/queue-poller.ts';
import { adminRoutes } from './admin-api.ts';
import { appResources } from './app-resources.ts';
import { cacheRoutes } from './cache-api.ts';
import { composeAlarms } from './compose-alarms.ts';
import { composeCache } from './compose-cache.ts';
import { composeCosts } from './compose-costs.ts';
import { composeEvents } from './compose-events.ts';
import { composeFunctionRoles } from './compose-function-roles.ts';
import { composeIam } from './compose-iam.ts';
import { composeMetrics } from './compose-metrics.ts';
import { composeTables } from './compose-tables.ts';
import { composeTraces } from './compose-traces.ts';
import type { ServerConfig } from './config.ts';
import { controlPlaneServer } from './control-plane.ts';
import type { Credentials } from './credentials.ts';
import { listen, readManifestFromZip } from './listen.ts';
import type { RunningServer } from './running-server.ts';

export type { RunningServer } from './running-server.ts';

/** Composes Baton: storage, registry, runtime, telemetry and the two listeners. */
export async function startServer(
  config: ServerConfig,
  credentials: Credentials,
  log: Logger,
  clock: Clock = systemClock,
): Promise<RunningServer> {
  mkdirSync(join(config.dataDir, 'code'), { recursive: true });
  // Sandboxes of a previous run belong to processes that are gone.
  const sandboxRoot = join(config.dataDir, 'sandboxes');
  rmSync(sandboxRoot, { recursive: true, force: true });
  mkdirSync(sandboxRoot, { recursive: true });

  const postgres =
    config.queueBackend === 'postgres' || config.tableBackend === 'postgres'
      ? await openPostgres({
          url: config.postgresUrl,
          onIdleError: (e) => log.warn({ err: e }, 'a PostgreSQL connection failed'),
        })
      : undefined;
  const backends: Backends = storageKinds[config.storage](config.dataDir);
  const queueBackend =
    postgres && config.queueBackend === 'postgres' ? postgresQueues(postgres) : backends.queues;
  const registry = await Registry.open(backends.registry);
  const code = new CodeStore(join(config.dataDir, 'code'));
  const identity: PlatformIdentity = {
    region: config.region,
    accountId: config.accountId,
    endpointUrl: `http://${config.host}:${config.controlPort}`,
  };
  const spares = new SparePool(
    {
      runnerPath: config.runnerPath,
      sandboxRoot,
      perSize: config.spareRunners,
      maxSizes: 4,
      maxConcurrentSpawns: 2,
      sharedModules: config.sdkModulesDir,
    },
    clock,
  );
  const cache = composeCache(config, clock);
  // Each instance gets session credentials of its function's role (README: function roles).
  const functionRoles = composeFunctionRoles({
    registry,
    clock,
    ttlS: config.functionCredentialsTtlS,
    region: config.region,
    accountId: config.accountId,
  });
  const pool = new Pool(
    {
      maxInstances: config.maxInstances,
      scaleIntervalMs: 1000,
      identity,
      cacheFor: cache.forFunction,
      credentials: functionRoles.credentials,
    },
    spares,
    clock,
  );
  const sync = (key: string, rec: FunctionRecord | undefined): void => {
    if (rec) pool.setFunction({ record: rec, codeDir: code.dir(rec.codeSha256) });
    else pool.removeFunction(key);
  };
  registry.onChange(sync);
  const metrics = composeMetrics(config, { pool, queues: queueBackend, clock, log });
  const traces = composeTraces(config);
  const costs = composeCosts(config, { backend: backends.usage, clock, log, bus: () => bus });
  const alarms = composeAlarms(config, { backend: backends.alarms, clock, log, metrics, bus: () => bus });

  const logs = new LogSink(
    backends.logs,
    clock,
    {
      flushIntervalMs: 200,
      maxBatch: 2000,
      retentionDays: config.logRetentionDays,
      retentionOverrides: () => retentionOverrides(registry.list()),
      purgeIntervalMs: 3_600_000,
    },
    (e) => log.error({ err: e }, 'writing or purging function logs failed'),
  );
  const invoker = new Invoker({
    pool,
    clock,
    resolve: (name, qualifier) => resolve(name, qualifier),
    writeLog: (fn, ts, log) => logs.write(fn, ts, log),
    trace: traces.invocations,
    observe: costs.observe(metrics.invocations),
    admit: costs.admit,
  });
  const queues = new QueueService(queueBackend, clock, {
    accountId: config.accountId,
    region: config.region,
    endpoint: () => identity.endpointUrl,
  });
  // Topics are made below; deploys only run once the server is up.
  const deployer = new Deployer(
    registry,
    code,
    clock,
    appResources(
      queues,
      () => topics,
      () => bus,
      identity,
      () => tables,
      () => alarms.service,
    ),
    config.guardrails,
  );
  const { server: gateway } = gatewayServer({
    routes: registry,
    // $LATEST, with the event as an object: the gateway sizes it, the instance serialises it.
    invoke: (name, event, trace) => invoker.run(resolve(name, undefined), event, undefined, trace),
    trace: traces.gateway,
    clock,
    log,
    api: {
      accountId: config.accountId,
      apiId: apiIdFor(config.accountId, config.region),
      region: config.region,
    },
    observe: costs.observeGateway(metrics.gateway),
  });
  const resolve = (name: string, qualifier: string | undefined) =>
    resolveTarget(registry, identity, name, qualifier);
  const signer = new MessageSigner(
    await loadSigningIdentity(config.dataDir, clock.now()),
    () => identity.endpointUrl,
  );
  const topics = new TopicService({
    backend: backends.topics,
    clock,
    queues,
    signer,
    accountId: config.accountId,
    region: config.region,
    endpoint: () => identity.endpointUrl,
    // Queues in PostgreSQL are outside the topics' transaction: their deliveries use the outbox.
    queuesInTransaction: postgres === undefined,
    wake: () => topicDeliveries.wake(),
    warn: (message, details) => log.warn(details, message),
    observe: metrics.topics,
    trace: traces.topics,
  });
  // How async destinations, schedules and bus targets reach a function, queue, topic or bus.
  const senderDeps: ArnSenderDeps = {
    queues,
    invoke: (fn, qualifier, payload, trace) => asyncInvocations.enqueue(fn, qualifier, payload, trace),
    publish: (arn, message, trace) => topics.publishInternal(arn, message, trace),
    forward: (arn, event, trace) => bus.forward(arn, event, trace),
  };
  const send = arnSender(senderDeps);
  const asyncInvocations = new AsyncDispatcher({
    backend: backends.asyncEvents,
    registry,
    clock,
    resolve,
    run: (target, event, requestId, trace) => invoker.run(target, event, requestId, trace),
    enqueued: traces.enqueued,
    // Records and dead letters go to queues and topics (functions are enqueued directly).
    deliver: (arn, payload, trace) =>
      send(arn, JSON.stringify(payload), { sender: 'lambda.amazonaws.com', ...(trace ? { trace } : {}) }),
    warn: (message, details) => log.warn(details, message),
    observe: metrics.asyncEvents,
  });
  const topicDeliveries = new TopicDeliverer({
    backend: backends.topics,
    clock,
    subscription: (id) => topics.subscription(id),
    queues,
    invoke: (fn, qualifier, event, trace) => asyncInvocations.enqueue(fn, qualifier, event, trace),
    warn: (message, details) => log.warn(details, message),
    observe: metrics.topics,
    trace: traces.topics,
  });
  const events = await composeEvents({
    backends,
    clock,
    config,
    log,
    queues,
    senders: senderDeps,
    send,
    ...(metrics.bus ? { observeBus: metrics.bus } : {}),
    traces,
  });
  const { bus, scheduler } = events;
  const iam = await composeIam({
    backends,
    credentials,
    clock,
    accountId: config.accountId,
    functionRoles: functionRoles.roles,
  });
  const accessKeys = iam.accessKeys;
  const authenticate = authenticator(
    (id) => iam.secretFor(id),
    () => clock.now(),
  );
  // Every route authorizes the signer's request after authenticating it (root: everything).
  const { authorize } = iam;
  const scope = { region: config.region, account: config.accountId };
  const pollers = new QueuePollers({
    queues,
    clock,
    region: config.region,
    resolve,
    run: (target, event) => invoker.run(target, event, undefined, traces.sqsTrace(event)),
    reservedConcurrency: (name) => registry.get(name)?.reservedConcurrency ?? null,
    warn: (message, details) => log.warn(details, message),
  });
  registry.onMappingChange((m, deleted) => pollers.sync(m, deleted));
  // Service requests are metered on the app whose manifest declares the resource.
  const meter = costs.services(manifestOwners(registry));
  const tables = composeTables({
    backend: postgres && config.tableBackend === 'postgres' ? postgresTables(postgres) : backends.tables,
    ttlSweepMs: config.ttlSweepMs,
    clock,
    region: config.region,
    accountId: config.accountId,
    log,
    resolve,
    run: (target, event, trace) => invoker.run(target, event, undefined, trace),
    trace: traces.streams,
    send: (arn, payload) => send(arn, payload, { sender: 'lambda.amazonaws.com' }),
    functionArn: (name, qualifier) => functionArn(identity, qualifier ? `${name}:${qualifier}` : name),
  });
  registry.onMappingChange((m, deleted) => tables.pollers.sync(m, deleted));
  const control = controlPlaneServer(
    [
      traces.route(authenticate, authorize),
      metrics.route(authenticate, authorize),
      sqsApi({ queues, authenticate, authorize, scope, log, meter }),
      snsApi({ topics, signer, authenticate, authorize, scope, log, meter }),
      iam.api(authenticate, authorize, log),
      eventsApi({ bus, authenticate, authorize, scope, log, meter }),
      schedulerApi({ scheduler, authenticate, authorize, scope, log }),
      dynamodbApi({ apis: tables.apis, authenticate, authorize, scope, log, meter }),
      lambdaApi({
        registry,
        deployer,
        invoker,
        async: asyncInvocations,
        identity,
        authenticate,
        authorize,
        clock,
        accountConcurrency: config.maxInstances,
        queues,
        streams: tables,
        roleArn: iam.lookups.roleArn,
        lastProcessingResult: (uuid) => tables.pollers.lastResult(uuid) ?? pollers.lastResult(uuid),
      }),
      // Before the admin routes: those claim every /admin/v1/ request once they have read its body.
      cacheRoutes({ cache: cache.service, authenticate, authorize }),
      costs.route(authenticate, authorize),
      alarms.route(authenticate, authorize),
      adminRoutes({
        registry,
        deployer,
        invoker,
        pool,
        logs,
        identity,
        readManifest: readManifestFromZip,
        authenticate,
        authorize,
        accessKeys,
        ...iam.lookups,
      }),
    ],
    authenticate,
    log,
  );

  const controlPort = await listen(
    control,
    config.controlPort,
    config.host,
    'control plane (BATON_CONTROL_PORT, --control-port)',
  );
  identity.endpointUrl = `http://${config.host}:${controlPort}`;
  const gatewayPort = await listen(gateway, config.port, config.host, 'gateway (BATON_PORT, --port)');
  for (const rec of [...registry.list(), ...registry.allVersions()]) sync(unitKey(rec), rec);
  pool.start();
  await asyncInvocations.start();
  await topicDeliveries.start();
  await events.startBus();
  queues.start();
  await events.startSchedules();
  for (const m of registry.mappings()) pollers.sync(m, false);
  tables.start(registry.mappings());
  logs.start();
  costs.start();
  await alarms.start();
  spares.refill();

  let closing: Promise<void> | undefined;
  return {
    gatewayUrl: `http://${config.host}:${gatewayPort}`,
    controlUrl: identity.endpointUrl,
    registry,
    deployer,
    invoker,
    asyncInvocations,
    pool,
    spares,
    logs,
    cache: cache.service,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        control.close();
        gateway.close();
        control.closeIdleConnections();
        gateway.closeIdleConnections();
        asyncInvocations.close();
        topicDeliveries.close();
        pollers.close();
        await tables.close();
        queues.close();
        events.close();
        alarms.close();
        await Promise.race([
          Promise.all([invoker.drain(), asyncInvocations.idle(), topicDeliveries.idle(), events.idle()]),
          new Promise((r) => setTimeout(r, graceMs).unref()),
        ]);
        pool.close();
        await cache.close();
        await Promise.all([logs.close(), traces.close()]);
        await costs.close();
        control.closeAllConnections();
        gateway.closeAllConnections();
        backends.close();
        await postgres?.close();
      })();
      return closing;
    },
  };
}
