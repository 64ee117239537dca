import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { storageKinds } from '../../src/backends/index.ts';
import { asyncEventsContract } from './async-events.contract.ts';
import { busContract } from './bus.contract.ts';
import { iamContract } from './iam.contract.ts';
import { logsContract } from './logs.contract.ts';
import { queuesContract } from './queues.contract.ts';
import { registryContract, registryResourcesContract } from './registry.contract.ts';
import { schedulesContract } from './schedules.contract.ts';
import { tablesContract } from './tables.contract.ts';
import { topicsContract } from './topics.contract.ts';
import { usageContract } from './usage.contract.ts';

// Every storage kind runs the same contract suites, each test on a fresh store (a new SQLite file).
for (const [kind, open] of Object.entries(storageKinds)) {
  const fresh = () => open(mkdtempSync(join(tmpdir(), `baton-${kind}-`)));
  describe(`${kind} registry backend`, () => registryContract(async () => fresh().registry));
  describe(`${kind} registry resources`, () => registryResourcesContract(async () => fresh().registry));
  describe(`${kind} log backend`, () => logsContract(async () => fresh().logs));
  describe(`${kind} async event queue`, () => asyncEventsContract(async () => fresh().asyncEvents));
  describe(`${kind} topic backend`, () => topicsContract(async () => fresh()));
  describe(`${kind} queue backend`, () => queuesContract(async () => fresh().queues));
  describe(`${kind} bus backend`, () => busContract(async () => fresh().bus));
  describe(`${kind} schedule backend`, () => schedulesContract(async () => fresh().schedules));
  describe(`${kind} table backend`, () => tablesContract(async () => fresh().tables));
  describe(`${kind} IAM backend`, () => iamContract(async () => fresh().iam));
  describe(`${kind} usage backend`, () => usageContract(async () => fresh().usage));
}
