/** A visual edit that cannot apply: why, and where in the text (applyEdit returns it as a located error). */
import type { Span } from '../../grammar/span.js';

export class EditRefused extends Error {
  constructor(message: string, readonly span?: Span) { super(message); }
}
