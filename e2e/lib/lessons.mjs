// The built-in lessons, in gallery order (kept in step with sim-core's BUILTIN_NAMES).
export const LESSONS = [
  'processes-vs-threads', 'syscall-read', 'restricted-instruction', 'loop-cooperative',
  'loop-preemptive', 'direct-execution', 'io-overlap', 'convoy-fifo', 'convoy-sjf',
  'convoy-stcf', 'rr-response', 'mlfq-gaming', 'lottery-fairness', 'stride-fairness',
];
