/** Types of check-release-config.mjs (for the TypeScript tests). */
export declare const ROOT: string;
export declare function loadBuilderConfig(
  file: string,
  projectDir?: string,
): Promise<Record<string, unknown>>;
export declare function releaseProblems(config: Record<string, unknown>, projectDir?: string): string[];
export declare function devProblems(dev: Record<string, unknown>, rel: Record<string, unknown>): string[];
export declare function checkConfigs(projectDir?: string): Promise<string[]>;
