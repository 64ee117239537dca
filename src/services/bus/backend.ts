/** An event bus as stored. The `default` bus is not stored: it always exists. */
export interface BusRecord {
  name: string;
  description?: string;
  /** Epoch ms. */
  createdAt: number;
}

/** How a target's input is shaped (at most one of the three is set). */
export interface TargetInput {
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

/** A rule's target, as PutTargets gave it (the fields Baton acts on; others are kept as given). */
export interface TargetRecord extends TargetInput {
  Id: string;
  Arn: string;
  RoleArn?: string;
  SqsParameters?: { MessageGroupId?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface RuleRecord {
  bus: string;
  name: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
  targets: TargetRecord[];
  createdAt: number;
}

/**
 * One matched (event, target) pair waiting to leave: a snapshot of everything needed to send it,
 * so it is delivered as matched even if the rule changes afterwards.
 */
export interface BusDelivery {
  id: string;
  bus: string;
  rule: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  /** The event as matched (JSON): bus targets and dead letters carry it whole. */
  event: string;
  /** What the target gets, after Input / InputPath / InputTransformer. */
  payload: string;
  messageGroupId?: string;
  /** Retries after the first attempt (RetryPolicy.MaximumRetryAttempts). */
  maxRetries: number;
  /** RetryPolicy.MaximumEventAgeInSeconds, in ms. */
  maxAgeMs: number;
  deadLetterArn?: string;
  createdAt: number;
  /** When it is next tried (epoch ms); while it is being tried, the end of its lease. */
  dueAt: number;
  attempts: number;
  lastError?: string;
}

/**
 * Where buses, rules (with their targets) and the delivery outbox live. Implementation:
 * `backends/sqlite/bus.ts`. `addDeliveries` is the durability seam: a PutEvents call's matched
 * deliveries are stored in one transaction before the call is answered.
 */
export interface BusBackend {
  /** Creates the bus; false when one exists under that name. */
  createBus(record: BusRecord): Promise<boolean>;
  getBus(name: string): Promise<BusRecord | undefined>;
  listBuses(): Promise<BusRecord[]>;
  /** Deletes the bus and its rules; false when there was none. */
  deleteBus(name: string): Promise<boolean>;

  /** Creates or replaces a rule. */
  putRule(record: RuleRecord): Promise<void>;
  getRule(bus: string, name: string): Promise<RuleRecord | undefined>;
  /** A bus's rules, or every rule, by name. */
  listRules(bus?: string): Promise<RuleRecord[]>;
  deleteRule(bus: string, name: string): Promise<boolean>;

  /** Stores deliveries in one transaction. */
  addDeliveries(entries: BusDelivery[]): Promise<void>;
  /** Takes up to `limit` entries due at `now`, earliest first, leasing them until `leaseUntil`. */
  claimDeliveries(now: number, limit: number, leaseUntil: number): Promise<BusDelivery[]>;
  /** Stores an entry's new due time, attempts and error (ending its lease). */
  rescheduleDelivery(entry: BusDelivery): Promise<void>;
  removeDelivery(id: string): Promise<void>;
  /** Makes entries leased when the node stopped due at `now` (at start). */
  releaseDeliveryLeases(now: number): Promise<number>;
  nextDeliveryDue(): Promise<number | undefined>;
}
