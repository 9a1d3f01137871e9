export const repoRoot: string;
export const toolsDir: string;
export const binDir: string;
export const venvDir: string;
export const awsVenvDir: string;
export function toolPath(name: string): string;
export function pinnedVersions(): Record<string, string>;
