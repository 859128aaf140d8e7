import { isLoopback, isPrivateHost } from '../publishers/reachable.js';

/**
 * Why Google could not push to this receiver, or undefined. Google takes only https:// receivers
 * on the internet; a management API that is itself on loopback (the emulated Google) takes any.
 */
export function receiverProblem(receiverUrl: string, apiUrl: string): string | undefined {
  if (isLoopback(new URL(apiUrl))) return undefined;
  const receiver = new URL(receiverUrl);
  if (receiver.protocol !== 'https:') return `PUBLIC_URL must be https:// for Google to push events to it (got ${receiverUrl})`;
  if (isPrivateHost(receiver)) return `PUBLIC_URL names a loopback or private host (${receiver.hostname}) that Google cannot reach`;
  return undefined;
}
