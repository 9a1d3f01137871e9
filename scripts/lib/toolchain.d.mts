export const repoRoot: string;
export const toolsDir: string;
export const binDir: string;
export const venvDir: string;
export function toolPath(name: string): string;
export function pinnedVersions(): Record<string, string>;
