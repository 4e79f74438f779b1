/** Types of make-icon.mjs (for the TypeScript tests). */
export declare const SIZE: number;
export declare const ICON_FILE: string;
export declare function drawIcon(): Buffer;
export declare function crc32(buf: Uint8Array): number;
export declare function encodePng(rgba: Buffer, width?: number, height?: number): Buffer;
export declare function decodePng(png: Buffer): { width: number; height: number; rgba: Buffer };
