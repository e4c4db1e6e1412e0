/**
 * The resolve stage: batched, cached lookups of secret values for renders, and provider keys.
 */
export { createResolver, RESOLVER_DEFAULTS } from './resolver.js';
export { providerSecretName, DEFAULT_PROVIDERS, DEFAULT_MODEL_PREFIXES } from './providers.js';
export { suggestNames } from './suggest.js';
export type { ProviderTable } from './providers.js';
export type { Clock } from './entry-cache.js';
export type { Resolver, ResolverOptions, ResolverStats, ProviderKeyOptions } from './resolver-types.js';
export type { SecretSource, ResolveRequest, ResolveOutcome, ResolvedEntry, Destination } from './types.js';
export type { InspectOutcome } from './lookup.js';
export { inspect, type InspectOptions } from './lookup.js';
