/** Types of package.mjs (for the TypeScript tests). */
export declare function chooseConfig(env: Record<string, string | undefined>): {
  file: string;
  release: boolean;
};
