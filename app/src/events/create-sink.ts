// Chooses where auth events go. The ClickHouse sink (issue 5) plugs in here and nowhere else.
import type { Logger } from 'pino';
import type { Config } from '../config/index.ts';
import type { EventSink } from './auth-event.ts';
import { createLogSink } from './log-sink.ts';

export function createEventSink(_config: Config, logger: Logger): EventSink {
  return createLogSink(logger);
}
