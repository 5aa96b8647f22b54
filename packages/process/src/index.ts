export { ProcessStartError, runToExit, startProcess, type ProcessExit, type Readiness, type RunningProcess, type StartProcessOptions } from './start-process';
