/**
 * The emulated Google: an OAuth 2.0 / OpenID Connect provider for tests, dev mode and the demo.
 * Never imported by production paths.
 */
export { GoogleEmulator } from './emulator.js';
export type { EmulatorAccount, EmulatorClient, EmulatorOptions } from './options.js';
export type { EmulatorPluginOptions } from './plugin.js';
export type { EmulatorControls, GrantInfo, TokenInfo } from './controls.js';
export type { ConsentDecision } from './codes.js';
export type { FailEndpoint, Failure } from './failures.js';
export { FAIL_ENDPOINTS } from './failures.js';
export type { IdTokenTamper } from './id-token.js';
export { ID_TOKEN_TAMPERS } from './id-token.js';
export type { CallCounters, EndpointName } from './calls.js';
export { ENDPOINT_NAMES } from './calls.js';
export type { TokenState } from './grants.js';
export { GMAIL_SCOPES } from './scopes.js';
export type { PushRequest, PushResult } from './risc-push.js';
export type { Delivery, ServiceAccountKey, ServiceAccountOptions, StreamConfig } from './risc-stream.js';
export type { RiscEventName, SetTamper } from './risc-set.js';
export { PUSH_DELIVERY_METHOD, RISC_EVENT_TYPES, SET_TAMPERS } from './risc-set.js';
