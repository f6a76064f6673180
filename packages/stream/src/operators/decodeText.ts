import type { Tokenizer } from "@logitstream/core";
import { Observable, type OperatorFunction } from "rxjs";
import { InvalidUtf8Error } from "../errors.js";
import { subscribeLinked } from "../internal/subscribeLinked.js";
import type { TextEvent } from "../types.js";

/** Options of {@link decodeText}. */
export interface DecodeTextOptions {
  /**
   * `true`: bytes that are not valid UTF-8 are an `InvalidUtf8Error`. Default `false`: they become
   * U+FFFD, exactly as `TextDecoder` would decode the whole byte sequence at once.
   */
  fatal?: boolean;
}

/**
 * Token events → the same events with the `text` each token completed, byte-exact.
 *
 * A byte-level BPE token may end inside a multi-byte UTF-8 character (an emoji split over two tokens,
 * a CJK character over three). Such a token's event is held back until the character is complete and is
 * then emitted, in order, with the text it completed (possibly `""`); the concatenation of all `text`
 * fields is exactly `new TextDecoder().decode(allBytes)`, and a valid sequence never yields U+FFFD.
 * Each token's bytes are decoded once (a streaming `TextDecoder`), never the whole sequence per step.
 *
 * If the input ends inside a character, the held events are emitted and the last one carries U+FFFD
 * (or, with `{ fatal: true }`, the output errors with `InvalidUtf8Error`). An upstream error first
 * releases the held events (without a replacement character), then propagates.
 *
 * @param tokenizer anything with `tokenBytes(id) → Uint8Array` (e.g. @logitstream/ngram's `BpeTokenizer`)
 * @example
 * // tokens 0 = "h", 1 = F0 9F, 2 = 98 80 (😀 split in two)
 * of({ token: 0 }, { token: 1 }, { token: 2 }).pipe(decodeText(tok))
 * // → { token: 0, text: "h" }, { token: 1, text: "" }, { token: 2, text: "😀" }
 *   (the event of token 1 is emitted together with token 2's, once 😀 is complete)
 *
 * Method: the WHATWG UTF-8 decoder state machine (bytes still needed, and the allowed range of the next
 * byte) is tracked beside a streaming `TextDecoder`, so the operator knows when the decoder holds an
 * incomplete character without re-decoding anything.
 */
export function decodeText<T extends { token: number; step?: number }>(
  tokenizer: Pick<Tokenizer, "tokenBytes">,
  options: DecodeTextOptions = {},
): OperatorFunction<T, TextEvent<T>> {
  const fatal = options.fatal === true;
  return (source) =>
    new Observable<TextEvent<T>>((subscriber) => {
      // Per subscription: one decoder, one UTF-8 state, the events waiting for their character.
      const decoder = new TextDecoder("utf-8", { fatal, ignoreBOM: true });
      let need = 0; // continuation bytes the current character still needs
      let lower = 0x80; // allowed range of the next continuation byte (WHATWG: E0, ED, F0, F4 narrow it)
      let upper = 0xbf;
      let held: TextEvent<T>[] = [];
      let lastStep = -1;

      const release = (): void => {
        const out = held;
        held = [];
        for (let i = 0; i < out.length && !subscriber.closed; i++) subscriber.next(out[i]!);
      };

      subscribeLinked(source, subscriber, {
        next(event) {
          const bytes = tokenizer.tokenBytes(event.token);
          lastStep = event.step ?? lastStep + 1;
          let text: string;
          try {
            text = decoder.decode(bytes, { stream: true });
          } catch (err) {
            subscriber.error(new InvalidUtf8Error(lastStep, `token ${event.token}`, { cause: err }));
            return;
          }
          for (let i = 0; i < bytes.length; i++) {
            const b = bytes[i]!;
            if (need > 0) {
              if (b >= lower && b <= upper) {
                need--;
                lower = 0x80;
                upper = 0xbf;
                continue;
              }
              // Not a valid continuation: the decoder emitted U+FFFD and reads b as a new lead byte.
              need = 0;
              lower = 0x80;
              upper = 0xbf;
            }
            if (b < 0x80) continue;
            if (b >= 0xc2 && b <= 0xdf) need = 1;
            else if (b >= 0xe0 && b <= 0xef) {
              need = 2;
              if (b === 0xe0) lower = 0xa0;
              else if (b === 0xed) upper = 0x9f;
            } else if (b >= 0xf0 && b <= 0xf4) {
              need = 3;
              if (b === 0xf0) lower = 0x90;
              else if (b === 0xf4) upper = 0x8f;
            }
            // else: an invalid lead byte, already decoded as U+FFFD; need stays 0.
          }
          const out = { ...event, text } as TextEvent<T>;
          if (need > 0) {
            held.push(out);
            return;
          }
          if (held.length > 0) release();
          subscriber.next(out);
        },
        error(err) {
          release();
          subscriber.error(err);
        },
        complete() {
          if (held.length > 0) {
            let tail: string;
            try {
              tail = decoder.decode();
            } catch (err) {
              subscriber.error(
                new InvalidUtf8Error(lastStep, "the input ended inside a character", { cause: err }),
              );
              return;
            }
            const last = held[held.length - 1]!;
            held[held.length - 1] = { ...last, text: last.text + tail };
            release();
          }
          subscriber.complete();
        },
      });
    });
}
