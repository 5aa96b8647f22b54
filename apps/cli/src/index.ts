export { commands, usage, type Command } from './commands';
