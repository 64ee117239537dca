import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { parseRedrivePolicy } from './attributes.ts';
import type { QueueBackend, QueueRecord } from './backend.ts';
import { QueueError } from './errors.ts';
import { type Input, int, invalidParam, type Output, str } from './input.ts';
import { nonces } from './receipts.ts';

/** A dead-letter redrive in progress (kept in memory: a restart ends it). */
interface MoveTask {
  handle: string;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  sourceArn: string;
  destinationArn: string | undefined;
  rate: number;
  moved: number;
  toMove: number;
  startedAt: number;
  failure?: string;
  timer?: TimerHandle;
}

export interface MoveTaskDeps {
  backend: QueueBackend;
  clock: Clock;
  /** The queue of that name, or QueueDoesNotExist. */
  queue: (name: string) => Promise<QueueRecord>;
  dedup: (q: QueueRecord) => { windowMs: number; perGroup: boolean } | null;
  /** Wakes the long polls of a queue that got messages. */
  notify: (queue: string) => void;
}

const queueNameFromArn = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/**
 * Dead-letter redrive: StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask.
 * Tasks live in memory; a restart ends a running one, leaving the rest in the dead-letter queue.
 */
export class MoveTasks {
  private readonly tasks: MoveTask[] = [];

  constructor(private readonly deps: MoveTaskDeps) {}

  async startMessageMoveTask(input: Input): Promise<Output> {
    const sourceArn = str(input, 'SourceArn', true);
    const source = await this.deps.queue(queueNameFromArn(sourceArn));
    const all = await this.deps.backend.listQueues();
    const isDlq = all.some(
      (q) =>
        q.attributes.RedrivePolicy &&
        parseRedrivePolicy(q.attributes.RedrivePolicy).deadLetterTargetArn === sourceArn,
    );
    if (!isDlq) throw invalidParam('Source queue must be configured as a Dead Letter Queue.');
    const destArn = str(input, 'DestinationArn');
    if (destArn !== undefined) await this.deps.queue(queueNameFromArn(destArn));
    const rate = int(input, 'MaxNumberOfMessagesPerSecond', 1, 500);
    if (this.tasks.some((t) => t.sourceArn === sourceArn && t.status === 'RUNNING'))
      throw new QueueError(
        'UnsupportedOperation',
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      );
    const counts = await this.deps.backend.counts(source.name, this.deps.clock.now());
    const task: MoveTask = {
      handle: Buffer.from(`${sourceArn}\n${randomUUID()}`).toString('base64url'),
      status: 'RUNNING',
      sourceArn,
      destinationArn: destArn,
      rate: rate ?? 500,
      moved: 0,
      toMove: counts.visible,
      startedAt: this.deps.clock.now(),
    };
    this.tasks.unshift(task);
    this.tasks.splice(100);
    const step = () => {
      void this.moveSome(task).then((more) => {
        if (more && task.status === 'RUNNING') task.timer = this.deps.clock.setTimer(1000, step);
      });
    };
    step();
    return { TaskHandle: task.handle };
  }

  /** Moves up to a second's worth of messages; false when the task has ended. */
  private async moveSome(task: MoveTask): Promise<boolean> {
    const from = queueNameFromArn(task.sourceArn);
    let budget = task.rate;
    try {
      while (budget > 0 && task.status === 'RUNNING') {
        const got = await this.deps.backend.receive(from, {
          now: this.deps.clock.now(),
          max: Math.min(10, budget),
          visibilityMs: 30_000,
          fifo: false,
          nonce: nonces(),
        });
        if (got.length === 0) {
          task.status = 'COMPLETED';
          return false;
        }
        for (const m of got) {
          const destName = task.destinationArn ? queueNameFromArn(task.destinationArn) : m.sourceQueue;
          if (!destName) {
            task.status = 'FAILED';
            task.failure = 'The original source queue of a message is unknown: give a DestinationArn.';
            return false;
          }
          const dest = await this.deps.queue(destName);
          const now = this.deps.clock.now();
          // Sent before it is deleted: a crash in between repeats a message, never loses one.
          await this.deps.backend.send(
            dest.name,
            [
              {
                id: randomUUID(),
                body: m.body,
                meta: m.meta,
                groupId: m.groupId,
                dedupId: m.dedupId,
                visibleAt: now,
              },
            ],
            now,
            this.deps.dedup(dest),
          );
          await this.deps.backend.deleteMessage(from, m.id, m.receipt);
          this.deps.notify(dest.name);
          task.moved++;
          budget--;
        }
      }
      return task.status === 'RUNNING';
    } catch (e) {
      task.status = 'FAILED';
      task.failure = (e as Error).message;
      return false;
    }
  }

  async listMessageMoveTasks(input: Input): Promise<Output> {
    const sourceArn = str(input, 'SourceArn', true);
    await this.deps.queue(queueNameFromArn(sourceArn));
    const max = int(input, 'MaxResults', 1, 10) ?? 1;
    return {
      Results: this.tasks
        .filter((t) => t.sourceArn === sourceArn)
        .slice(0, max)
        .map((t) => ({
          ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
          MaxNumberOfMessagesPerSecond: t.rate,
          ApproximateNumberOfMessagesMoved: t.moved,
          ApproximateNumberOfMessagesToMove: t.toMove,
          ...(t.failure ? { FailureReason: t.failure } : {}),
          StartedTimestamp: t.startedAt,
        })),
    };
  }

  async cancelMessageMoveTask(input: Input): Promise<Output> {
    const handle = str(input, 'TaskHandle', true);
    const task = this.tasks.find((t) => t.handle === handle);
    if (!task) throw new QueueError('ResourceNotFound', 'Task does not exist.');
    if (task.status !== 'RUNNING')
      throw new QueueError(
        'UnsupportedOperation',
        `Task is in status ${task.status}: only a running task can be cancelled.`,
      );
    task.status = 'CANCELLED';
    task.timer?.cancel();
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }
}
