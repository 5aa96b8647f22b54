export { clusterCommands, runClusterCommand } from './commands';
