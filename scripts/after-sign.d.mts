/** Types of after-sign.mjs (for the TypeScript tests). */
export declare function macChecks(appPath: string): string[][];
export default function afterSign(context: unknown): Promise<void>;
