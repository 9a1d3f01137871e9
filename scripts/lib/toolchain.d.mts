export function toolPath(name: string): string;
