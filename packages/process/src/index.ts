export { ProcessStartError, runToExit, startProcess, type ProcessExit, type Readiness, type RunningProcess, type StartProcessOptions } from './start-process';
export { clockTicksPerSecond, parseProcStat, readProcStat, readProcStatSync, type ProcessStat } from './proc-stat';
