/** The version the CLI reports (`--version`, SARIF's tool version); package.json's. */
export const VERSION = '0.1.0';
