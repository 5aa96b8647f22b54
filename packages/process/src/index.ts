export {
  ProcessStartError,
  runToExit,
  StartCancelledError,
  startProcess,
  type ProcessExit,
  type Readiness,
  type RunningProcess,
  type StartProcessOptions,
} from './start-process';
export {
  clockTicksPerSecond,
  parseProcStat,
  parseSystemCpu,
  readProcStat,
  readSystemCpu,
  readProcStatSync,
  type ProcessStat,
  type SystemCpuTicks,
} from './proc-stat';
export { createProcessCpuSampler, processGroup, topGroups } from './process-cpu';
