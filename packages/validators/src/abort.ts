/**
 * A signal that aborts after `ms`, or as soon as any of `parents` aborts; `clear()` when the work
 * is done (it stops the timer and unhooks the parents).
 *
 * Not `AbortSignal.any([AbortSignal.timeout(ms), parent])`: on Node 20 the composite holds its
 * sources only weakly and the timer holds its timeout signal only weakly, so once a garbage
 * collection runs the timeout never fires (nodejs/node#57736). Found by the partition drill: under
 * load the SDK's per-try timeout to a cut-off gateway never fired, and calls hung past their
 * deadline until the link came back. Here the timer's closure holds the controller.
 */
export function deadlineSignal(ms: number, ...parents: (AbortSignal | undefined)[]): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const linked = parents.filter((p): p is AbortSignal => p !== undefined);
  const onParentAbort = (event: Event): void => {
    controller.abort((event.target as AbortSignal).reason);
  };
  const timer = setTimeout(() => {
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, ms);
  const clear = (): void => {
    clearTimeout(timer);
    for (const parent of linked) parent.removeEventListener('abort', onParentAbort);
  };
  for (const parent of linked) {
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    parent.addEventListener('abort', onParentAbort, { once: true });
  }
  if (controller.signal.aborted) clear();
  return { signal: controller.signal, clear };
}
