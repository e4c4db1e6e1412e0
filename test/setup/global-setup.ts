// Replaced by the store work: starts a throwaway PostgreSQL server for the integration suite.
export default function setup(): void {}
