import { describe, expect, it } from "vitest";
import {
  EmptyCandidatesError,
  InvalidLogitsError,
  InvalidParamsError,
  LogitstreamError,
} from "../src/index.js";

describe("errors", () => {
  it("name the row, index and stage, and carry a stable code", () => {
    const e = new InvalidLogitsError(7, 3, "NaN logit");
    expect(e).toBeInstanceOf(LogitstreamError);
    expect(e.name).toBe("InvalidLogitsError");
    expect(e.code).toBe("E_INVALID_LOGITS");
    expect(e.message).toContain("row 7, index 3: NaN logit");
    const s = new EmptyCandidatesError(2, "top_p");
    expect(s.message).toContain('row 2: no candidate token left after stage "top_p"');
    const p = new InvalidParamsError("topP", "must be in (0, 1]");
    expect(p.code).toBe("E_INVALID_PARAMS");
    expect(p.message).toBe('invalid parameter "topP": must be in (0, 1]');
  });
});
