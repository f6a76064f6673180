import type { Pacer } from "../pacer.js";

/**
 * One pacer that is paused while either of two is: the caller's (a Readable sink) and an iterator's
 * own. `pause`/`resume` act on `own`; `onReady` waits until neither is paused. @internal
 */
export function joinPacers(caller: Pacer | undefined, own: Pacer): Pacer {
  if (caller === undefined) return own;
  return {
    get paused() {
      return own.paused || caller.paused;
    },
    pause: () => own.pause(),
    resume: () => own.resume(),
    onReady(callback) {
      let cancel = (): void => {};
      const check = (): void => {
        if (own.paused) cancel = own.onReady(check);
        else if (caller.paused) cancel = caller.onReady(check);
        else callback();
      };
      check();
      return () => cancel();
    },
  };
}
