/** Types of before-pack.mjs (for the TypeScript tests). */
export declare const ARCH: Record<number, string>;
export declare function seaFileName(platform: string, arch: string): string;
export declare function stageCli(projectDir: string, platform: string, arch: string): string;
export default function beforePack(context: {
  packager: { projectDir: string };
  electronPlatformName: string;
  arch: number;
}): Promise<void>;
