// The built-in lessons, in gallery order (kept in step with sim-core's BUILTIN_NAMES).
export const LESSONS = [
  'processes-vs-threads', 'lde-boot', 'lde-syscall', 'lde-timer', 'syscall-read',
  'restricted-instruction', 'loop-cooperative', 'loop-preemptive', 'direct-execution',
  'sched-fifo', 'convoy-fifo', 'convoy-sjf', 'sjf-late', 'stcf-late', 'convoy-stcf',
  'sjf-response', 'rr-response', 'io-overlap', 'mlfq-long', 'mlfq-short', 'mlfq-interactive',
  'mlfq-starve', 'mlfq-boost', 'mlfq-gaming', 'mlfq-accounting', 'lottery-fairness',
  'lottery-unfairness', 'stride-table', 'stride-fairness',
];
