/** Where a value goes (tool, host) and whether a secret may go there: one module for lint, render and the resolver. */
export { Destinations, type Destination } from './destination.js';
export { usageProblem, type UsagePolicy } from './usage.js';
export { hostAllowed, hostMatches } from './host-pattern.js';
export { urlHost, OPAQUE } from './url-host.js';
