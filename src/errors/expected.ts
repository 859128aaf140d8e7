/**
 * A failure the service anticipates and has already explained in its message (Google or Seren
 * down, a refused request): logged without a stack, which would only hide the one line that
 * matters. LOG_LEVEL=debug or trace brings stacks back.
 */
export class ExpectedError extends Error {}
