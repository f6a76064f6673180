/**
 * The pool's worker entry. Lean on purpose (start-up time is import time): the core's math and wire's
 * chunk decoder and record encoder, nothing else — no rxjs, no stream operators.
 */
import { defaultKernels } from "./defaultKernels.js";
import { createHandler } from "./handler.js";

export default createHandler(defaultKernels);
