import type { Kernels } from "./kernels.js";
import type { PoolLifecycle } from "./poolLifecycle.js";
import type { TaskMessage, TaskOutput } from "./protocol.js";
import type { RetryingDispatcher } from "./retryingDispatcher.js";
import type { SlabLeases } from "./slabLeases.js";

/** What a pool is made of, as the promise calls (`runSplit`) and the streaming run (`streamingRun`) see it. */
export interface PoolParts {
  readonly threads: number;
  /** Most parts of one call, or items of one run, in flight. */
  readonly maxInFlight: number;
  /** The smallest part a split call makes (below it a task costs more than it saves). */
  readonly minPartElements: number;
  /** Where `run` decodes byte chunks: on the calling thread ("main") or in the workers. */
  readonly parseOnMain: boolean;
  readonly kernels: Kernels;
  readonly lifecycle: PoolLifecycle;
  readonly dispatcher: RetryingDispatcher;
  readonly leases: SlabLeases;
  /** Whether `elements` of work run inline now (see InlinePolicy); counts them if so. */
  inline(elements: number): boolean;
  /** Runs a task on the calling thread (counted in the pool's stats). */
  runInline(msg: TaskMessage): TaskOutput;
  /** A streaming run's outstanding items changed (for the pool's stats). */
  onOutstanding(n: number): void;
}
