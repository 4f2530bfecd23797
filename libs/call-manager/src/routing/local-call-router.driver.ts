import type { BackendStatus, ManagedBackend } from '../backend.types';
import { DEFAULT_END_TIMEOUT_MS } from './call-router.constants';
import type {
  CallRouter,
  EndCallHandler,
  EndCallRequest,
} from './call-router.interface';

/** One instance, nothing to carry: a request reaches this instance only if addressed to it. */
export class LocalCallRouter implements CallRouter, ManagedBackend {
  private handler: EndCallHandler | undefined;

  constructor(
    readonly instanceId: string,
    readonly endTimeoutMs = DEFAULT_END_TIMEOUT_MS,
  ) {}

  onEndRequest(handler: EndCallHandler): void {
    this.handler = handler;
  }

  sendEndRequest(
    instanceId: string,
    request: EndCallRequest,
  ): Promise<boolean> {
    const handler = this.handler;
    if (instanceId !== this.instanceId || !handler) {
      return Promise.resolve(false);
    }
    // Delivered later, as a message would be: the sender does not wait for the handler
    // (which logs its own failures).
    setImmediate(() => void handler({ ...request }).catch(() => undefined));
    return Promise.resolve(true);
  }

  health(): Promise<BackendStatus> {
    return Promise.resolve({ backend: 'local', ok: true });
  }

  close(): Promise<void> {
    this.handler = undefined;
    return Promise.resolve();
  }
}
